// `run --markdown FILE`: the story of each run, step by step, with the manifest, the API's answer, the
// kubelet's events and the verdict — a transcript an instructor can hand out.
import { stringify } from 'yaml';
import type { ScenarioResult, StepResult } from '../scenario/results.js';
import type { Scenario, Step } from '../scenario/schema.js';
import { failureLines } from './failures.js';

export function markdownReport(scenarios: Scenario[], results: ScenarioResult[], backend: string): string {
  const out: string[] = ['# image-heist transcript', '', `Backend: ${backend}.`, ''];
  out.push('| scenario | profile | verdict | as expected |', '|---|---|---|---|');
  for (const r of results) out.push(`| ${r.scenario} | ${r.profile} | ${r.verdict} | ${r.passed ? 'yes' : `**no** (expected ${r.expectedVerdict})`} |`);
  for (const scenario of scenarios) {
    const runs = results.filter((r) => r.scenario === scenario.metadata.name);
    if (runs.length === 0) continue;
    out.push('', `## ${scenario.metadata.title} (\`${scenario.metadata.name}\`)`, '', scenario.metadata.summary);
    if (scenario.metadata.references.length > 0) {
      out.push('', `References: ${scenario.metadata.references.map((r) => (r.url ? `[${r.id}](${r.url})` : r.id)).join(', ')}.`);
    }
    for (const run of runs) {
      out.push('', `### Profile \`${run.profile}\`: ${run.verdict}`, '');
      scenario.steps.forEach((step, i) => out.push(...stepSection(step, i, run.steps.find((s) => s.id === step.id))));
      out.push('', `**Verdict: ${run.verdict}** (expected ${run.expectedVerdict}). ${run.evidence}`);
      const failures = failureLines(run);
      if (failures.length > 0) out.push('', 'What did not go as expected:', '', ...failures.map((l) => `- ${l}`));
    }
  }
  return `${out.join('\n')}\n`;
}

function stepSection(step: Step, index: number, result: StepResult | undefined): string[] {
  const out = ['', `#### ${index + 1}. ${step.title} (${step.actor})`, '', step.explain.trim()];
  const [action, body] = Object.entries(result?.applied ?? step.action)[0]!;
  const manifest = (body as { manifest?: unknown }).manifest;
  out.push('', `Action: \`${action}\``);
  if (manifest !== undefined) out.push('', '```yaml', stringify(manifest).trimEnd(), '```');
  else if (body && Object.keys(body).length > 0) out.push('', '```yaml', stringify(body).trimEnd(), '```');
  if (!result) return [...out, '', '_not run_'];
  const o = result.observed;
  const facts: string[] = [];
  if (o.admission === 'allowed') facts.push('API server: admitted');
  if (o.admission === 'denied') facts.push(`API server: refused${o.apiStatus ? ` (${o.apiStatus.code} ${o.apiStatus.reason})` : ''}: ${o.admissionMessage ?? ''}`);
  if (o.pullPolicy) facts.push(`effective imagePullPolicy: ${o.pullPolicy}`);
  if (o.pod) facts.push(`pod status: ${o.pod}`);
  if (o.flag) facts.push(`flag in logs: ${o.flag}${o.flagEvidence ? ` (\`${o.flagEvidence}\`)` : ''}`);
  if (result.error) facts.push(`error: ${result.error}`);
  out.push('', ...facts.map((f) => `- ${f}`));
  if (o.events && o.events.length > 0) {
    out.push('', '| type | reason | message |', '|---|---|---|', ...o.events.map((e) => `| ${e.type} | ${e.reason} | ${e.message.replace(/\|/g, '\\|')} |`));
  }
  return out;
}
