// Why a scenario × profile failed, in lines a person reads: expected vs observed, per step and for the
// verdict, each with the cause the cluster gave (the API server's refusal, the kubelet's warning).
import { describeFailedChecks } from '../scenario/expectations.js';
import type { ScenarioResult, StepResult } from '../scenario/results.js';

export function failureLines(result: ScenarioResult): string[] {
  const lines: string[] = [];
  if (result.error) lines.push(`lab error: ${result.error}`);
  for (const step of result.steps) {
    if (step.error) lines.push(`step ${step.id}: ${step.error}`);
    const failed = describeFailedChecks(step.checks);
    for (const line of failed) lines.push(`step ${step.id}: ${line}`);
    const cause = failed.length > 0 ? causeOf(step) : undefined;
    if (cause) lines.push(`step ${step.id}: ${cause}`);
  }
  if (result.verdict !== result.expectedVerdict) {
    lines.push(`verdict: expected ${result.expectedVerdict}, observed ${result.verdict} (${result.evidence})`);
  }
  return lines;
}

/** What the cluster said about a step: the API server's refusal, or the kubelet's last warning for the pod. */
export function causeOf(step: StepResult): string | undefined {
  const o = step.observed;
  if (o.admission === 'denied') {
    const status = o.apiStatus ? `${o.apiStatus.code} ${o.apiStatus.reason}` : 'refused';
    return `the API server answered ${status}${o.admissionMessage ? `: ${o.admissionMessage}` : ''}`;
  }
  const warning = [...(o.events ?? [])].reverse().find((e) => e.type === 'Warning' && !e.message.startsWith('Error: '));
  return warning ? `the kubelet said ${warning.reason}: ${warning.message}` : undefined;
}
