// Fair service under abuse: admin1's GET of one pod, p50/p99, alone (the reference, same run) and while admin2
// sends, back to back on two connections, the worst bodies the limits allow: a 3 MiB pod of labels (decoded, then
// refused as too large for etcd), a pod of labels just under etcd's 1.5 MiB (stored, then deleted), 3 MiB of
// JSON nested 10,000 deep, 3 MiB of YAML labels, and 900 KiB secrets until the quota refuses them.
// Target (issue 13): admin1's p99 under abuse < 200 ms. Also prints the heap after the secret flood.
import type { BenchLine } from './index.js';
import { admissionPluginsFor, startApiServer } from '../src/embedded/apiserver/server.js';
import { rawClient, type RawClient } from '../test/support/api-client.js';

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const ms = (v: number): string => `${v.toFixed(1)} ms`;

function labelsPod(name: string, bytes: number): string {
  const labels: Record<string, string> = {};
  const per = 14; // "k000000":"v",
  for (let i = 0; i < (bytes - 200) / per; i++) labels[`k${String(i).padStart(6, '0')}`] = 'v';
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } });
}

/** The worst bodies the limits allow (see the top of this file); built once, sent many times. */
export function worstBodies() {
  const huge = labelsPod('huge', 3 * 1024 * 1024);
  const fits = labelsPod('fits', 1.4 * 1024 * 1024);
  const deep = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"x":${'['.repeat(9_998)}${'"a",'.repeat(Math.floor((3 * 1024 * 1024 - 40_000) / 4))}"a"${']'.repeat(9_998)}}`;
  const yamlLines = ['apiVersion: v1', 'kind: Pod', 'metadata:', '  name: yaml', '  labels:'];
  for (let i = 0; yamlLines.join('\n').length < 3 * 1024 * 1024 - 100_000; i++) yamlLines.push(...Array.from({ length: 1000 }, (_, j) => `    k${i}x${j}: v`));
  const yamlBody = yamlLines.join('\n');
  const secret = (i: number) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `flood-${i}` }, data: { d: Buffer.alloc(900 * 1024, i).toString('base64') } });
  return { huge, fits, deep, yamlBody, secret };
}

/** One attacker: the worst bodies back to back into `namespace` until `stopped()`, each answer's code counted (0: a reset connection). */
export async function abuseLane(
  client: RawClient,
  namespace: string,
  bodies: ReturnType<typeof worstBodies>,
  lane: number,
  stopped: () => boolean,
  count: (code: number) => void,
): Promise<void> {
  const send: RawClient = (...args) => client(...args).catch(() => ({ code: 0, headers: {}, body: '' }));
  const base = `/api/v1/namespaces/${namespace}`;
  for (let i = 0; !stopped(); i++) {
    switch ((i + lane) % 5) {
      case 0:
        count((await send('POST', `${base}/pods`, bodies.huge)).code);
        break;
      case 1: {
        const reply = await send('POST', `${base}/pods`, bodies.fits.replace('"fits"', `"fits-${lane}"`));
        count(reply.code);
        if (reply.code === 201) count((await send('DELETE', `${base}/pods/fits-${lane}?gracePeriodSeconds=0`)).code);
        break;
      }
      case 2:
        count((await send('POST', `${base}/pods`, bodies.deep)).code);
        break;
      case 3:
        count((await send('POST', `${base}/pods`, bodies.yamlBody, { 'Content-Type': 'application/yaml' })).code);
        break;
      case 4:
        count((await send('POST', `${base}/secrets`, bodies.secret(lane * 100_000 + i))).code);
        break;
    }
  }
}

export default async function bench(): Promise<BenchLine[]> {
  const api = await startApiServer({ admissionPlugins: admissionPluginsFor(['AlwaysPullImages']), storeLimits: { quotaBytes: 64 * 1024 * 1024 } });
  const token = (n: string) => api.users.find((u) => u.name === n)!.token;
  const admin1 = rawClient(api.url, api.caPem, token('admin1'));
  const raw2 = rawClient(api.url, api.caPem, token('admin2'));
  // A reset connection (the server closes after a 413 it answered before reading the body) counts as code 0.
  const admin2: typeof raw2 = (...args) => raw2(...args).catch(() => ({ code: 0, headers: {}, body: '' }));
  try {
    await admin1(
      'POST',
      '/api/v1/namespaces/tenant-a/pods',
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod1' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } }),
    );
    const probe = async (durationMs: number): Promise<number[]> => {
      const samples: number[] = [];
      const end = performance.now() + durationMs;
      while (performance.now() < end) {
        const start = performance.now();
        const reply = await admin1('GET', '/api/v1/namespaces/tenant-a/pods/pod1');
        if (reply.code !== 200) throw new Error(`admin1 got ${reply.code}`);
        samples.push(performance.now() - start);
        await new Promise((r) => setTimeout(r, 5));
      }
      return samples.sort((a, b) => a - b);
    };
    await probe(1000);
    const alone = await probe(5000);

    const codes = new Map<number, number>();
    let requests = 0;
    let stop = false;
    const count = (code: number): void => {
      requests++;
      codes.set(code, (codes.get(code) ?? 0) + 1);
    };
    const bodies = worstBodies();
    const attacker = (lane: number) => abuseLane(admin2, 'tenant-b', bodies, lane, () => stop, count);
    const lanes = [attacker(0), attacker(1)];
    const abused = await probe(20_000);
    stop = true;
    await Promise.all(lanes);

    // The 900 KiB secret flood until the quota refuses, then delete everything: what does the heap hold?
    for (let i = 0; i < 200; i++) if ((await admin2('POST', '/api/v1/namespaces/tenant-b/secrets', bodies.secret(i))).code !== 201) break;
    const stored = api.store.bytesUsed();
    const gc = (globalThis as { gc?: () => void }).gc;
    gc?.();
    const heapFull = process.memoryUsage().heapUsed;
    await admin2('DELETE', '/api/v1/namespaces/tenant-b/secrets');
    // Let the answer (the deleted list) go, then collect twice.
    await new Promise((r) => setTimeout(r, 500));
    gc?.();
    await new Promise((r) => setTimeout(r, 100));
    gc?.();
    const heapAfter = process.memoryUsage().heapUsed;
    const mib = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MiB`;
    return [
      { name: 'admin1 GET pod p50 (alone vs under abuse)', value: `${ms(quantile(alone, 0.5))} vs ${ms(quantile(abused, 0.5))}`, target: 'informational' },
      {
        name: 'admin1 GET pod p99 under abuse',
        value: `${ms(quantile(abused, 0.99))} (alone ${ms(quantile(alone, 0.99))}, max ${ms(abused[abused.length - 1] ?? NaN)}, ${abused.length} GETs)`,
        ratio: 200 / quantile(abused, 0.99),
        target: '< 200 ms (ratio = 200 ms / p99)',
      },
      { name: 'admin2 abusive requests answered', value: `${requests} in 20 s: ${[...codes].map(([c, n]) => `${n}× ${c}`).join(', ')}` },
      {
        name: 'heap with the store at its quota vs after deleting everything',
        value: `${mib(heapFull)} (store ${mib(stored)}) vs ${mib(heapAfter)}${gc ? '' : ' (run node with --expose-gc for exact figures)'}`,
      },
    ];
  } finally {
    await api.close();
  }
}
