// The project's OCI client: pulls (index → platform manifest → config → layers, every digest verified) and pushes,
// answering Basic and Bearer challenges (distribution docs/spec/auth/token.md) with credentials picked the way the
// kubelet's keyring picks them. Offline by design: only loopback registries unless the caller allows more hosts.
import { isIP } from 'node:net';
import { BasicDockerKeyring, type DockerConfig, type DockerConfigEntry } from '../k8s/credential-keyring.js';
import { parseNormalizedNamed, type NamedReference } from '../k8s/image-reference.js';
import { isDigest, sha256Digest, type Digest } from './digest.js';
import { parseErrorBody } from './errors.js';
import type { Descriptor, ImageIndex, ImageManifest } from './manifest.js';
import { isIndexMediaType, isManifestMediaType, manifestAccept, type ManifestMediaType } from './media-types.js';

export type RegistryClientErrorKind = 'host-not-allowed' | 'unauthorized' | 'denied' | 'not-found' | 'digest-mismatch' | 'invalid' | 'no-matching-platform' | 'network';

/** A failed registry operation; the message is for people and never holds a credential. */
export class RegistryClientError extends Error {
  override readonly name = 'RegistryClientError';
  constructor(
    readonly kind: RegistryClientErrorKind,
    message: string,
    readonly status?: number,
    /** The spec error code the registry sent, e.g. MANIFEST_UNKNOWN. */
    readonly code?: string,
  ) {
    super(message);
  }
}

export interface Credentials {
  username: string;
  password: string;
}

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface ClientOptions {
  /** Pull-secret contents (decoded .dockerconfigjson auths), tried in the kubelet's order. */
  dockerConfigs?: readonly DockerConfig[];
  /** Credentials to use as they are (e.g. the lab's pusher), tried before any docker config match. */
  credentials?: Credentials;
  /** Hosts beyond loopback the client may contact (`host` or `host:port`); empty by default: the lab is offline. */
  allowedHosts?: readonly string[];
  /** Default: http for loopback and allowed hosts listed with http, https otherwise. */
  scheme?: 'http' | 'https';
  platform?: Platform;
  /** Largest blob or manifest accepted, so a hostile registry cannot fill memory. */
  maxBytes?: number;
  timeoutMs?: number;
}

export interface PulledImage {
  reference: NamedReference;
  /** The digest the reference resolved to (the index's, when the tag names an index). */
  digest: Digest;
  /** The platform manifest's digest. */
  manifestDigest: Digest;
  mediaType: ManifestMediaType;
  manifest: ImageManifest;
  manifestBytes: Buffer;
  config: Buffer;
  configDigest: Digest;
  layers: Buffer[];
  layerDescriptors: Descriptor[];
}

export interface PushableImage {
  manifestBytes: Buffer;
  mediaType: string;
  /** Config and layer blobs by digest. */
  blobs: ReadonlyMap<Digest, Buffer>;
}

/** 127.0.0.0/8, ::1 and localhost: the only registries an offline lab may reach by default. */
export function isLoopbackHost(hostWithPort: string): boolean {
  const host = hostWithPort.replace(/^\[([^\]]+)\](?::\d+)?$/, '$1').replace(/^([^:]+):\d+$/, '$1');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}

function hostAllowed(host: string, allowed: readonly string[] | undefined): boolean {
  if (isLoopbackHost(host)) return true;
  const bare = host.replace(/:\d+$/, '');
  return (allowed ?? []).some((a) => a === host || a === bare);
}

function assertAllowed(host: string, what: string, options: ClientOptions): void {
  if (!hostAllowed(host, options.allowedHosts)) {
    throw new RegistryClientError('host-not-allowed', `${what} is on registry ${host}, which this offline lab does not contact (only loopback registries are allowed)`);
  }
}

const defaultPlatform: Platform = { os: 'linux', architecture: process.arch === 'x64' ? 'amd64' : process.arch };

