// The lab's registry: OCI Distribution spec v1.1 (opencontainers/distribution-spec spec.md) over node:http on 127.0.0.1,
// with registry:2-style Basic auth or the Docker token flow, and per-repository access rules.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AccessPolicy,
  formatScope,
  htpasswdLine,
  HtpasswdAuthenticator,
  parseBasicAuth,
  parseScope,
  redactUser,
  TokenIssuer,
  tokenAllows,
  type AccessRule,
  type Principal,
  type Scope,
  type TokenClaims,
} from './auth.js';
import { isDigest, looksLikeDigest, sha256Digest, type Digest } from './digest.js';
import { RegistryError } from './errors.js';
import { parseManifest, referencedDigests } from './manifest.js';
import { OCI_INDEX } from './media-types.js';
import { RegistryStorage, type StorageLimits, type UploadSession } from './storage.js';

export interface RegistryUser {
  username: string;
  password: string;
}

export interface RegistryOptions {
  /** Users with plain passwords (hashed with bcrypt at start), and/or an htpasswd file's text. */
  users?: readonly RegistryUser[];
  htpasswd?: string;
  access: readonly AccessRule[];
  /** 'basic' answers 401 with a Basic challenge like registry:2; 'token' with a Bearer challenge and a /token endpoint. */
  auth?: 'basic' | 'token';
  host?: '127.0.0.1';
  port?: number;
  storageDir?: string;
  limits?: Partial<StorageLimits>;
  realm?: string;
  service?: string;
  tokenTtlSeconds?: number;
  /** One line per request (method, path, status, redacted user); never credentials. */
  log?: (line: string) => void;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, the registry part of image references. */
  host: string;
  url: string;
  auth: 'basic' | 'token';
  storage: RegistryStorage;
  close(): Promise<void>;
}

// distribution/reference regexp.go: path components of a repository name.
const nameRe = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const tagRe = /^[\w][\w.-]{0,127}$/;

type Route =
  | { kind: 'ping' }
  | { kind: 'catalog' }
  | { kind: 'token' }
  | { kind: 'tags'; name: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'referrers'; name: string; digest: string };

/** Matches the raw path (no dot-segment resolution, so `..` and `%2F` reach the name check). */
function route(pathname: string): Route | undefined {
  if (pathname === '/v2/' || pathname === '/v2') return { kind: 'ping' };
  if (pathname === '/v2/_catalog') return { kind: 'catalog' };
  if (pathname === '/token') return { kind: 'token' };
  let m: RegExpExecArray | null;
  if ((m = /^\/v2\/(.+)\/tags\/list$/.exec(pathname))) return { kind: 'tags', name: m[1]! };
  if ((m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(pathname))) return { kind: 'manifest', name: m[1]!, reference: m[2]! };
  if ((m = /^\/v2\/(.+)\/blobs\/uploads\/?$/.exec(pathname))) return { kind: 'uploads', name: m[1]! };
  if ((m = /^\/v2\/(.+)\/blobs\/uploads\/([^/]+)$/.exec(pathname))) return { kind: 'upload', name: m[1]!, id: m[2]! };
  if ((m = /^\/v2\/(.+)\/blobs\/([^/]+)$/.exec(pathname))) return { kind: 'blob', name: m[1]!, digest: m[2]! };
  if ((m = /^\/v2\/(.+)\/referrers\/([^/]+)$/.exec(pathname))) return { kind: 'referrers', name: m[1]!, digest: m[2]! };
  return undefined;
}

function checkName(name: string): void {
  if (name.length > 255 || !nameRe.test(name)) {
    throw new RegistryError('NAME_INVALID', { name: name.slice(0, 300) }, { message: 'invalid repository name' });
  }
}

function checkDigest(value: string): Digest {
  if (!isDigest(value)) {
    throw new RegistryError('DIGEST_INVALID', { digest: value.slice(0, 200) }, {
      message: looksLikeDigest(value) ? 'unsupported digest algorithm' : 'invalid digest',
    });
  }
  return value;
}

/** Reads a request body chunk by chunk; a throwing sink stops reading (the connection is closed after the reply). */
function consumeBody(req: IncomingMessage, sink: (chunk: Buffer) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    let failed = false;
    const fail = (error: unknown) => {
      if (failed) return;
      failed = true;
      req.pause();
      reject(error);
    };
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      try {
        sink(chunk);
      } catch (error) {
        fail(error);
      }
    });
    req.on('end', () => {
      if (!failed) resolve();
    });
    req.on('error', fail);
    req.on('aborted', () => fail(new RegistryError('BLOB_UPLOAD_INVALID', null, { message: 'request aborted' })));
  });
}

