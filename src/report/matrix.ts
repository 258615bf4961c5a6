// The text summary of `run`: scenarios down, profiles across, each cell the verdict and whether it was expected.
import type { ProfileName } from '../lab/profiles.js';
import type { ScenarioResult } from '../scenario/results.js';
import { failureLines } from './failures.js';

export interface MatrixStyle {
  /** Colour and symbols for a terminal; plain words otherwise (and when NO_COLOR is set). */
  color: boolean;
}

export function matrixReport(results: ScenarioResult[], style: MatrixStyle): string {
  const scenarios = [...new Set(results.map((r) => r.scenario))];
  const profiles = [...new Set(results.map((r) => r.profile))] as ProfileName[];
  const cell = (r: ScenarioResult | undefined): string => {
    if (!r) return '-';
    const mark = r.passed ? 'ok' : `FAIL (expected ${r.expectedVerdict})`;
    return `${r.verdict} ${mark}`;
  };
  const rows = scenarios.map((s) => [s, ...profiles.map((p) => cell(results.find((r) => r.scenario === s && r.profile === p)))]);
  const header = ['scenario', ...profiles];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const paint = (text: string) => {
    if (!style.color) return text;
    return text
      .replace(/\bFAIL \(expected \w+\)/g, (m) => `\x1b[31m${m}\x1b[0m`)
      .replace(/\bok\b/g, '\x1b[32mok\x1b[0m')
      .replace(/\bbypassed\b/g, '\x1b[1;31mbypassed\x1b[0m')
      .replace(/\bblocked\b/g, '\x1b[1;32mblocked\x1b[0m');
  };
  const out = [line(header), ...rows.map((row) => paint(line(row)))];
  const failed = results.filter((r) => !r.passed);
  for (const r of failed) {
    out.push('', `${r.scenario} on ${r.profile}:`, ...failureLines(r).map((l) => `  ${l}`));
  }
  out.push('', `${results.length - failed.length} passed, ${failed.length} failed`);
  return out.join('\n');
}
