// Why a scenario × profile failed, in lines a person reads: expected vs observed, per step and for the verdict.
import { describeFailedChecks } from '../scenario/expectations.js';
import type { ScenarioResult } from '../scenario/results.js';

export function failureLines(result: ScenarioResult): string[] {
  const lines: string[] = [];
  if (result.error) lines.push(`lab error: ${result.error}`);
  for (const step of result.steps) {
    if (step.error) lines.push(`step ${step.id}: ${step.error}`);
    for (const line of describeFailedChecks(step.checks)) lines.push(`step ${step.id}: ${line}`);
  }
  if (result.verdict !== result.expectedVerdict) {
    lines.push(`verdict: expected ${result.expectedVerdict}, observed ${result.verdict} (${result.evidence})`);
  }
  return lines;
}
