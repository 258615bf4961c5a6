// The whole catalogue × 4 profiles on the embedded backend, as `image-heist run` does it: total wall time
// against the 5 s target, p50/p95 per scenario × profile and per step, and the lab's share (start, reset).
import { embeddedBackend } from '../src/embedded/lab.js';
import type { LabBackend } from '../src/lab/backend.js';
import { PROFILE_NAMES } from '../src/lab/profiles.js';
import { loadBuiltInCatalogue } from '../src/scenario/catalogue.js';
import { runMatrix } from '../src/scenario/engine.js';
import type { BenchLine } from './index.js';

const TARGET_MS = 5_000;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

const ms = (n: number) => `${n.toFixed(0)} ms`;

export default async function bench(): Promise<BenchLine[]> {
  const scenarios = await loadBuiltInCatalogue();
  const starts: number[] = [];
  const resets: number[] = [];
  // the real backend, timed: how much of the matrix is the lab starting and resetting
  const backend: LabBackend = {
    ...embeddedBackend,
    start: async (options) => {
      const t = performance.now();
      const lab = await embeddedBackend.start(options);
      starts.push(performance.now() - t);
      const reset = lab.reset.bind(lab);
      return Object.assign(Object.create(lab) as typeof lab, {
        reset: async () => {
          const r = performance.now();
          await reset();
          resets.push(performance.now() - r);
        },
      });
    },
  };
  const stepTimes: number[] = [];
  let stepStarted = 0;
  const t0 = performance.now();
  const results = await runMatrix({
    scenarios,
    profiles: [...PROFILE_NAMES],
    backend,
    emit: (e) => {
      if (e.type === 'step-started') stepStarted = performance.now();
      if (e.type === 'step-finished') stepTimes.push(performance.now() - stepStarted);
    },
  });
  const total = performance.now() - t0;
  const runs = results.map((r) => r.durationMs);
  const failed = results.filter((r) => !r.passed).length;
  return [
    {
      name: `whole catalogue (${scenarios.length} scenarios × ${PROFILE_NAMES.length} profiles, ${failed} failed)`,
      value: ms(total),
      ratio: TARGET_MS / total,
      target: `under ${TARGET_MS / 1000} s (ratio = target / measured)`,
    },
    { name: 'per scenario × profile p50 / p95', value: `${ms(percentile(runs, 50))} / ${ms(percentile(runs, 95))}` },
    { name: `per step p50 / p95 (${stepTimes.length} steps)`, value: `${ms(percentile(stepTimes, 50))} / ${ms(percentile(stepTimes, 95))}` },
    { name: 'lab start p50 (4 labs) / reset p50', value: `${ms(percentile(starts, 50))} / ${ms(percentile(resets, 50))}` },
    { name: "lab's share of the total (start + reset)", value: `${(((starts.reduce((a, b) => a + b, 0) + resets.reduce((a, b) => a + b, 0)) / total) * 100).toFixed(0)} %` },
  ];
}
