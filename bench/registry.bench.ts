// The embedded registry against Debian's docker-registry (distribution 2.8.2), same machine, same run, both behind
// Basic auth, each in its own process: skopeo copy of a 64 MiB four-layer image, and manifest GET latency over 500 requests.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { pushImage } from '../src/registry/client.js';
import { assembleImage, buildBaseLayer, buildLayer, imageBlobs } from '../src/registry/image-builder.js';
import { basic } from '../test/support/registry.js';
import type { RegistryUsers } from '../src/registry/lab-users.js';
import { debianHtpasswdLine, startDistribution } from '../test/support/docker-registry.js';
import type { BenchLine } from './index.js';

const MiB = 1024 * 1024;
const layerCount = 4;
const rounds = 5;
const manifestRequests = 500;
const latencyTrials = 3;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** A GET of one manifest over a kept-alive connection; resolves with its latency in ms. */
function manifestGetter(host: string, repo: string, authorization: string): { once: () => Promise<number>; close: () => void } {
  const [hostname, port] = host.split(':');
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const started = performance.now();
      const req = request(
        {
          host: hostname,
          port: Number(port),
          path: `/v2/${repo}/manifests/1`,
          agent,
          headers: { Authorization: authorization, Accept: 'application/vnd.oci.image.manifest.v1+json' },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve(performance.now() - started) : reject(new Error(`manifest GET answered ${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end();
    });
  return { once, close: () => agent.destroy() };
}

/** Both registries measured in alternation, so machine noise falls on both alike. */
async function manifestLatencies(a: ReturnType<typeof manifestGetter>, b: ReturnType<typeof manifestGetter>): Promise<[number[], number[]]> {
  for (let i = 0; i < 20; i++) await Promise.all([a.once(), b.once()]); // warm-up: connections, bcrypt caches, JIT
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < manifestRequests; i++) {
    as.push(await a.once());
    bs.push(await b.once());
  }
  return [as.sort((x, y) => x - y), bs.sort((x, y) => x - y)];
}

/** The embedded registry in a child process (same runtime flags as this one, so tsx applies). */
async function startEmbeddedProcess(): Promise<{ host: string; users: RegistryUsers; stop: () => Promise<void> }> {
  const child = execa(process.execPath, [...process.execArgv, path.join(path.dirname(new URL(import.meta.url).pathname), 'support', 'registry-process.ts')], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
    reject: false,
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout.on('data', (c: Buffer) => {
      buffered += c.toString();
      const nl = buffered.indexOf('\n');
      if (nl >= 0) resolve(buffered.slice(0, nl));
    });
    void child.then(() => reject(new Error('embedded registry process exited before it was ready')));
  });
  const { host, users } = JSON.parse(line) as { host: string; users: RegistryUsers };
  return {
    host,
    users,
    stop: async () => {
      child.stdin.end();
      child.kill('SIGTERM');
      await child;
    },
  };
}

async function skopeoCopySeconds(host: string, repo: string, creds: string, dir: string): Promise<number> {
  const dest = await mkdtemp(path.join(dir, 'copy-'));
  const started = performance.now();
  await execa('skopeo', ['copy', '--quiet', '--src-tls-verify=false', '--src-creds', creds, `docker://${host}/${repo}:1`, `dir:${dest}`]);
  const seconds = (performance.now() - started) / 1000;
  await rm(dest, { recursive: true, force: true });
  return seconds;
}

export default async function registryBench(): Promise<BenchLine[]> {
  const dir = await mkdtemp(path.join(tmpdir(), 'image-heist-bench-'));
  const base = await buildBaseLayer();
  const layers = [base];
  for (let i = 0; i < layerCount; i++) {
    layers.push(await buildLayer([{ path: `data/${i}.bin`, type: 'file', content: randomBytes((64 * MiB) / layerCount) }]));
  }
  const image = assembleImage(layers, { cmd: ['sh'] });
  const totalBytes = layers.reduce((n, l) => n + l.data.length, 0);
  const content = { manifestBytes: image.manifestBytes, mediaType: image.mediaType, blobs: imageBlobs(image) };

  const lab = await startEmbeddedProcess();
  const alice = { username: 'alice', password: randomBytes(12).toString('base64url') };
  const distribution = await startDistribution([await debianHtpasswdLine(alice.username, alice.password)]);
  try {
    await pushImage(`${lab.host}/secure/big:1`, content, { credentials: lab.users.pusher });
    await pushImage(`${distribution.host}/secure/big:1`, content, { credentials: alice });
    const ours = `${lab.users.admin1.username}:${lab.users.admin1.password}`;
    const theirs = `${alice.username}:${alice.password}`;

    const oursTimes: number[] = [];
    const theirTimes: number[] = [];
    for (let i = 0; i < rounds; i++) {
      // Alternate who goes first so that disk cache and CPU frequency favour neither side.
      if (i % 2 === 0) theirTimes.push(await skopeoCopySeconds(distribution.host, 'secure/big', theirs, dir));
      oursTimes.push(await skopeoCopySeconds(lab.host, 'secure/big', ours, dir));
      if (i % 2 === 1) theirTimes.push(await skopeoCopySeconds(distribution.host, 'secure/big', theirs, dir));
    }
    // Best of N: on a shared machine, noise only ever adds time, so the fastest run is the truest.
    const best = (xs: number[]) => Math.min(...xs);
    const oursMiBs = totalBytes / MiB / best(oursTimes);
    const theirMiBs = totalBytes / MiB / best(theirTimes);

    const ourGetter = manifestGetter(lab.host, 'secure/big', basic(lab.users.admin1));
    const theirGetter = manifestGetter(distribution.host, 'secure/big', basic(alice));
    // Three trials of 500 each; per side, the trial with the lowest p99 (noise on a shared machine only adds).
    const trials: Array<[number[], number[]]> = [];
    for (let t = 0; t < latencyTrials; t++) trials.push(await manifestLatencies(ourGetter, theirGetter));
    const bestTrial = (side: 0 | 1) => trials.map((t) => t[side]).sort((a, b) => percentile(a, 99) - percentile(b, 99))[0]!;
    const ourLat = bestTrial(0);
    const theirLat = bestTrial(1);
    ourGetter.close();
    theirGetter.close();
    const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
    return [
      {
        name: `skopeo copy ${(totalBytes / MiB).toFixed(0)} MiB, ${layers.length} layers (embedded vs distribution, best of ${rounds})`,
        value: `${oursMiBs.toFixed(0)} MiB/s vs ${theirMiBs.toFixed(0)} MiB/s`,
        ratio: oursMiBs / theirMiBs,
        target: '>= 1.0x distribution',
      },
      {
        name: `manifest GET p50 over ${manifestRequests} (embedded vs distribution, best of ${latencyTrials} trials by p99)`,
        value: `${fmt(percentile(ourLat, 50))} vs ${fmt(percentile(theirLat, 50))}`,
        ratio: percentile(theirLat, 50) / percentile(ourLat, 50),
        target: '>= 1.0x distribution',
      },
      {
        name: `manifest GET p99 over ${manifestRequests} (embedded vs distribution, best of ${latencyTrials} trials)`,
        value: `${fmt(percentile(ourLat, 99))} vs ${fmt(percentile(theirLat, 99))}`,
        ratio: percentile(theirLat, 99) / percentile(ourLat, 99),
        target: '>= 1.0x distribution',
      },
    ];
  } finally {
    await lab.stop();
    await distribution.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
