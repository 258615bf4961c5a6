// `run --junit FILE`: a testsuite per scenario, a testcase per profile, failures with expected vs observed.
import type { ScenarioResult } from '../scenario/results.js';
import { failureLines } from './failures.js';

export function junitReport(results: ScenarioResult[]): string {
  const byScenario = new Map<string, ScenarioResult[]>();
  for (const r of results) byScenario.set(r.scenario, [...(byScenario.get(r.scenario) ?? []), r]);
  const suites = [...byScenario].map(([scenario, rs]) => {
    const failures = rs.filter((r) => !r.passed).length;
    const time = seconds(rs.reduce((t, r) => t + r.durationMs, 0));
    const cases = rs.map((r) => {
      const head = `    <testcase classname="image-heist.${xml(scenario)}" name="${xml(r.profile)}" time="${seconds(r.durationMs)}">`;
      const out = `      <system-out>${xml(`verdict: ${r.verdict} (expected ${r.expectedVerdict}); ${r.evidence}`)}</system-out>`;
      if (r.passed) return [head, out, '    </testcase>'].join('\n');
      const lines = failureLines(r);
      const failure = `      <failure message="${xml(lines[0] ?? 'failed')}" type="${r.verdict === 'error' ? 'LabError' : 'ExpectationFailed'}">${xml(lines.join('\n'))}</failure>`;
      return [head, failure, out, '    </testcase>'].join('\n');
    });
    return [`  <testsuite name="${xml(scenario)}" tests="${rs.length}" failures="${failures}" errors="0" time="${time}">`, ...cases, '  </testsuite>'].join('\n');
  });
  const failures = results.filter((r) => !r.passed).length;
  return ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites name="image-heist" tests="${results.length}" failures="${failures}">`, ...suites, '</testsuites>', ''].join('\n');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function xml(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      // XML 1.0 forbids most control characters even when escaped
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

/** The escaping above, for other XML reports (the audit's JUnit). */
export { xml as xmlEscape };
