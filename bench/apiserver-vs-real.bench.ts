// The embedded API server against a real kube-apiserver v1.36.3 + etcd (fidelity/: the binaries build.ts builds),
// on this machine, in one run, with the same users, certificate and requests over raw HTTPS (kept-alive
// connections, JSON): GET one pod, LIST 1,000 pods as JSON and as a Table (what `kubectl get` asks for), and a
// watch fanned out to 50 clients (from a create's answer to the ADDED event at the last of the 50 watchers).
// Plus `kubectl get pods -o json` of the 1,000 pods (kubectl's own start-up included on both sides).
// Ratio = real / embedded (> 1: the embedded server is faster). Without the binaries the bench says why and fails.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { Worker } from 'node:worker_threads';
import path from 'node:path';
import { execa } from 'execa';
import type { BenchLine } from './index.js';
import { randomToken, type TokenUser } from '../src/embedded/apiserver/authn.js';
import { renderKubeconfig } from '../src/embedded/apiserver/kubeconfig.js';
import { admissionPluginsFor, startApiServer } from '../src/embedded/apiserver/server.js';
import { generateServingCertificate } from '../src/embedded/apiserver/tls.js';
import { PROFILES } from '../src/lab/profiles.js';
import { buildUnavailableReason, isBuilt } from '../fidelity/build.js';
import { createDefaultServiceAccount, startControlPlane } from '../fidelity/control-plane.js';

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const ms = (v: number): string => `${v.toFixed(2)} ms`;

interface Target {
  name: 'real' | 'embedded';
  url: string;
  agent: Agent;
  token: string;
}

