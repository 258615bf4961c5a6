// The embedded lab: `image-heist up` until lab.json is written (the real binary), the whole story's wall time
// per profile (Admin1's pod caches the image, Admin2's pod on the same node settles), lab start and reset, and the
// resident memory of the `up` process with its 2-node lab. The reference is `image-heist --version`: what the CLI
// pays to load before any command runs.
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { execa } from 'execa';
import { startEmbeddedLab, type EmbeddedLab } from '../src/embedded/lab.js';
import { PROFILE_NAMES } from '../src/lab/profiles.js';
import type { BenchLine } from './index.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const ms = (x: number): string => `${x.toFixed(0)} ms`;

/** VmRSS of a live process (Linux), in MiB. */
function rssMiB(pid: number | undefined): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function upUntilLabJson(): Promise<{ ms: number; rss: number }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'image-heist-bench-up-'));
  const started = performance.now();
  const child = execa('node', ['bin/image-heist.js', 'up', '--dir', dir, '--profile', 'none'], { reject: false });
  try {
    while (!existsSync(path.join(dir, 'lab.json'))) {
      if (child.exitCode !== null) throw new Error('up exited before writing lab.json');
      await new Promise((r) => setTimeout(r, 10));
    }
    const elapsed = performance.now() - started;
    return { ms: elapsed, rss: rssMiB(child.pid) };
  } finally {
    child.kill('SIGINT');
    await child;
    await rm(dir, { recursive: true, force: true });
  }
}

async function settle(api: CoreV1Api, namespace: string, name: string): Promise<V1Pod> {
  for (;;) {
    const pod = await api.readNamespacedPod({ name, namespace });
    const s = pod.status?.containerStatuses?.[0];
    if (s?.state?.running || ['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull'].includes(s?.state?.waiting?.reason ?? '')) return pod;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** The classic story through client-node: returns wall ms and whether Admin2 ended up running. */
async function story(lab: EmbeddedLab): Promise<{ ms: number; admin2Running: boolean }> {
  const client = (user: 'admin1' | 'admin2'): CoreV1Api => {
    const kc = new KubeConfig();
    kc.loadFromString(lab.kubeconfigFor(user));
    return kc.makeApiClient(CoreV1Api);
  };
  const [a1, a2] = [client('admin1'), client('admin2')];
  const node = lab.info.nodes[0]!;
  const started = performance.now();
  await a1.createNamespacedPod({
    namespace: 'tenant-a',
    body: {
      metadata: { name: 'pod1' },
      spec: { nodeName: node, imagePullSecrets: [{ name: 'image-pull-secret-1' }], containers: [{ name: 'app', image: lab.info.images.secret }] },
    },
  });
  await settle(a1, 'tenant-a', 'pod1');
  await a2.createNamespacedPod({
    namespace: 'tenant-b',
    body: { metadata: { name: 'pod2' }, spec: { nodeName: node, containers: [{ name: 'app', image: lab.info.images.secret, imagePullPolicy: 'IfNotPresent' }] } },
  });
  const pod2 = await settle(a2, 'tenant-b', 'pod2');
  return { ms: performance.now() - started, admin2Running: Boolean(pod2.status?.containerStatuses?.[0]?.state?.running) };
}

export default async function bench(): Promise<BenchLine[]> {
  const lines: BenchLine[] = [];

  const cli: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    await execa('node', ['bin/image-heist.js', '--version']);
    cli.push(performance.now() - t);
  }
  const up: { ms: number; rss: number }[] = [];
  for (let i = 0; i < 3; i++) up.push(await upUntilLabJson());
  lines.push({
    name: '`up` until lab.json is written (median of 3, vs `image-heist --version`)',
    value: `${ms(median(up.map((u) => u.ms)))} vs ${ms(median(cli))} (runs: ${up.map((u) => u.ms.toFixed(0)).join(', ')} vs ${cli.map((c) => c.toFixed(0)).join(', ')})`,
  });
  lines.push({ name: 'resident memory of `up` with a 2-node lab (VmRSS when lab.json appears)', value: `${median(up.map((u) => u.rss)).toFixed(0)} MiB` });

  for (const profile of PROFILE_NAMES) {
    const t = performance.now();
    const lab = await startEmbeddedLab({ profile, timeScale: 20 });
    const startMs = performance.now() - t;
    try {
      const runs: number[] = [];
      const resets: number[] = [];
      let admin2Running = false;
      for (let i = 0; i < 5; i++) {
        const r = await story(lab);
        runs.push(r.ms);
        admin2Running = r.admin2Running;
        const tr = performance.now();
        await lab.reset();
        resets.push(performance.now() - tr);
      }
      lines.push({
        name: `story under ${profile} (median of 5; Admin2 ${admin2Running ? 'ran it' : 'was stopped'})`,
        value: `${ms(median(runs))}; lab start ${ms(startMs)}; reset ${median(resets).toFixed(1)} ms`,
      });
    } finally {
      await lab.stop();
    }
  }

  return lines;
}
