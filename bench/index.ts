// `npm run bench [-- NAME…]`: runs every bench/*.bench.ts (or only those named) and prints what each measured.
// Each bench compares against a reference measured in the same run and prints ratios, never absolute pass/fail.
import { readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export interface BenchLine {
  /** What was measured, e.g. "manifest GET p50 (embedded vs distribution)". */
  name: string;
  /** The measured figure, already formatted with its unit, e.g. "1.8 ms vs 2.4 ms". */
  value: string;
  /** Our figure relative to the reference (>1 = better), when there is one. */
  ratio?: number;
  /** The target, e.g. ">= 1.0x distribution"; printed beside the ratio. */
  target?: string;
}

export type Bench = () => Promise<BenchLine[]>;

const here = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = (await readdir(here)).filter((f) => f.endsWith('.bench.ts')).sort();
let failures = 0;
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  console.log(`\n== ${name}`);
  const started = performance.now();
  try {
    const { default: bench } = (await import(path.join(here, file))) as { default: Bench };
    for (const line of await bench()) {
      const ratio = line.ratio === undefined ? '' : `  ratio ${line.ratio.toFixed(2)}x`;
      const target = line.target ? `  (target ${line.target})` : '';
      console.log(`  ${line.name}: ${line.value}${ratio}${target}`);
    }
  } catch (error) {
    failures++;
    console.log(`  failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  console.log(`  (${((performance.now() - started) / 1000).toFixed(1)} s)`);
}
process.exitCode = failures > 0 ? 1 : 0;
