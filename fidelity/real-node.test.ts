// Stretch: the catalogue on a real node — kube-apiserver, etcd and kubelet v1.36.3 built here, Debian's containerd
// and runc, the lab's registry with SuperSecretImage1 on Debian's busybox-static — driven by the scenario engine
// (client-node) exactly as on the embedded and kind backends, and every verdict compared with the embedded
// backend's. Profiles run one after another (one node bridge and node address on this machine).
//
// Opt-in (FIDELITY_NODE=1: it takes ~10 minutes and changes the host — a node bridge and address, containerd state
// in a temp dir). Needs root, containerd, runc, ctr and the CNI plugins (/usr/lib/cni); with FIDELITY_NODE=1 a missing
// one fails the test with the reason, otherwise the test is skipped and says how to run it. Scenarios needing a scheduler (node-pinning) or a second
// node (other-node) are left out: this control plane has neither kube-scheduler nor a second kubelet.
import { existsSync } from 'node:fs';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedBackend } from '../src/embedded/lab.js';
import { PROFILE_NAMES } from '../src/lab/profiles.js';
import { loadBuiltInCatalogue } from '../src/scenario/catalogue.js';
import { KIND_TIMING, runMatrix } from '../src/scenario/engine.js';
import type { ScenarioResult } from '../src/scenario/results.js';
import { buildUnavailableReason, ensureBinaries, isBuilt } from './build.js';
import { createRealNodeBackend } from './real-node-lab.js';

const withoutScheduler = new Set(['node-pinning', 'other-node']);

async function unavailable(): Promise<string | undefined> {
  if (process.env.FIDELITY_NODE !== '1') return 'opt-in: run it with FIDELITY_NODE=1 npm run test:fidelity (needs root, containerd, runc, CNI plugins)';
  if (process.getuid?.() !== 0) return 'a kubelet and containerd need root';
  for (const tool of ['containerd', 'runc', 'ctr', 'ip']) {
    if ((await execa('sh', ['-c', `command -v ${tool}`], { reject: false })).exitCode !== 0) return `${tool} is not installed (Debian: apt-get install containerd runc)`;
  }
  if (!existsSync('/usr/lib/cni/bridge')) return 'no CNI plugins in /usr/lib/cni (Debian: apt-get install containernetworking-plugins)';
  if (!(await isBuilt('kubelet'))) {
    const reason = await buildUnavailableReason();
    if (reason) return reason;
    await ensureBinaries(['etcd', 'kube-apiserver', 'kubelet']);
  }
  return undefined;
}
const reason = await unavailable();
if (reason) {
  console.log(`real-node story skipped: ${reason}`);
  if (process.env.FIDELITY_NODE === '1') it('runs a real node', () => expect.fail(reason));
}

const profiles = (process.env.FIDELITY_NODE_PROFILES?.split(',') ?? [...PROFILE_NAMES]) as (typeof PROFILE_NAMES)[number][];

describe.skipIf(reason !== undefined)('the catalogue on a real kubelet v1.36.3 (containerd, runc) vs the embedded backend', () => {
  const lines: string[] = [];
  afterAll(() => console.log(['', 'real node vs embedded:', ...lines].join('\n')));

  it(
    'gives every scenario the same verdict on every profile',
    async () => {
      const scenarios = (await loadBuiltInCatalogue()).filter((s) => !withoutScheduler.has(s.metadata.name));
      const only = process.env.FIDELITY_NODE_SCENARIOS?.split(',');
      const chosen = only ? scenarios.filter((s) => only.includes(s.metadata.name)) : scenarios;
      const embedded = await runMatrix({ scenarios: chosen, profiles, backend: createEmbeddedBackend({ timeScale: 20 }) });
      const real: ScenarioResult[] = [];
      for (const profile of profiles) {
        real.push(
          ...(await runMatrix({
            scenarios: chosen,
            profiles: [profile],
            backend: createRealNodeBackend(),
            timing: KIND_TIMING,
            emit: (e) => {
              if (e.type === 'verdict') console.log(`  [${e.profile}] ${e.scenario}: ${e.result.verdict} — ${e.result.evidence}`);
            },
          })),
        );
      }
      const key = (r: { scenario: string; profile: string }) => `${r.scenario} on ${r.profile}`;
      const byKey = new Map(embedded.map((r) => [key(r), r]));
      const differences: string[] = [];
      for (const r of real) {
        const e = byKey.get(key(r));
        const same = e?.verdict === r.verdict;
        lines.push(`  ${same ? 'same     ' : 'DIFFERENT'} ${key(r)}: real ${r.verdict}${r.passed ? '' : ' (expectations not met)'}, embedded ${e?.verdict ?? '?'} — ${r.evidence}`);
        if (!same) differences.push(`${key(r)}: real ${r.verdict}, embedded ${e?.verdict}`);
      }
      expect(real.map(key)).toEqual(embedded.map(key));
      expect(differences).toEqual([]);
      // Step by step too: where the real kubelet and the embedded model part ways, this names the step.
      const unmet = real
        .filter((r) => !r.passed)
        .map((r) => {
          const steps = r.steps.filter((s) => !s.passed);
          const why = steps.map(
            (s) =>
              s.error ??
              `${s.id} (${s.checks
                .filter((c) => !c.passed)
                .map((c) => `${c.field}: expected ${JSON.stringify(c.expected)}, observed ${JSON.stringify(c.observed)}`)
                .join('; ')})`,
          );
          return `${key(r)}: ${why.join(', ')}`;
        });
      expect(unmet).toEqual([]);
    },
    120 * 60_000,
  );
});