async function readLimited(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  await consumeBody(req, (chunk) => {
    size += chunk.length;
    if (size > limit) throw new RegistryError('SIZE_INVALID', { limit }, { message: `body exceeds the limit of ${limit} bytes`, status: 413 });
    chunks.push(chunk);
  });
  return Buffer.concat(chunks, size);
}

/** `n` and `last` of the spec's paginated listings ("Listing Tags", catalog). */
function paginate(all: string[], query: URLSearchParams, link: string, res: ServerResponse): string[] {
  const nText = query.get('n');
  const last = query.get('last');
  let items = last === null ? all : all.filter((t) => t > last);
  if (nText !== null) {
    if (!/^\d{1,9}$/.test(nText)) throw new RegistryError('PAGINATION_NUMBER_INVALID', { n: nText.slice(0, 20) });
    const n = Number(nText);
    if (items.length > n) {
      items = items.slice(0, n);
      const next = items.at(-1);
      if (next !== undefined) res.setHeader('Link', `<${link}?n=${n}&last=${encodeURIComponent(next)}>; rel="next"`);
    }
  }
  return items;
}

function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined; // not a single range we understand: serve it whole (RFC 9110 allows)
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const mode = options.auth ?? 'basic';
  const realm = options.realm ?? 'image-heist';
  const service = options.service ?? 'image-heist-registry';
  const htpasswd = [options.htpasswd ?? '', ...(options.users ?? []).map((u) => htpasswdLine(u.username, u.password))].join('\n');
  const authenticator = new HtpasswdAuthenticator(htpasswd);
  const policy = new AccessPolicy(options.access);
  const tokens = new TokenIssuer(service, options.tokenTtlSeconds);
  const storage = new RegistryStorage(options.limits, options.storageDir);
  let baseUrl = '';
  /** Who made each request, for the access log (usernames are hashed there, never printed). */
  const callers = new WeakMap<IncomingMessage, Principal>();

  /** The caller behind a request, or a 401 for credentials that do not check out. */
  async function principalOf(req: IncomingMessage, scopes: Scope[]): Promise<{ principal: Principal; claims?: TokenClaims }> {
    const header = req.headers.authorization;
    if (mode === 'token') {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      const claims = m ? tokens.verify(m[1]!) : undefined;
      if (!claims) throw unauthorized(scopes, header !== undefined && m !== null);
      return { principal: claims.sub === '' ? {} : { username: claims.sub }, claims };
    }
    const basic = parseBasicAuth(header);
    // Some clients send "Basic :" (empty user and password) when they have no credentials: that is anonymous.
    if (!basic || (basic.username === '' && basic.password === '')) {
      if (header !== undefined && !basic) throw unauthorized(scopes, true);
      return { principal: {} };
    }
    if (!(await authenticator.verify(basic.username, basic.password))) throw unauthorized(scopes, true);
    return { principal: { username: basic.username } };
  }

  function unauthorized(scopes: Scope[], invalid: boolean, insufficientScope = false): RegistryError {
    const scope = scopes.map(formatScope).join(' ');
    const challenge =
      mode === 'basic'
        ? `Basic realm="${realm}"`
        : `Bearer realm="${baseUrl}/token",service="${service}"${scope ? `,scope="${scope}"` : ''}${
            insufficientScope ? ',error="insufficient_scope"' : invalid ? ',error="invalid_token"' : ''
          }`;
    const detail = scopes.flatMap((s) => s.actions.map((a) => ({ Type: s.type, Name: s.name, Action: a })));
    const error = new RegistryError('UNAUTHORIZED', detail.length > 0 ? detail : null);
    (error as RegistryError & { challenge?: string }).challenge = challenge;
    return error;
  }

  /** 401 with a challenge for anonymous callers or too-narrow tokens; 403 DENIED for users who lack the right. */
  async function authorize(req: IncomingMessage, scope: Scope | undefined): Promise<Principal> {
    const scopes = scope ? [scope] : [];
    const { principal, claims } = await principalOf(req, scopes);
    callers.set(req, principal);
    if (!scope) {
      if (mode === 'basic' && principal.username === undefined) throw unauthorized(scopes, false);
      return principal;
    }
    const held = policy.granted(principal, scope);
    const missing = scope.actions.filter((a) => !held.includes(a));
    if (claims && missing.length === 0 && !scope.actions.every((a) => tokenAllows(claims, scope, a))) {
      throw unauthorized(scopes, false, true); // the user may, but this token was not issued for it: ask for a new one
    }
    if (missing.length === 0) return principal;
    if (principal.username === undefined) throw unauthorized(scopes, false, mode === 'token');
    throw new RegistryError('DENIED', scope.actions.map((a) => ({ Type: scope.type, Name: scope.name, Action: a })));
  }

  async function handleToken(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    if (mode !== 'token') throw new RegistryError('UNSUPPORTED', null, { message: 'this registry uses Basic authentication', status: 404 });
    let username: string | undefined;
    let password: string | undefined;
    let scopeTexts = query.getAll('scope');
    let oauth = false;
    if (req.method === 'POST') {
      // OAuth2 password grant (distribution docs/spec/auth/oauth.md), as containerd sends when it has a password.
      const form = new URLSearchParams((await readLimited(req, 64 * 1024)).toString('utf8'));
      if (form.get('grant_type') !== 'password') {
        res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'unsupported_grant_type' }));
        return;
      }
      oauth = true;
      username = form.get('username') ?? '';
      password = form.get('password') ?? '';
      scopeTexts = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
    } else if (req.method === 'GET') {
      const basic = parseBasicAuth(req.headers.authorization);
      if (basic && !(basic.username === '' && basic.password === '')) ({ username, password } = basic);
    } else {
      throw new RegistryError('UNSUPPORTED');
    }
    if (username !== undefined && password !== undefined && !(await authenticator.verify(username, password))) {
      const error = new RegistryError('UNAUTHORIZED', null, { message: 'invalid username or password' });
      (error as RegistryError & { challenge?: string }).challenge = `Basic realm="${realm}"`;
      throw error;
    }
    const principal: Principal = username === undefined ? {} : { username };
    const access = scopeTexts
      .map(parseScope)
      .filter((s): s is Scope => s !== undefined)
      .map((s) => ({ type: s.type, name: s.name, actions: policy.granted(principal, s) }));
    const { token, claims } = tokens.issue(username ?? '', access);
    const issued = new Date(claims.iat * 1000).toISOString();
    const body = oauth
      ? { access_token: token, expires_in: tokens.ttlSeconds, issued_at: issued, scope: scopeTexts.join(' ') }
      : { token, access_token: token, expires_in: tokens.ttlSeconds, issued_at: issued };
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }

  function uploadHeaders(res: ServerResponse, name: string, session: UploadSession): void {
    res.setHeader('Location', `/v2/${name}/blobs/uploads/${session.id}`);
    res.setHeader('Range', `0-${Math.max(0, session.size - 1)}`);
    res.setHeader('Docker-Upload-UUID', session.id);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
    const method = req.method ?? 'GET';
    const r = route(pathname);
    if (!r) throw new RegistryError('UNSUPPORTED', { path: pathname.slice(0, 200) }, { message: 'not found', status: 404 });
    if ('name' in r) checkName(r.name);
    const repo = (actions: string[]): Scope => ({ type: 'repository', name: (r as { name: string }).name, actions });
    const is = (...methods: string[]) => methods.includes(method);

    switch (r.kind) {
      case 'ping': {
        if (!is('GET', 'HEAD')) throw new RegistryError('UNSUPPORTED');
        await authorize(req, undefined);
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 }).end(method === 'HEAD' ? undefined : '{}');
        return;
      }
      case 'token':
        return handleToken(req, res, query);
      case 'catalog': {
        if (!is('GET')) throw new RegistryError('UNSUPPORTED');
        await authorize(req, { type: 'registry', name: 'catalog', actions: ['*'] });
        const repositories = paginate(storage.catalog(), query, '/v2/_catalog', res);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ repositories }));
        return;
      }
      case 'tags': {
        if (!is('GET')) throw new RegistryError('UNSUPPORTED');
        await authorize(req, repo(['pull']));
        const all = storage.tags(r.name);
        if (!all) throw new RegistryError('NAME_UNKNOWN', { name: r.name });
        const tags = paginate(all, query, `/v2/${r.name}/tags/list`, res);
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ name: r.name, tags }));
        return;
      }
      case 'manifest': {
        const byDigest = r.reference.includes(':');
        if (byDigest) checkDigest(r.reference);
        else if (!tagRe.test(r.reference)) {
          throw new RegistryError(is('PUT') ? 'MANIFEST_INVALID' : 'MANIFEST_UNKNOWN', { tag: r.reference.slice(0, 200) }, { message: 'invalid tag' });
        }
        if (is('GET', 'HEAD')) {
          await authorize(req, repo(['pull']));
          const m = storage.getManifest(r.name, r.reference);
          if (!m) throw new RegistryError('MANIFEST_UNKNOWN', { name: r.name, reference: r.reference });
          res.writeHead(200, {
            'Content-Type': m.mediaType,
            'Content-Length': m.body.length,
            'Docker-Content-Digest': m.digest,
            ETag: `"${m.digest}"`,
          });
          res.end(method === 'HEAD' ? undefined : m.body);
          return;
        }
        if (is('PUT')) {
          await authorize(req, repo(['pull', 'push']));
          const body = await readLimited(req, storage.limits.maxManifestBytes);
          const parsed = parseManifest(body, req.headers['content-type']);
          const digest = sha256Digest(body);
          if (byDigest && r.reference !== digest) throw new RegistryError('DIGEST_INVALID', { expected: r.reference, actual: digest });
          const refs = referencedDigests(parsed);
          for (const d of refs.blobs) if (!storage.hasBlob(r.name, d)) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { digest: d });
          for (const d of refs.manifests) if (!storage.hasManifest(r.name, d)) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { digest: d });
          const subject = parsed.manifest.subject?.digest;
          storage.putManifest(r.name, { digest, mediaType: parsed.mediaType, body, ...(subject ? { subject } : {}) }, byDigest ? undefined : r.reference);
          if (subject) res.setHeader('OCI-Subject', subject);
          res.writeHead(201, { Location: `/v2/${r.name}/manifests/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 }).end();
          return;
        }
        if (is('DELETE')) {
          await authorize(req, repo(['delete']));
          if (!storage.deleteManifest(r.name, r.reference)) throw new RegistryError('MANIFEST_UNKNOWN', { name: r.name, reference: r.reference });
          res.writeHead(202, { 'Content-Length': 0 }).end();
          return;
        }
        throw new RegistryError('UNSUPPORTED');
      }
      case 'blob': {
        const digest = checkDigest(r.digest);
        if (is('GET', 'HEAD')) {
          await authorize(req, repo(['pull']));
          if (!storage.hasBlob(r.name, digest)) throw new RegistryError('BLOB_UNKNOWN', { digest });
          const size = storage.blobSize(digest)!;
          const headers: Record<string, string | number> = {
            'Content-Type': 'application/octet-stream',
            'Docker-Content-Digest': digest,
            'Accept-Ranges': 'bytes',
            ETag: `"${digest}"`,
          };
          const range = req.headers.range === undefined ? undefined : parseRange(req.headers.range, size);
          if (range === 'unsatisfiable') {
            res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 }).end();
            return;
          }
          if (method === 'HEAD') {
            res.writeHead(200, { ...headers, 'Content-Length': size }).end();
            return;
          }
          const { start, end } = range ?? { start: 0, end: size - 1 };
          res.writeHead(range ? 206 : 200, {
            ...headers,
            ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
            'Content-Length': size === 0 ? 0 : end - start + 1,
          });
          if (size === 0) {
            res.end();
            return;
          }
          const body = storage.openBlob(digest, start, end);
          if (Buffer.isBuffer(body)) res.end(body);
          else {
            body.on('error', () => res.destroy());
            body.pipe(res);
          }
          return;
        }
        if (is('DELETE')) {
          await authorize(req, repo(['delete']));
          if (!storage.unlinkBlob(r.name, digest)) throw new RegistryError('BLOB_UNKNOWN', { digest });
          res.writeHead(202, { 'Content-Length': 0 }).end();
          return;
        }
        throw new RegistryError('UNSUPPORTED');
      }
      case 'uploads': {
        if (!is('POST')) throw new RegistryError('UNSUPPORTED');
        await authorize(req, repo(['pull', 'push']));
        const mount = query.get('mount');
        const from = query.get('from');
        if (mount !== null && from !== null && isDigest(mount) && nameRe.test(from)) {
          // Mount only what the caller could pull from the source repository; otherwise fall through to an upload.
          const allowed = await authorize(req, { type: 'repository', name: from, actions: ['pull'] }).then(() => true, () => false);
          if (allowed && storage.mountBlob(r.name, from, mount)) {
            res.writeHead(201, { Location: `/v2/${r.name}/blobs/${mount}`, 'Docker-Content-Digest': mount, 'Content-Length': 0 }).end();
            return;
          }
        }
        const wanted = query.get('digest');
        const session = storage.startUpload(r.name);
        if (wanted !== null) {
          const digest = checkDigest(wanted);
          try {
            await consumeBody(req, (chunk) => storage.appendUpload(session, chunk));
            await storage.finishUpload(session, digest);
          } finally {
            storage.cancelUpload(session);
          }
          res.writeHead(201, { Location: `/v2/${r.name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 }).end();
          return;
        }
        await consumeBody(req, (chunk) => storage.appendUpload(session, chunk));
        uploadHeaders(res, r.name, session);
        res.writeHead(202, { 'Content-Length': 0 }).end();
        return;
      }
      case 'upload': {
        await authorize(req, repo(['pull', 'push']));
        const session = storage.getUpload(r.name, r.id);
        if (is('GET')) {
          uploadHeaders(res, r.name, session);
          res.writeHead(204).end();
          return;
        }
        if (is('DELETE')) {
          storage.cancelUpload(session);
          res.writeHead(204).end();
          return;
        }
        if (is('PATCH', 'PUT')) {
          const contentRange = req.headers['content-range'];
          if (method === 'PATCH' && contentRange !== undefined) {
            const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(contentRange.trim());
            if (!m || Number(m[1]) !== session.size) {
              uploadHeaders(res, r.name, session);
              throw new RegistryError('BLOB_UPLOAD_INVALID', { range: contentRange.slice(0, 60), offset: session.size }, { message: 'chunk out of order', status: 416 });
            }
          }
          const digestText = method === 'PUT' ? query.get('digest') : null;
          if (method === 'PUT' && (digestText === null || !isDigest(digestText))) {
            throw new RegistryError('DIGEST_INVALID', { digest: digestText?.slice(0, 200) ?? null }, { message: 'digest missing or invalid' });
          }
          await consumeBody(req, (chunk) => storage.appendUpload(session, chunk));
          if (method === 'PATCH') {
            uploadHeaders(res, r.name, session);
            res.writeHead(202, { 'Content-Length': 0 }).end();
            return;
          }
          const digest = digestText as Digest;
          await storage.finishUpload(session, digest);
          res.writeHead(201, { Location: `/v2/${r.name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 }).end();
          return;
        }
        throw new RegistryError('UNSUPPORTED');
      }
      case 'referrers': {
        if (!is('GET')) throw new RegistryError('UNSUPPORTED');
        const digest = checkDigest(r.digest);
        await authorize(req, repo(['pull']));
        const manifests = storage.referrers(r.name, digest).map((m) => {
          const body = JSON.parse(m.body.toString('utf8')) as { artifactType?: string; config?: { mediaType?: string }; annotations?: Record<string, string> };
          const artifactType = body.artifactType ?? body.config?.mediaType;
          return { mediaType: m.mediaType, digest: m.digest, size: m.body.length, ...(artifactType ? { artifactType } : {}), ...(body.annotations ? { annotations: body.annotations } : {}) };
        });
        res.writeHead(200, { 'Content-Type': OCI_INDEX }).end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    handle(req, res)
      .catch((error: unknown) => {
        const e = error instanceof RegistryError ? error : new RegistryError('UNKNOWN');
        if (!(error instanceof RegistryError)) options.log?.(`registry: internal error: ${error instanceof Error ? error.message : String(error)}`);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const challenge = (e as RegistryError & { challenge?: string }).challenge;
        if (challenge) res.setHeader('WWW-Authenticate', challenge);
        const body = e.toBody();
        if (!req.complete) {
          // The body was not read to its end (limit hit): answer, then drop the connection rather than drain it.
          res.setHeader('Connection', 'close');
          res.on('finish', () => req.socket.destroy());
        }
        res.writeHead(e.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      })
      .finally(() => {
        if (options.log) {
          options.log(`${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode} ${redactUser(callers.get(req)?.username)}`);
        }
      });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  baseUrl = `http://${host}`;
  return {
    host,
    url: baseUrl,
    auth: mode,
    storage,
    close: () =>
      new Promise<void>((resolve) => {
        storage.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
