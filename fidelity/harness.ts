// The two sides of the differential suite — a real kube-apiserver (control-plane.ts) and the embedded one
// (startApiServer) — started with the same profile, users, tokens and serving certificate, and the three ways
// the suite talks to them: real kubectl, @kubernetes/client-node (the engine's driver), and raw HTTPS.
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiException, CoreV1Api, KubeConfig, RbacAuthorizationV1Api, AuthorizationV1Api } from '@kubernetes/client-node';
import { execa } from 'execa';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { randomToken, type TokenUser } from '../src/embedded/apiserver/authn.js';
import { renderKubeconfig } from '../src/embedded/apiserver/kubeconfig.js';
import { admissionPluginsFor, startApiServer } from '../src/embedded/apiserver/server.js';
import { generateServingCertificate } from '../src/embedded/apiserver/tls.js';
import type { Profile } from '../src/lab/profiles.js';
import { createDefaultServiceAccount, httpsRequest, startControlPlane } from './control-plane.js';
import { diff, normalize, normalizeText, type Difference, type Json } from './normalize.js';
import { classify, type KnownDifference } from './known-differences.js';

export type SideName = 'real' | 'embedded';

export interface Side {
  name: SideName;
  url: string;
  caPem: string;
  kubeconfig: string;
  kubeconfigFile: string;
  users: readonly TokenUser[];
  pids: number[];
  /** What the missing kube-controller-manager would do for a namespace the suite created (real side only). */
  namespaceCreated(namespace: string): Promise<void>;
  close(): Promise<void>;
}

export const tenants = [
  { user: 'admin1', namespace: 'tenant-a' },
  { user: 'admin2', namespace: 'tenant-b' },
] as const;

export interface Pair {
  real: Side;
  embedded: Side;
  dir: string;
  close(): Promise<void>;
}

/** Starts both servers for `profile`, with the same random tokens and the same CA/serving certificate. */
export async function startPair(profile: Profile): Promise<Pair> {
  const dir = await mkdtemp(path.join(tmpdir(), `image-heist-fidelity-${profile.name}-`));
  const users: TokenUser[] = ['admin', 'admin1', 'admin2'].map((name) => ({ name, token: randomToken() }));
  const tls = await generateServingCertificate();
  const kubeconfigFor = (url: string) =>
    renderKubeconfig({
      server: url,
      caPem: tls.caPem,
      users: users.map((u) => ({ ...u, ...(u.name === 'admin1' ? { namespace: 'tenant-a' } : u.name === 'admin2' ? { namespace: 'tenant-b' } : {}) })),
    });
  const sides: Side[] = [];
  const closeAll = async () => {
    for (const s of sides) await s.close();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const real = await startControlPlane({
      admissionPlugins: profile.enableAdmissionPlugins,
      users,
      clusterAdmins: ['admin'],
      tenants,
      tls,
    });
    const realSide: Side = {
      name: 'real',
      url: real.url,
      caPem: tls.caPem,
      kubeconfig: kubeconfigFor(real.url),
      kubeconfigFile: path.join(dir, 'real.kubeconfig'),
      users,
      pids: real.pids,
      namespaceCreated: (ns) => createDefaultServiceAccount(real.url, tls.caPem, users[0]!.token, ns),
      close: () => real.close(),
    };
    sides.push(realSide);
    const embedded = await startApiServer({ admissionPlugins: admissionPluginsFor(profile.enableAdmissionPlugins), users, tls, tenants });
    const embeddedSide: Side = {
      name: 'embedded',
      url: embedded.url,
      caPem: tls.caPem,
      kubeconfig: kubeconfigFor(embedded.url),
      kubeconfigFile: path.join(dir, 'embedded.kubeconfig'),
      users,
      pids: [],
      namespaceCreated: async () => {},
      close: () => embedded.close(),
    };
    sides.push(embeddedSide);
    for (const s of sides) await writeFile(s.kubeconfigFile, s.kubeconfig, { mode: 0o600 });
    return { real: realSide, embedded: embeddedSide, dir, close: closeAll };
  } catch (error) {
    await closeAll();
    throw error;
  }
}

export function token(side: Side, user: string): string {
  return side.users.find((u) => u.name === user)!.token;
}

/** Secret values never reach a report: each is replaced by a short hash (equal values still compare equal). */
function redact(value: unknown, secrets: readonly string[]): unknown {
  const hash = (s: string) => `<redacted:${createHash('sha256').update(s).digest('hex').slice(0, 12)}>`;
  const walk = (v: unknown, inSecretData: boolean): unknown => {
    if (typeof v === 'string') {
      if (inSecretData) return hash(v);
      return secrets.reduce((s, secret) => s.split(secret).join('<redacted>'), v);
    }
    if (Array.isArray(v)) return v.map((x) => walk(x, false));
    if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      const isSecret = o.kind === 'Secret';
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, walk(x, isSecret && (k === 'data' || k === 'stringData') ? true : inSecretData && typeof x === 'string')]));
    }
    return v;
  };
  return walk(value, false);
}