function call(t: Target, method: string, p: string, body?: unknown, accept = 'application/json'): Promise<{ code: number; body: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(p, t.url),
      {
        method,
        agent: t.agent,
        headers: { Authorization: `Bearer ${t.token}`, Accept: accept, ...(payload ? { 'Content-Type': 'application/json' } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

async function must(t: Target, method: string, p: string, body?: unknown, accept?: string): Promise<string> {
  const r = await call(t, method, p, body, accept);
  if (r.code >= 300) throw new Error(`${t.name} ${method} ${p}: ${r.code} ${r.body.slice(0, 300)}`);
  return r.body;
}

/** Samples of `fn`, alternating the two targets so load on the shared machine hits both alike. */
async function timeBoth(n: number, targets: Target[], fn: (t: Target) => Promise<unknown>): Promise<Map<string, number[]>> {
  const out = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  for (const t of targets) for (let i = 0; i < 3; i++) await fn(t); // warm-up
  for (let i = 0; i < n; i++) {
    for (const t of targets) {
      const start = performance.now();
      await fn(t);
      out.get(t.name)!.push(performance.now() - start);
    }
  }
  for (const s of out.values()) s.sort((a, b) => a - b);
  return out;
}

function lines(name: string, samples: Map<string, number[]>): BenchLine[] {
  const real = samples.get('real')!;
  const ours = samples.get('embedded')!;
  return (['p50', 'p99'] as const).map((q) => {
    const [r, e] = [quantile(real, q === 'p50' ? 0.5 : 0.99), quantile(ours, q === 'p50' ? 0.5 : 0.99)];
    return { name: `${name} ${q} (embedded vs real)`, value: `${ms(e)} vs ${ms(r)}`, ratio: r / e, target: '>= 1.0x the real server' };
  });
}

/**
 * 50 watchers on `namespace`, then `events` creates one after another; per create, the time from sending it to
 * the ADDED event at the last watcher. Runs in a worker thread: the clients' TLS and JSON work must not share the
 * embedded server's event loop (in a lab they are other processes: kubectl, client-node in the engine's worker).
 */
function watchFanOut(t: Target, caPem: string, namespace: string, clients: number, events: number): Promise<number[]> {
  const source = `
    const { parentPort, workerData: w } = require('node:worker_threads');
    const { Agent, request } = require('node:https');
    const agent = new Agent({ keepAlive: true, maxSockets: w.clients + 4, ca: w.caPem });
    const headers = { Authorization: 'Bearer ' + w.token, Accept: 'application/json' };
    const call = (method, path, body) => new Promise((resolve, reject) => {
      const req = request(new URL(path, w.url), { method, agent, headers: { ...headers, ...(body ? { 'Content-Type': 'application/json' } : {}) } }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () => (res.statusCode >= 300 ? reject(new Error(w.name + ' ' + method + ' ' + path + ': ' + res.statusCode + ' ' + text.slice(0, 200))) : resolve(text)));
      });
      req.on('error', reject);
      if (body) req.write(JSON.stringify(body));
      req.end();
    });
    (async () => {
      const seen = new Map();
      const waiters = new Map();
      const requests = [];
      const rv = JSON.parse(await call('GET', '/api/v1/namespaces/' + w.namespace + '/pods')).metadata.resourceVersion;
      await Promise.all(Array.from({ length: w.clients }, () => new Promise((resolve, reject) => {
        const req = request(new URL('/api/v1/namespaces/' + w.namespace + '/pods?watch=1&resourceVersion=' + rv, w.url), { agent, headers }, (res) => {
          if (res.statusCode !== 200) reject(new Error(w.name + ' watch: ' + res.statusCode));
          resolve();
          let buffer = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => {
            buffer += chunk;
            let nl;
            while ((nl = buffer.indexOf('\\n')) >= 0) {
              const line = buffer.slice(0, nl);
              buffer = buffer.slice(nl + 1);
              if (line.trim() === '') continue;
              const event = JSON.parse(line);
              const name = event.object && event.object.metadata && event.object.metadata.name;
              if (event.type !== 'ADDED' || !name) continue;
              const n = (seen.get(name) || 0) + 1;
              seen.set(name, n);
              if (n === w.clients && waiters.has(name)) waiters.get(name)();
            }
          });
          res.on('error', () => {});
        });
        req.on('error', () => {});
        req.end();
        requests.push(req);
      })));
      await new Promise((r) => setTimeout(r, 300));
      const samples = [];
      for (let i = 0; i < w.events; i++) {
        const name = 'w-' + i;
        const allSeen = new Promise((resolve) => waiters.set(name, resolve));
        const start = performance.now();
        await call('POST', '/api/v1/namespaces/' + w.namespace + '/pods', { ...w.pod, metadata: { ...w.pod.metadata, name } });
        await allSeen;
        samples.push(performance.now() - start);
      }
      for (const req of requests) req.destroy();
      agent.destroy();
      parentPort.postMessage(samples);
    })().catch((e) => parentPort.postMessage({ error: e.message }));
  `;
  return new Promise((resolve, reject) => {
    const worker = new Worker(source, { eval: true, workerData: { url: t.url, token: t.token, name: t.name, caPem, namespace, clients, events, pod: podBody('') } });
    worker.once('message', (m: number[] | { error: string }) => {
      void worker.terminate();
      if (Array.isArray(m)) resolve(m.sort((a, b) => a - b));
      else reject(new Error(m.error));
    });
    worker.once('error', reject);
  });
}

const podBody = (name: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27', imagePullPolicy: 'IfNotPresent' }], nodeName: 'node-1' },
});

async function seed(t: Target, namespace: string, pods: number, caPem: string): Promise<void> {
  await must(t, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  // What kube-controller-manager would add (ServiceAccount admission waits for the default ServiceAccount).
  if (t.name === 'real') await createDefaultServiceAccount(t.url, caPem, t.token, namespace);
  for (let i = 0; i < pods; i += 20) {
    await Promise.all(
      Array.from({ length: Math.min(20, pods - i) }, (_, j) => must(t, 'POST', `/api/v1/namespaces/${namespace}/pods`, podBody(`pod-${String(i + j).padStart(4, '0')}`))),
    );
  }
}

export default async function bench(): Promise<BenchLine[]> {
  if (!((await isBuilt('etcd')) && (await isBuilt('kube-apiserver')))) {
    throw new Error(`no real kube-apiserver to compare with: ${(await buildUnavailableReason()) ?? 'run `npm run fidelity:build` first'}`);
  }
  const users: TokenUser[] = ['admin', 'admin1', 'admin2'].map((name) => ({ name, token: randomToken() }));
  const tenants = [
    { user: 'admin1', namespace: 'tenant-a' },
    { user: 'admin2', namespace: 'tenant-b' },
  ];
  const tls = await generateServingCertificate();
  const profile = PROFILES.none;
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-apiserver-vs-real-'));
  const real = await startControlPlane({ admissionPlugins: profile.enableAdmissionPlugins, users, clusterAdmins: ['admin'], tenants, tls });
  const embedded = await startApiServer({ admissionPlugins: admissionPluginsFor(profile.enableAdmissionPlugins), users, tls, tenants });
  const admin = users[0]!.token;
  const targets: Target[] = [
    { name: 'real', url: real.url, agent: new Agent({ keepAlive: true, maxSockets: 20, ca: tls.caPem }), token: admin },
    { name: 'embedded', url: embedded.url, agent: new Agent({ keepAlive: true, maxSockets: 20, ca: tls.caPem }), token: admin },
  ];
  try {
    for (const t of targets) {
      await seed(t, 'bench', 1000, tls.caPem);
      await seed(t, 'watch', 0, tls.caPem);
    }
    const out: BenchLine[] = [];
    out.push(...lines('GET pod', await timeBoth(300, targets, (t) => must(t, 'GET', '/api/v1/namespaces/bench/pods/pod-0500'))));
    out.push(...lines('LIST 1,000 pods (JSON)', await timeBoth(30, targets, (t) => must(t, 'GET', '/api/v1/namespaces/bench/pods'))));
    const table = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
    out.push(...lines('LIST 1,000 pods (Table)', await timeBoth(30, targets, (t) => must(t, 'GET', '/api/v1/namespaces/bench/pods', undefined, table))));
    const fanOut = new Map<string, number[]>();
    for (const t of targets) fanOut.set(t.name, await watchFanOut(t, tls.caPem, 'watch', 50, 40));
    out.push(...lines('watch fan-out to 50 clients, create → last ADDED', fanOut));

    const kubeconfigs = new Map<string, string>();
    for (const t of targets) {
      const file = path.join(dir, `${t.name}.kubeconfig`);
      await writeFile(file, renderKubeconfig({ server: t.url, caPem: tls.caPem, users }), { mode: 0o600 });
      kubeconfigs.set(t.name, file);
    }
    const kubectl = (t: Target, args: string[]) => execa('kubectl', ['--kubeconfig', kubeconfigs.get(t.name)!, '--cache-dir', path.join(dir, `cache-${t.name}`), ...args]);
    out.push(...lines('kubectl get pods -o json (1,000)', await timeBoth(8, targets, (t) => kubectl(t, ['get', 'pods', '-n', 'bench', '-o', 'json']))));
    out.push(...lines('kubectl get pods (1,000, table)', await timeBoth(8, targets, (t) => kubectl(t, ['get', 'pods', '-n', 'bench']))));
    return out;
  } finally {
    for (const t of targets) t.agent.destroy();
    await embedded.close();
    await real.close();
    await rm(dir, { recursive: true, force: true });
  }
}
