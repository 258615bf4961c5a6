// A room under load: `image-heist workshop --attendees N --json` in its own process (the real binary), and N
// simulated attendees in this one, each playing the story with client-node at once — Admin1's pod with the pull
// secret, polled until Running as `kubectl wait` would, then Admin2's with IfNotPresent, then its log, which must
// hold that attendee's own flag. Prints p50/p99 of every API call and the workshop process's peak RSS for
// N = 1, 10, 30, 60 (IMAGE_HEIST_BENCH_ATTENDEES=1,10 for fewer). Then one abusive attendee (abuse.bench.ts's worst
// bodies, two lanes) beside nine playing the story: their p99 beside the same room without the abuse
// (IMAGE_HEIST_BENCH_ABUSE=0 skips it).
// Targets (issue 18): N = 30 with p99 < 500 ms and RSS < 4 GiB; the abuse does not raise the others' p99 beyond that.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { execa } from 'execa';
import type { BenchLine } from './index.js';
import type { LabInfo } from '../src/lab/backend.js';
import { rawClient } from '../test/support/api-client.js';
import { abuseLane, worstBodies } from './abuse.bench.js';

/** IMAGE_HEIST_BENCH_BIN: another checkout's binary (the code before a change), for a before/after in one run. */
const BIN = path.resolve(process.env['IMAGE_HEIST_BENCH_BIN'] ?? 'bin/image-heist.js');
/** How many times each attendee plays the story (IMAGE_HEIST_BENCH_ROUNDS; more for a profile of the steady state). */
const ROUNDS = Number(process.env['IMAGE_HEIST_BENCH_ROUNDS'] ?? 2);
const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
const ms = (v: number): string => `${v.toFixed(0)} ms`;
const mib = (kib: number): string => `${(kib / 1024).toFixed(0)} MiB`;
const sleep = (t: number) => new Promise((r) => setTimeout(r, t));

interface RunningRoom {
  infos: LabInfo[];
  /** CPU seconds (user + system) the workshop process has used so far. */
  cpuSeconds(): Promise<number>;
  /** Peak VmRSS of the workshop process in KiB, sampled every 250 ms since the room was ready. */
  peakRssKiB(): number;
  rssKiB(): Promise<number>;
  startSeconds: number;
  stop(): Promise<void>;
}

async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
}

/** utime + stime of a process, in seconds (proc(5): fields 14 and 15, in clock ticks of 1/100 s on Linux). */
async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds this (the clients') process has used so far. */
const ownCpuSeconds = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
};