export interface KubectlResult {
  exitCode: number;
  stdout: Json;
  stderr: string[];
}

/**
 * Real kubectl against `side` (temporary kubeconfig, fresh cache dir, never ~/.kube). `output: 'json'|'yaml'`
 * parses stdout so it is compared field by field; otherwise stdout is compared line by line.
 */
export async function kubectl(
  side: Side,
  args: readonly string[],
  options: { input?: string; output?: 'json' | 'yaml' | 'text'; cwd?: string; secrets?: readonly string[] } = {},
): Promise<KubectlResult> {
  const cache = await mkdtemp(path.join(tmpdir(), 'kubectl-cache-'));
  try {
    const r = await execa('kubectl', ['--kubeconfig', side.kubeconfigFile, '--cache-dir', cache, ...args], {
      reject: false,
      timeout: 60_000,
      env: { KUBECONFIG: side.kubeconfigFile, HOME: cache },
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' as const }),
    });
    const secrets = options.secrets ?? [];
    const ctx = { url: side.url };
    let stdout: Json;
    const out = String(redact(r.stdout, secrets));
    if (options.output === 'json' && r.exitCode === 0) stdout = normalize(redact(JSON.parse(r.stdout), secrets), ctx);
    else if (options.output === 'yaml' && r.exitCode === 0) {
      const docs = parseAllDocuments(r.stdout).map((d) => d.toJS() as unknown);
      stdout = normalize(redact(docs.length === 1 ? docs[0] : docs, secrets), ctx);
    } else stdout = normalizeText(out, ctx);
    return { exitCode: r.exitCode ?? -1, stdout, stderr: normalizeText(String(redact(r.stderr, secrets)), ctx) };
  } finally {
    await rm(cache, { recursive: true, force: true });
  }
}

export interface RawResult {
  status: number;
  body: Json;
}

/** One HTTPS request as `user`, the answer parsed (JSON or text) and normalized. */
export async function raw(side: Side, user: string, method: string, urlPath: string, body?: unknown, contentType?: string, accept?: string): Promise<RawResult> {
  const r = await httpsRequest(`${side.url}${urlPath}`, {
    caPem: side.caPem,
    token: token(side, user),
    method,
    ...(body !== undefined ? { body } : {}),
    ...(contentType ? { contentType } : {}),
    ...(accept ? { accept } : {}),
  });
  let parsed: unknown = r.body;
  try {
    parsed = JSON.parse(r.body);
  } catch {
    /* text */
  }
  return { status: r.status, body: normalize(parsed, { url: side.url }) };
}

export interface Clients {
  core: CoreV1Api;
  rbac: RbacAuthorizationV1Api;
  authz: AuthorizationV1Api;
}

/** A client-node call as `user`: the typed answer, or the ApiException's code and Status body. */
export async function client(side: Side, user: string, call: (c: Clients) => Promise<unknown>): Promise<Json> {
  const kc = new KubeConfig();
  kc.loadFromString(side.kubeconfig);
  kc.setCurrentContext(user);
  const clients = { core: kc.makeApiClient(CoreV1Api), rbac: kc.makeApiClient(RbacAuthorizationV1Api), authz: kc.makeApiClient(AuthorizationV1Api) };
  try {
    return normalize({ ok: await call(clients) }, { url: side.url });
  } catch (error) {
    if (error instanceof ApiException) {
      const e = error as ApiException<unknown>;
      let body: unknown = e.body;
      if (typeof body === 'string') {
        try {
          body = JSON.parse(body);
        } catch {
          /* text */
        }
      }
      return normalize({ error: { code: e.code, body } }, { url: side.url });
    }
    throw error;
  }
}

export interface Comparison {
  profile: string;
  title: string;
  matched: boolean;
  /** Differences explained by known-differences.ts, by id. */
  documented: { id: string; path: string }[];
  undocumented: Difference[];
}

export class Recorder {
  readonly results: Comparison[] = [];
  constructor(
    private readonly pair: () => Pair,
    readonly profile: string,
  ) {}

  /** Runs `step` on the real server, then on the embedded one, and compares the normalized answers. */
  async compare(title: string, step: (side: Side) => Promise<Json | KubectlResult | RawResult>): Promise<Comparison> {
    const { real, embedded } = this.pair();
    const a = (await step(real)) as Json;
    const b = (await step(embedded)) as Json;
    const differences = diff(a, b);
    const { documented, undocumented } = classify(title, differences);
    const c: Comparison = {
      profile: this.profile,
      title,
      matched: differences.length === 0,
      documented: documented.map((d) => ({ id: d.known.id, path: d.difference.path })),
      undocumented,
    };
    this.results.push(c);
    return c;
  }
}

export function yamlDocs(text: string): unknown[] {
  return parseAllDocuments(text).map((d) => d.toJS() as unknown);
}
export { parseYaml, type KnownDifference };