/** Parses `WWW-Authenticate: Bearer realm="…",service="…",scope="…"` (RFC 7235 auth-params). */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } | undefined {
  const m = /^\s*(\w+)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /(\w+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  re.lastIndex = 0;
  const rest = m[2]!;
  let p: RegExpExecArray | null;
  while (re.lastIndex < rest.length && (p = re.exec(rest))) params[p[1]!.toLowerCase()] = (p[2] ?? p[3] ?? '').replace(/\\(.)/g, '$1');
  return { scheme: m[1]!.toLowerCase(), params };
}

/** One registry host and repository, with the auth state a pull or push builds up. */
class RegistrySession {
  private authorization: string | undefined;
  private readonly base: string;

  constructor(
    readonly host: string,
    readonly repository: string,
    private readonly credentials: Credentials | undefined,
    private readonly actions: string,
    private readonly options: ClientOptions,
  ) {
    const scheme = options.scheme ?? (isLoopbackHost(host) ? 'http' : 'https');
    this.base = `${scheme}://${host}`;
  }

  url(path: string): string {
    return path.startsWith('http://') || path.startsWith('https://') ? path : `${this.base}${path}`;
  }

  private async fetchRaw(url: string, init: RequestInit): Promise<Response> {
    const target = new URL(url);
    assertAllowed(target.host, 'a redirect', this.options);
    try {
      return await fetch(url, { ...init, redirect: 'manual', signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000) });
    } catch (error) {
      const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
      throw new RegistryClientError('network', `cannot reach registry ${this.host}: ${cause}`);
    }
  }

  /** Sends a request, answering one auth challenge; follows redirects within allowed hosts. */
  async request(method: string, path: string, init: { headers?: Record<string, string>; body?: Buffer } = {}): Promise<Response> {
    let url = this.url(path);
    let answered = false;
    const body = init.body ? (new Uint8Array(init.body.buffer, init.body.byteOffset, init.body.length) as Uint8Array<ArrayBuffer>) : undefined;
    for (let attempt = 0; attempt < 8; attempt++) {
      const headers: Record<string, string> = { ...init.headers };
      // Credentials go only to the registry host itself, never to a redirect target (blob storage).
      if (this.authorization && new URL(url).host === this.host) headers.Authorization = this.authorization;
      const res = await this.fetchRaw(url, { method, headers, ...(body ? { body } : {}) });
      if (res.status >= 300 && res.status < 400 && res.headers.get('location')) {
        url = new URL(res.headers.get('location')!, url).toString();
        await res.body?.cancel();
        continue;
      }
      if (res.status === 401 && !answered) {
        answered = true;
        const challenge = res.headers.get('www-authenticate');
        if (challenge && (await this.answer(challenge))) {
          await res.body?.cancel();
          continue;
        }
      }
      return res;
    }
    throw new RegistryClientError('network', `too many redirects from registry ${this.host}`);
  }

  /** Turns a challenge into an Authorization header; false when there is nothing more to try. */
  private async answer(header: string): Promise<boolean> {
    const challenge = parseChallenge(header);
    if (!challenge) return false;
    if (challenge.scheme === 'basic') {
      if (!this.credentials) return false;
      this.authorization = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
      return true;
    }
    if (challenge.scheme !== 'bearer' || !challenge.params.realm) return false;
    const realm = new URL(challenge.params.realm);
    assertAllowed(realm.host, 'the token service', this.options);
    if (challenge.params.service) realm.searchParams.set('service', challenge.params.service);
    realm.searchParams.append('scope', `repository:${this.repository}:${this.actions}`);
    const headers: Record<string, string> = {};
    if (this.credentials) headers.Authorization = `Basic ${Buffer.from(`${this.credentials.username}:${this.credentials.password}`).toString('base64')}`;
    const res = await this.fetchRaw(realm.toString(), { method: 'GET', headers });
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new RegistryClientError('unauthorized', `registry ${this.host} refused the credentials (token service answered ${res.status})`, res.status, 'UNAUTHORIZED');
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new RegistryClientError('network', `token service of ${this.host} answered ${res.status}`, res.status);
    }
    const body = (await res.json().catch(() => ({}))) as { token?: unknown; access_token?: unknown };
    const token = typeof body.token === 'string' ? body.token : typeof body.access_token === 'string' ? body.access_token : undefined;
    if (!token) throw new RegistryClientError('invalid', `token service of ${this.host} sent no token`);
    this.authorization = `Bearer ${token}`;
    return true;
  }
}

async function failure(res: Response, what: string): Promise<RegistryClientError> {
  const text = await res.text().catch(() => '');
  const first = parseErrorBody(text)?.[0];
  const code = first?.code;
  const said = first?.message ? `: ${first.code}: ${first.message}` : '';
  if (res.status === 401) return new RegistryClientError('unauthorized', `${what}: unauthorized${said}`, 401, code ?? 'UNAUTHORIZED');
  if (res.status === 403) return new RegistryClientError('denied', `${what}: denied${said}`, 403, code ?? 'DENIED');
  if (res.status === 404) return new RegistryClientError('not-found', `${what}: not found${said}`, 404, code);
  return new RegistryClientError('invalid', `${what}: registry answered ${res.status}${said}`, res.status, code);
}

