// A real control plane on 127.0.0.1 for the differential suite: etcd plus kube-apiserver (built by build.ts),
// with the lab's serving certificate, fresh service-account keys, static bearer tokens for the lab's users, the
// profile's --enable-admission-plugins, and the same RBAC objects the embedded lab seeds (lab-rbac.ts).
// There is no kube-controller-manager, so the `default` ServiceAccounts its serviceaccounts controller would
// add are created here, as the embedded server's namespace watch does.
import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TokenUser } from '../src/embedded/apiserver/authn.js';
import type { ServingCertificate } from '../src/embedded/apiserver/tls.js';
import { TENANT_ADMIN_RULES } from '../src/lab/tenant-role.js';
import { binaryPath } from './build.js';

export interface RealControlPlane {
  url: string;
  /** Processes started (for the "nothing left running" check). */
  pids: number[];
  /** kube-apiserver's log, for a failing test's message. */
  logTail(lines?: number): Promise<string>;
  close(): Promise<void>;
}

export interface ControlPlaneOptions {
  admissionPlugins: readonly string[];
  users: readonly TokenUser[];
  clusterAdmins: readonly string[];
  tenants: readonly { user: string; namespace: string }[];
  tls: ServingCertificate;
  /** Extra kube-apiserver flags (e.g. feature gates). */
  extraArgs?: readonly string[];
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** One HTTPS request with a bearer token, verifying the lab CA; resolves status and body text. */
export function httpsRequest(
  url: string,
  options: { caPem: string; token?: string; method?: string; body?: unknown; contentType?: string; accept?: string; timeoutMs?: number },
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const req = request(
      url,
      {
        method: options.method ?? 'GET',
        ca: options.caPem,
        timeout: options.timeoutMs ?? 10_000,
        headers: {
          Accept: options.accept ?? 'application/json',
          ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
          ...(payload !== undefined ? { 'Content-Type': options.contentType ?? 'application/json' } : {}),
        },
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout: ${options.method ?? 'GET'} ${url}`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

function startProcess(binary: string, args: string[], logFile: string): ChildProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile);
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  child.on('error', (e) => log.write(`spawn ${binary}: ${e.message}\n`));
  return child;
}

async function stopProcess(child: ChildProcess, timeoutMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  await exited;
  clearTimeout(timer);
}

export { alive as isRunning } from '../test/support/processes.js';

async function waitFor(what: string, check: () => Promise<boolean>, child: ChildProcess, logFile: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      const log = await readFile(logFile, 'utf8').catch(() => '');
      throw new Error(`${what} exited with ${child.exitCode}:\n${log.split('\n').slice(-30).join('\n')}`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  const log = await readFile(logFile, 'utf8').catch(() => '');
  throw new Error(`${what} not ready after ${timeoutMs / 1000}s:\n${log.split('\n').slice(-30).join('\n')}`);
}

export async function startControlPlane(options: ControlPlaneOptions): Promise<RealControlPlane> {
  const dir = await mkdtemp(path.join(tmpdir(), 'image-heist-fidelity-'));
  const children: ChildProcess[] = [];
  const close = async () => {
    for (const c of [...children].reverse()) await stopProcess(c);
    await rm(dir, { recursive: true, force: true });
  };
  // A crashed test run must not leave the control plane behind.
  const onExit = () => children.forEach((c) => c.kill('SIGKILL'));
  process.once('exit', onExit);
  try {
    const [clientPort, peerPort, securePort] = [await freePort(), await freePort(), await freePort()];
    const etcdLog = path.join(dir, 'etcd.log');
    const etcd = startProcess(
      binaryPath('etcd'),
      [
        '--name=fidelity',
        `--data-dir=${path.join(dir, 'etcd')}`,
        `--listen-client-urls=http://127.0.0.1:${clientPort}`,
        `--advertise-client-urls=http://127.0.0.1:${clientPort}`,
        `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
        `--initial-cluster=fidelity=http://127.0.0.1:${peerPort}`,
        '--log-level=warn',
        '--quota-backend-bytes=268435456',
        '--unsafe-no-fsync',
      ],
      etcdLog,
    );
    children.push(etcd);
    await waitFor('etcd', async () => (await fetch(`http://127.0.0.1:${clientPort}/health`)).ok, etcd, etcdLog, 60_000);

    const files = {
      cert: path.join(dir, 'serving.crt'),
      key: path.join(dir, 'serving.key'),
      tokens: path.join(dir, 'tokens.csv'),
      saKey: path.join(dir, 'sa.key'),
      saPub: path.join(dir, 'sa.pub'),
    };
    const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // A bootstrap identity in system:masters only for seeding the lab's RBAC; the lab's own users get exactly
    // the bindings the embedded lab gives them.
    const bootstrap = { name: 'fidelity-bootstrap', token: randomBytes(32).toString('hex') };
    await Promise.all([
      writeFile(files.cert, `${options.tls.certPem.trim()}\n${options.tls.caPem.trim()}\n`, { mode: 0o600 }),
      writeFile(files.key, options.tls.keyPem, { mode: 0o600 }),
      writeFile(
        files.tokens,
        [
          ...options.users.map((u, i) => `${u.token},${u.name},uid-${i}${u.groups?.length ? `,"${u.groups.join(',')}"` : ''}`),
          `${bootstrap.token},${bootstrap.name},uid-bootstrap,"system:masters"`,
        ].join('\n') + '\n',
        { mode: 0o600 },
      ),
      writeFile(files.saKey, sa.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 }),
      writeFile(files.saPub, sa.publicKey.export({ type: 'spki', format: 'pem' })),
    ]);
    const apiLog = path.join(dir, 'kube-apiserver.log');
    const api = startProcess(
      binaryPath('kube-apiserver'),
      [
        `--etcd-servers=http://127.0.0.1:${clientPort}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${securePort}`,
        `--cert-dir=${path.join(dir, 'certs')}`,
        `--tls-cert-file=${files.cert}`,
        `--tls-private-key-file=${files.key}`,
        `--token-auth-file=${files.tokens}`,
        '--authorization-mode=Node,RBAC',
        `--enable-admission-plugins=${options.admissionPlugins.join(',')}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${files.saPub}`,
        `--service-account-signing-key-file=${files.saKey}`,
        '--service-cluster-ip-range=10.96.0.0/16',
        '--allow-privileged=true',
        '--enable-priority-and-fairness=false',
        '--profiling=false',
        '--v=1',
        ...(options.extraArgs ?? []),
      ],
      apiLog,
    );
    children.push(api);
    const url = `https://127.0.0.1:${securePort}`;
    await waitFor('kube-apiserver', async () => (await httpsRequest(`${url}/readyz`, { caPem: options.tls.caPem, token: bootstrap.token })).status === 200, api, apiLog, 180_000);
    const call = async (p: string, body: unknown) => {
      const r = await httpsRequest(`${url}${p}`, { caPem: options.tls.caPem, token: bootstrap.token, method: 'POST', body });
      if (r.status !== 201 && r.status !== 409) throw new Error(`seeding ${p}: ${r.status} ${r.body}`);
    };
    // The same objects lab-rbac.ts seeds (upstream's bootstrap roles are already there).
    for (const admin of options.clusterAdmins) {
      await call('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRoleBinding',
        metadata: { name: `${admin}-cluster-admin` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: admin }],
      });
    }
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) await ensureDefaultServiceAccount(ns);
    for (const { user, namespace } of options.tenants) {
      await call('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
      await ensureDefaultServiceAccount(namespace);
      await call(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/roles`, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'tenant-admin', namespace },
        rules: TENANT_ADMIN_RULES,
      });
      await call(`/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `${user}-tenant-admin`, namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      });
    }
    async function ensureDefaultServiceAccount(namespace: string) {
      await createDefaultServiceAccount(url, options.tls.caPem, bootstrap.token, namespace);
    }
    return {
      url,
      pids: children.map((c) => c.pid!).filter((p) => p !== undefined),
      logTail: async (lines = 40) => (await readFile(apiLog, 'utf8').catch(() => '')).split('\n').slice(-lines).join('\n'),
      close: async () => {
        process.removeListener('exit', onExit);
        await close();
      },
    };
  } catch (error) {
    process.removeListener('exit', onExit);
    await close();
    throw error;
  }
}

/**
 * What kube-controller-manager would do for a new namespace: its serviceaccounts controller adds the `default`
 * ServiceAccount, its root-ca-cert-publisher the `kube-root-ca.crt` ConfigMap (which a pod's projected token volume
 * reads, so a kubelet can start the pod).
 */
export async function createDefaultServiceAccount(url: string, caPem: string, token: string, namespace: string): Promise<void> {
  const post = async (resource: string, body: unknown) => {
    const r = await httpsRequest(`${url}/api/v1/namespaces/${namespace}/${resource}`, { caPem, token, method: 'POST', body });
    if (r.status !== 201 && r.status !== 409) throw new Error(`${resource} in ${namespace}: ${r.status} ${r.body}`);
  };
  await post('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace } });
  await post('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kube-root-ca.crt', namespace }, data: { 'ca.crt': caPem } });
}
