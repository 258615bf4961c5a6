// Real kind clusters (`npm run bench -- kind`), all measured in one run on the offline images:
// - creation through image-heist (a lab on profile none until Ready, registries and stage included) against bare
//   `kind create cluster` with the very config and node image image-heist gave kind, until the same readiness the
//   lab waits for (nodes and kube-system pods Ready) — the orchestration's overhead (target ≤ 10 %); and, for
//   reference, until its nodes alone are Ready;
// - a lab reset against recreating the lab;
// - the classic story on kind against the same story on the embedded backend.
// image-heist's kind config is read by a `kind` shim first on PATH that copies what it is given and runs the real kind.
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { createEmbeddedBackend } from '../src/embedded/lab.js';
import { createKindBackend, type KindBackendOptions } from '../src/kind/backend.js';
import { waitUntilReady } from '../src/kind/cluster.js';
import { loadBuiltInCatalogue } from '../src/scenario/catalogue.js';
import { EMBEDDED_TIMING, KIND_TIMING, runScenario } from '../src/scenario/engine.js';
import { prepareLiveEnvironment, releaseEngine, withTimeout } from '../test/kind/environment.js';
import type { BenchLine } from './index.js';

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await work();
  return { ms: performance.now() - started, value };
}

/** A `kind` in front of the real one: keeps the config of each `create cluster --config -` and its wall time. */
async function kindShim(dir: string, realKind: string): Promise<void> {
  await writeFile(
    path.join(dir, 'kind'),
    `#!/bin/bash
if [[ "$1 $2" == "create cluster" && " $* " == *" --config - "* ]]; then
  tee "${dir}/config-$$.yaml" | { start=$(date +%s%N); '${realKind}' "$@"; rc=$?; echo $(( ($(date +%s%N) - start) / 1000000 )) > "${dir}/create-ms-$$"; exit $rc; }
  exit \${PIPESTATUS[1]}
fi
exec '${realKind}' "$@"
`,
  );
  await chmod(path.join(dir, 'kind'), 0o755);
}

export default async function bench(): Promise<BenchLine[]> {
  const log = (l: string) => console.log(`  ${l}`);
  const env = await prepareLiveEnvironment(log);
  const shimDir = await mkdtemp(path.join(tmpdir(), 'image-heist-bench-kind-'));
  const lines: BenchLine[] = [];
  try {
    await kindShim(shimDir, env.manifest.kindBinary);
    process.env.PATH = `${shimDir}:${process.env.PATH ?? ''}`;
    const options = { profiles: ['none'], skipPreflight: true, images: env.images } satisfies KindBackendOptions;
    const classic = (await loadBuiltInCatalogue()).find((sc) => sc.metadata.name === 'classic')!;

    // 1. a lab through image-heist
    const backend = createKindBackend(options);
    let labMs = 0;
    let resetMs = 0;
    let storyKind = 0;
    try {
      const started = await timed(() => withTimeout(backend.start({ profile: 'none' }), 15 * 60_000, 'starting the kind lab'));
      labMs = started.ms;
      const lab = started.value;
      storyKind = (await timed(() => runScenario({ scenario: classic, profile: 'none', lab, timing: KIND_TIMING }))).ms;
      resetMs = (await timed(() => lab.reset())).ms;
      await lab.stop();
    } finally {
      await backend.shutdown();
    }
    const configs = (await execa('sh', ['-c', `ls ${shimDir}/config-*.yaml`], { reject: false })).stdout.split('\n').filter(Boolean);
    if (configs.length === 0) throw new Error('image-heist did not run `kind create cluster --config -` through the shim');
    const config = configs[0]!;

    // 2. bare kind with the same config and image, until the nodes are Ready, then until the readiness the lab
    //    waits for (every node Ready and every kube-system pod Ready: kube-proxy, CoreDNS, the CNI)
    const kubeconfig = path.join(shimDir, 'bare.kubeconfig');
    let nodesReadyMs = 0;
    const bare = await timed(async () => {
      const began = performance.now();
      const create = await execa(env.manifest.kindBinary, ['create', 'cluster', '--name', 'image-heist-bench-bare', '--config', config, '--kubeconfig', kubeconfig], {
        reject: false,
        all: true,
      });
      if (create.exitCode !== 0) throw new Error(`bare kind create cluster failed: ${create.all}`);
      const ready = await execa('kubectl', ['--kubeconfig', kubeconfig, 'wait', '--for=condition=Ready', 'nodes', '--all', '--timeout=600s'], { reject: false, all: true });
      if (ready.exitCode !== 0) throw new Error(`bare cluster nodes not Ready: ${ready.all}`);
      nodesReadyMs = performance.now() - began;
      const nodes = (await execa('kubectl', ['--kubeconfig', kubeconfig, 'get', 'nodes', '-o', 'name'])).stdout.split('\n').filter(Boolean).length;
      await waitUntilReady(await readFile(kubeconfig, 'utf8'), nodes, { cluster: 'image-heist-bench-bare' });
    });
    await execa(env.manifest.kindBinary, ['delete', 'cluster', '--name', 'image-heist-bench-bare', '--kubeconfig', kubeconfig], { reject: false });
    const createMs = Number((await readFile((await execa('sh', ['-c', `ls ${shimDir}/create-ms-* | head -1`])).stdout.trim(), 'utf8')).trim());

    // 3. the same story on the embedded backend
    const embedded = createEmbeddedBackend();
    const elab = await embedded.start({ profile: 'none' });
    const storyEmbedded = (await timed(() => runScenario({ scenario: classic, profile: 'none', lab: elab, timing: EMBEDDED_TIMING }))).ms;
    await elab.stop();

    lines.push(
      {
        name: "lab ready through image-heist vs bare kind create until the lab's readiness (nodes and kube-system pods Ready; same config, same image)",
        value: `${s(labMs)} vs ${s(bare.ms)} (of which kind create ${s(createMs)} inside image-heist)`,
        ratio: bare.ms / labMs,
        target: '≥ 0.91x (overhead ≤ 10 %)',
      },
      { name: 'lab ready through image-heist vs bare kind create until its nodes are Ready only', value: `${s(labMs)} vs ${s(nodesReadyMs)}`, ratio: nodesReadyMs / labMs },
      { name: 'lab reset vs recreating the lab', value: `${s(resetMs)} vs ${s(labMs)}`, ratio: labMs / resetMs, target: '> 1x' },
      { name: 'classic story on kind vs embedded', value: `${s(storyKind)} vs ${s(storyEmbedded)}`, ratio: storyEmbedded / storyKind },
    );
    return lines;
  } finally {
    await rm(shimDir, { recursive: true, force: true });
    await releaseEngine(env, log);
  }
}