async function readBody(res: Response, max: number, what: string): Promise<Buffer> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) {
    await res.body?.cancel();
    throw new RegistryClientError('invalid', `${what} is ${declared} bytes, over the client's limit of ${max}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  if (res.body) {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      size += chunk.length;
      if (size > max) throw new RegistryClientError('invalid', `${what} exceeds the client's limit of ${max} bytes`);
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    }
  }
  return Buffer.concat(chunks, size);
}

function verified(data: Buffer, digest: Digest, what: string): Buffer {
  const actual = sha256Digest(data);
  if (actual !== digest) throw new RegistryClientError('digest-mismatch', `${what}: content has digest ${actual}, expected ${digest}`);
  return data;
}

/** Credentials to try, in the kubelet's order: explicit ones, then every keyring match; `undefined` = anonymous. */
function credentialCandidates(ref: NamedReference, options: ClientOptions): Array<Credentials | undefined> {
  const list: Array<Credentials | undefined> = [];
  if (options.credentials) list.push(options.credentials);
  if (options.dockerConfigs && options.dockerConfigs.length > 0) {
    const keyring = new BasicDockerKeyring<DockerConfigEntry>();
    for (const cfg of options.dockerConfigs) keyring.add(cfg);
    for (const c of keyring.lookup(ref.name)) list.push({ username: c.username, password: c.password });
  }
  return list.length > 0 ? list : [undefined];
}