async function startRoom(attendees: number): Promise<RunningRoom> {
  const root = await mkdtemp(path.join(tmpdir(), 'image-heist-workshop-bench-'));
  const dir = path.join(root, 'room');
  const started = performance.now();
  // IMAGE_HEIST_BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the workshop process
  const nodeArgs = (process.env['IMAGE_HEIST_BENCH_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const child = execa(process.execPath, [...nodeArgs, BIN, 'workshop', '--attendees', String(attendees), '--dir', dir, '--json', '--time-scale', '10'], {
    buffer: false,
    reject: false,
  });
  let ready = 0;
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    ready = (output.match(/"event":"ready"/g) ?? []).length;
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  while (ready < attendees) {
    if (child.exitCode !== null) throw new Error(`workshop exited ${child.exitCode}: ${stderr.trim()}`);
    await sleep(100);
  }
  const startSeconds = (performance.now() - started) / 1000;
  const infos = await Promise.all(
    Array.from({ length: attendees }, async (_, i) => JSON.parse(await readFile(path.join(dir, `attendee-${i + 1}`, 'lab.json'), 'utf8')) as LabInfo),
  );
  let peak = 0;
  const sampler = setInterval(() => void rssOf(child.pid!).then((r) => (peak = Math.max(peak, r || 0))), 250);
  return {
    infos,
    cpuSeconds: () => cpuSecondsOf(child.pid!),
    peakRssKiB: () => peak,
    rssKiB: () => rssOf(child.pid!),
    startSeconds,
    async stop() {
      clearInterval(sampler);
      child.kill('SIGINT');
      await child;
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** One attendee's story with client-node; every API call's latency into `samples`. Throws unless their own flag is read. */
async function playStory(info: LabInfo, samples: number[], round: number): Promise<void> {
  const api = (context: string) => {
    const config = new KubeConfig();
    config.loadFromFile(info.kubeconfig);
    config.setCurrentContext(context);
    return config.makeApiClient(CoreV1Api);
  };
  const timed = async <T>(call: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await call();
    } finally {
      samples.push(performance.now() - start);
    }
  };
  const [admin1, admin2] = [api('admin1'), api('admin2')];
  const node = info.nodes[0]!;
  const a = info.tenants.admin1.namespace;
  const b = info.tenants.admin2.namespace;
  const pod = (name: string, policy: string, secret: boolean): V1Pod => ({
    metadata: { name },
    spec: {
      nodeName: node,
      containers: [{ name, image: info.images.secret, imagePullPolicy: policy }],
      ...(secret ? { imagePullSecrets: [{ name: info.tenants.admin1.pullSecret }] } : {}),
    },
  });
  const untilRunning = async (client: CoreV1Api, namespace: string, name: string) => {
    for (let i = 0; i < 300; i++) {
      const p = await timed(() => client.readNamespacedPod({ namespace, name }));
      if (p.status?.phase === 'Running' || p.status?.phase === 'Succeeded') return;
      await sleep(200);
    }
    throw new Error(`${namespace}/${name} never ran`);
  };
  const [pod1, pod2] = [`pod1-${round}`, `pod2-${round}`];
  await timed(() => admin1.createNamespacedPod({ namespace: a, body: pod(pod1, 'IfNotPresent', true) }));
  await untilRunning(admin1, a, pod1);
  await timed(() => admin2.createNamespacedPod({ namespace: b, body: pod(pod2, 'IfNotPresent', false) }));
  await untilRunning(admin2, b, pod2);
  await timed(() => admin2.listNamespacedPod({ namespace: b }));
  const log = await timed(() => admin2.readNamespacedPodLog({ namespace: b, name: pod2 }));
  if (!String(log).includes(info.flag)) throw new Error(`attendee's log lacks their flag: ${String(log).slice(0, 200)}`);
}

/** Every attendee plays the story `rounds` times, all at once; the sorted latencies. */
async function playRoom(infos: LabInfo[], rounds: number, firstRound = 0): Promise<number[]> {
  const samples: number[] = [];
  await Promise.all(
    infos.map(async (info) => {
      for (let round = firstRound; round < firstRound + rounds; round++) await playStory(info, samples, round);
    }),
  );
  return samples.sort((x, y) => x - y);
}

/** A user's raw HTTPS client from a lab's kubeconfig (the abuser sends bytes client-node would not). */
function rawClientFor(info: LabInfo, user: string) {
  const config = new KubeConfig();
  config.loadFromFile(info.kubeconfig);
  const ca = Buffer.from(config.getCurrentCluster()!.caData!, 'base64').toString();
  return rawClient(info.apiServer, ca, config.users.find((u) => u.name === user)!.token!);
}

export default async function bench(): Promise<BenchLine[]> {
  const sizes = (process.env['IMAGE_HEIST_BENCH_ATTENDEES'] ?? '1,10,30,60')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const lines: BenchLine[] = [];
  // each figure also goes to stderr at once: a later phase that fails does not take the earlier ones with it
  const push = (line: BenchLine) => {
    lines.push(line);
    process.stderr.write(`workshop bench:   ${line.name}: ${line.value}\n`);
  };
  for (const n of sizes) {
    process.stderr.write(`workshop bench: N=${n}…\n`);
    const room = await startRoom(n);
    try {
      const idle = await room.rssKiB();
      const [server0, client0, wall0] = [await room.cpuSeconds(), ownCpuSeconds(), performance.now()];
      const samples = await playRoom(room.infos, ROUNDS);
      const [server, client, wall] = [(await room.cpuSeconds()) - server0, ownCpuSeconds() - client0, (performance.now() - wall0) / 1000];
      const p99 = quantile(samples, 0.99);
      push({
        name: `N=${n}: API p50 / p99 (${samples.length} calls), RSS idle / peak, start; CPU s workshop / clients (wall s)`,
        value: `${ms(quantile(samples, 0.5))} / ${ms(p99)}, ${mib(idle)} / ${mib(room.peakRssKiB())}, ${room.startSeconds.toFixed(1)} s; ${server.toFixed(1)} / ${client.toFixed(1)} (${wall.toFixed(1)}); load ${loadavg()[0]!.toFixed(1)}`,
        ...(n === 30 ? { ratio: 500 / p99, target: 'N=30: p99 < 500 ms (ratio = 500 ms / p99), RSS < 4 GiB' } : {}),
      });
    } finally {
      await room.stop();
    }
  }

  if (process.env['IMAGE_HEIST_BENCH_ABUSE'] === '0') return lines;
  // one attendee abuses their own API server while the nine others play the story
  process.stderr.write('workshop bench: N=10 with one abusive attendee…\n');
  const room = await startRoom(10);
  try {
    const [abuser, ...others] = room.infos as [LabInfo, ...LabInfo[]];
    const calm = await playRoom(others, 1);
    const client = rawClientFor(abuser, 'admin2');
    const bodies = worstBodies();
    let stop = false;
    const codes = new Map<number, number>();
    const count = (code: number) => void codes.set(code, (codes.get(code) ?? 0) + 1);
    const lanes = [0, 1].map((lane) => abuseLane(client, abuser.tenants.admin2.namespace, bodies, lane, () => stop, count));
    let abused: number[];
    try {
      await sleep(1000);
      abused = await playRoom(others, 2, 1);
    } finally {
      stop = true;
      await Promise.all(lanes);
    }
    push({
      name: "N=10, attendee 1 abusive: the others' API p99 (alone vs under abuse)",
      value: `${ms(quantile(calm, 0.99))} vs ${ms(quantile(abused, 0.99))} (p50 ${ms(quantile(calm, 0.5))} vs ${ms(quantile(abused, 0.5))}); abuser answered ${[...codes].map(([c, k]) => `${k}× ${c}`).join(', ')}; peak RSS ${mib(room.peakRssKiB())}`,
      ratio: 500 / quantile(abused, 0.99),
      target: "others' p99 < 500 ms under abuse (ratio = 500 ms / p99)",
    });
  } finally {
    await room.stop();
  }
  return lines;
}
