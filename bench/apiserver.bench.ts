// Embedded API server: p50/p99 of GET one pod and LIST 1,000 pods, via client-node and via kubectl.
// Reference, measured in the same run: a bare node:https server on the same TLS certificate that
// answers the same bytes precomputed (the floor for TLS + HTTP + JSON + the client's own decoding),
// and for kubectl the same command against that bare server's answer is not possible (kubectl needs
// discovery), so its reference is `kubectl version --client` (process start, no request).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:https';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import type { BenchLine } from './index.js';
import { admissionPluginsFor, startApiServer } from '../src/embedded/apiserver/server.js';
import { findResource } from '../src/embedded/apiserver/resources.js';
import { generateServingCertificate } from '../src/embedded/apiserver/tls.js';

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function timeIt(n: number, fn: () => Promise<unknown>): Promise<{ p50: number; p99: number }> {
  for (let i = 0; i < Math.min(3, n); i++) await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const start = performance.now();
    await fn();
    samples.push(performance.now() - start);
  }
  samples.sort((a, b) => a - b);
  return { p50: quantile(samples, 0.5), p99: quantile(samples, 0.99) };
}

const ms = (v: number): string => `${v.toFixed(2)} ms`;

function line(name: string, ours: { p50: number; p99: number }, ref: { p50: number; p99: number }, refName: string): BenchLine[] {
  return [
    { name: `${name} p50 (embedded vs ${refName})`, value: `${ms(ours.p50)} vs ${ms(ref.p50)}`, ratio: ref.p50 / ours.p50, target: 'informational' },
    { name: `${name} p99 (embedded vs ${refName})`, value: `${ms(ours.p99)} vs ${ms(ref.p99)}`, ratio: ref.p99 / ours.p99, target: 'informational' },
  ];
}

export default async function bench(): Promise<BenchLine[]> {
  const tls = await generateServingCertificate();
  const api = await startApiServer({ admissionPlugins: admissionPluginsFor([]), tls });
  const dir = await mkdtemp(path.join(tmpdir(), 'bench-apiserver-'));
  const bare = createServer({ cert: tls.certPem, key: tls.keyPem });
  try {
    const pods = findResource('', 'v1', 'pods')!;
    const ns = findResource('', 'v1', 'namespaces')!;
    api.store.create(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
    api.store.create(ns, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'one' } });
    const pod = (name: string, namespace: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace, labels: { app: 'bench' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.13', imagePullPolicy: 'IfNotPresent' }], nodeName: 'node-1' },
      status: { phase: 'Running' },
    });
    for (let i = 0; i < 1000; i++) api.store.create(pods, pod(`pod-${String(i).padStart(4, '0')}`, 'bench'));
    api.store.create(pods, pod('web', 'one'));

    // The reference: the same bytes, precomputed, from a bare https server with the same certificate.
    const getBody = JSON.stringify(api.store.mustGet(pods, 'one', 'web'));
    const list = api.store.list(pods, 'bench');
    const listBody = JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: { resourceVersion: list.resourceVersion }, items: list.items });
    bare.on('request', (req, res) => {
      const body = (req.url ?? '').includes('/pods/web') ? getBody : listBody;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    await new Promise<void>((resolve) => bare.listen(0, '127.0.0.1', () => resolve()));
    const bareUrl = `https://127.0.0.1:${(bare.address() as AddressInfo).port}`;

    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig());
    const core = kc.makeApiClient(CoreV1Api);
    const kcBare = new KubeConfig();
    kcBare.loadFromString(api.kubeconfig().replace(api.url, bareUrl));
    const coreBare = kcBare.makeApiClient(CoreV1Api);

    const out: BenchLine[] = [];
    out.push(
      ...line(
        'client-node GET pod',
        await timeIt(300, () => core.readNamespacedPod({ name: 'web', namespace: 'one' })),
        await timeIt(300, () => coreBare.readNamespacedPod({ name: 'web', namespace: 'one' })),
        'bare https',
      ),
    );
    out.push(
      ...line(
        'client-node LIST 1,000 pods',
        await timeIt(40, () => core.listNamespacedPod({ namespace: 'bench' })),
        await timeIt(40, () => coreBare.listNamespacedPod({ namespace: 'bench' })),
        'bare https',
      ),
    );

    const config = path.join(dir, 'kubeconfig');
    await writeFile(config, api.kubeconfig(), { mode: 0o600 });
    const cache = path.join(dir, 'cache'); // kept across runs: discovery cached, as for a user's second command
    const kubectl = (args: string[]) => execa('kubectl', ['--kubeconfig', config, '--cache-dir', cache, ...args]);
    const startup = await timeIt(15, () => execa('kubectl', ['version', '--client']));
    out.push(...line('kubectl get pod -o json', await timeIt(15, () => kubectl(['get', 'pod', 'web', '-n', 'one', '-o', 'json'])), startup, 'kubectl start-up'));
    out.push(...line('kubectl get pods (1,000, table)', await timeIt(10, () => kubectl(['get', 'pods', '-n', 'bench'])), startup, 'kubectl start-up'));
    out.push(...line('kubectl get pods -o json (1,000)', await timeIt(10, () => kubectl(['get', 'pods', '-n', 'bench', '-o', 'json'])), startup, 'kubectl start-up'));
    return out;
  } finally {
    await api.close();
    await new Promise<void>((resolve) => bare.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  }
}