function parseRef(image: string): NamedReference {
  try {
    return parseNormalizedNamed(image);
  } catch (error) {
    throw new RegistryClientError('invalid', `invalid image reference ${JSON.stringify(image)}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function matchesPlatform(d: Descriptor, want: Platform): boolean {
  const p = d.platform;
  if (!p) return false;
  return p.os === want.os && p.architecture === want.architecture && (want.variant === undefined || p.variant === want.variant);
}

async function pullWith(ref: NamedReference, session: RegistrySession, options: ClientOptions): Promise<PulledImage> {
  const max = options.maxBytes ?? 1024 * 1024 * 1024;
  const image = `${ref.name}${ref.tag ? `:${ref.tag}` : ''}${ref.digest ? `@${ref.digest}` : ''}`;
  const getManifest = async (reference: string): Promise<{ body: Buffer; mediaType: ManifestMediaType; digest: Digest }> => {
    const res = await session.request('GET', `/v2/${ref.path}/manifests/${reference}`, { headers: { Accept: manifestAccept } });
    if (!res.ok) throw await failure(res, `pulling manifest of ${image}`);
    const body = await readBody(res, Math.min(max, 4 * 1024 * 1024), `manifest of ${image}`);
    const digest = sha256Digest(body);
    if (isDigest(reference)) verified(body, reference, `manifest of ${image}`);
    const header = res.headers.get('docker-content-digest');
    if (header && header !== digest && header.startsWith('sha256:')) {
      throw new RegistryClientError('digest-mismatch', `manifest of ${image}: registry says ${header}, content hashes to ${digest}`);
    }
    let parsed: { mediaType?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as { mediaType?: unknown };
    } catch {
      throw new RegistryClientError('invalid', `manifest of ${image} is not JSON`);
    }
    const mediaType = res.headers.get('content-type')?.split(';')[0]?.trim() ?? '';
    const type = isManifestMediaType(mediaType) ? mediaType : isManifestMediaType(parsed.mediaType) ? parsed.mediaType : undefined;
    if (!type) throw new RegistryClientError('invalid', `manifest of ${image} has unsupported media type ${JSON.stringify(mediaType)}`);
    return { body, mediaType: type, digest };
  };

  const top = await getManifest(ref.digest ?? ref.tag ?? 'latest');
  let current = top;
  if (isIndexMediaType(top.mediaType)) {
    const index = JSON.parse(top.body.toString('utf8')) as ImageIndex;
    const want = options.platform ?? defaultPlatform;
    const chosen = (index.manifests ?? []).find((d) => matchesPlatform(d, want));
    if (!chosen) {
      throw new RegistryClientError('no-matching-platform', `${image}: no manifest for platform ${want.os}/${want.architecture}${want.variant ? `/${want.variant}` : ''}`);
    }
    current = await getManifest(chosen.digest);
    if (isIndexMediaType(current.mediaType)) throw new RegistryClientError('invalid', `${image}: nested index is not supported`);
  }
  const manifest = JSON.parse(current.body.toString('utf8')) as ImageManifest;
  if (!manifest.config || !isDigest(manifest.config.digest) || !Array.isArray(manifest.layers)) {
    throw new RegistryClientError('invalid', `manifest of ${image} lacks a config or layers`);
  }
  const getBlob = async (d: Descriptor, what: string): Promise<Buffer> => {
    if (!isDigest(d.digest)) throw new RegistryClientError('invalid', `${what} of ${image} has an invalid digest`);
    const res = await session.request('GET', `/v2/${ref.path}/blobs/${d.digest}`);
    if (!res.ok) throw await failure(res, `pulling ${what} of ${image}`);
    return verified(await readBody(res, max, `${what} of ${image}`), d.digest, `${what} of ${image}`);
  };
  const config = await getBlob(manifest.config, 'config');
  const layers = await Promise.all(manifest.layers.map((l, i) => getBlob(l, `layer ${i}`)));
  return {
    reference: ref,
    digest: top.digest,
    manifestDigest: current.digest,
    mediaType: current.mediaType,
    manifest,
    manifestBytes: current.body,
    config,
    configDigest: manifest.config.digest,
    layers,
    layerDescriptors: manifest.layers,
  };
}

/**
 * Pulls an image: resolves the reference, picks the platform from an index, fetches config and layers and
 * checks each digest. Tries each matching credential in turn (the kubelet tries every keyring match) and
 * anonymous access when none matches.
 */
export async function pullImage(image: string, options: ClientOptions = {}): Promise<PulledImage> {
  const ref = parseRef(image);
  assertAllowed(ref.domain, `image ${JSON.stringify(image)}`, options);
  let last: unknown;
  for (const creds of credentialCandidates(ref, options)) {
    try {
      return await pullWith(ref, new RegistrySession(ref.domain, ref.path, creds, 'pull', options), options);
    } catch (error) {
      last = error;
      if (!(error instanceof RegistryClientError) || (error.kind !== 'unauthorized' && error.kind !== 'denied')) throw error;
    }
  }
  throw last;
}

/** Pushes blobs (skipping those the registry has) and then the manifest under the reference's tag or digest. */
export async function pushImage(image: string, content: PushableImage, options: ClientOptions = {}): Promise<{ digest: Digest }> {
  const ref = parseRef(image);
  assertAllowed(ref.domain, `image ${JSON.stringify(image)}`, options);
  const creds = credentialCandidates(ref, options)[0];
  const session = new RegistrySession(ref.domain, ref.path, creds, 'pull,push', options);
  for (const [digest, data] of content.blobs) {
    const head = await session.request('HEAD', `/v2/${ref.path}/blobs/${digest}`);
    await head.body?.cancel();
    if (head.ok) continue;
    if (head.status !== 404) throw await failure(head, `checking blob ${digest} of ${image}`);
    // an empty body, so fetch itself sends Content-Length: 0 (a hand-set header breaks other fetch dispatchers)
    const start = await session.request('POST', `/v2/${ref.path}/blobs/uploads/`, { body: Buffer.alloc(0) });
    await start.body?.cancel();
    const location = start.headers.get('location');
    if (start.status !== 202 || !location) throw await failure(start, `starting upload of ${digest} to ${image}`);
    const target = new URL(location, session.url('/'));
    target.searchParams.set('digest', digest);
    const done = await session.request('PUT', target.toString(), {
      headers: { 'Content-Type': 'application/octet-stream' },
      body: data,
    });
    if (done.status !== 201) throw await failure(done, `uploading blob ${digest} to ${image}`);
    await done.body?.cancel();
  }
  const reference = ref.digest ?? ref.tag ?? 'latest';
  const res = await session.request('PUT', `/v2/${ref.path}/manifests/${reference}`, {
    headers: { 'Content-Type': content.mediaType },
    body: content.manifestBytes,
  });
  if (res.status !== 201) throw await failure(res, `pushing manifest of ${image}`);
  await res.body?.cancel();
  return { digest: sha256Digest(content.manifestBytes) };
}
