// Parity of a kind run with the embedded backend's: the verdict, and per step the evidence that decides it —
// admission (and the API status of a refusal), the pull policy the pod ended with, how the pod settled, and whether
// Admin2 read the flag. Wording of messages and event texts differs between the two (real kubelet vs model) and
// is not compared; an image pull failure is one state whether the kubelet is in ErrImagePull or its back-off.
import type { Observed, ScenarioResult } from '../../src/scenario/results.js';

const pullFailure = new Set(['ErrImagePull', 'ImagePullBackOff']);

export function evidenceOf(o: Observed): Record<string, unknown> {
  return {
    admission: o.admission,
    apiStatus: o.apiStatus?.code,
    pullPolicy: o.pullPolicy,
    pod: typeof o.pod === 'string' && pullFailure.has(o.pod) ? 'pull failed' : o.pod,
    flag: o.flag,
  };
}

/** Where the kind result differs from the embedded one: the verdict, then each step's evidence; empty when equal. */
export function evidenceDifferences(embedded: ScenarioResult, kind: ScenarioResult): string[] {
  const out: string[] = [];
  if (embedded.verdict !== kind.verdict) out.push(`verdict: embedded ${embedded.verdict}, kind ${kind.verdict} (${kind.evidence})`);
  for (const step of embedded.steps) {
    const other = kind.steps.find((s) => s.id === step.id);
    if (!other) {
      out.push(`step ${step.id}: not run on kind`);
      continue;
    }
    const [a, b] = [evidenceOf(step.observed), evidenceOf(other.observed)];
    for (const field of Object.keys(a)) {
      if (a[field] !== b[field]) out.push(`step ${step.id} ${field}: embedded ${String(a[field])}, kind ${String(b[field])}`);
    }
  }
  return out;
}

export function parityLine(equal: number, total: number): string {
  return `kind parity: ${equal}/${total} verdicts equal the embedded backend`;
}
