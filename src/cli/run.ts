import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ExitCode, UserError } from '../errors.js';
import { UnknownProfileError, parseProfiles, type ProfileName } from '../lab/profiles.js';
import { jsonReport } from '../report/json.js';
import { junitReport } from '../report/junit.js';
import { markdownReport } from '../report/markdown.js';
import { matrixReport } from '../report/matrix.js';
import { RunProgress, wantsColor } from '../report/progress.js';
import { selectScenarios } from '../scenario/catalogue.js';

interface RunOptions {
  profile: string;
  json?: boolean;
  junit?: string;
  markdown?: string;
  failFast?: boolean;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('run scenarios headless on every profile and check each expectation (a regression suite)')
    .argument('[scenario...]', 'catalogue names or scenario files (default: the whole catalogue)')
    .option('-p, --profile <profiles>', 'profiles to run, comma-separated, or all', 'all')
    .option('--json', 'print the results as JSON on stdout (progress goes to stderr)')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--markdown <file>', 'write a Markdown transcript of every step')
    .option('--fail-fast', 'stop at the first scenario that does not meet its expectations')
    .action(async (names: string[], options: RunOptions) => {
      process.exitCode = await run(names, options);
    });
}

async function run(names: string[], options: RunOptions): Promise<number> {
  let profiles: ProfileName[];
  try {
    profiles = parseProfiles(options.profile);
  } catch (error) {
    if (error instanceof UnknownProfileError) throw new UserError(error.message, 'pick from the list or use all');
    throw error;
  }
  const scenarios = await selectScenarios(names);
  // Loaded only now: the lab and the engine (client-node) are the heavy part of start-up, and bad input needs neither.
  const [{ embeddedBackend }, { runMatrix }] = await Promise.all([import('../embedded/lab.js'), import('../scenario/engine.js')]);
  // With --json, stdout carries only the JSON document; progress and the matrix go to stderr.
  const out = options.json ? process.stderr : process.stdout;
  const progress = new RunProgress({ stream: out, interactive: out.isTTY === true, color: wantsColor(out) });
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const results = await runMatrix({ scenarios, profiles, backend: embeddedBackend, emit: progress.listener, failFast: options.failFast, signal: abort.signal });
    progress.stop();
    out.write(`\n${matrixReport(results, { color: wantsColor(out) })}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(jsonReport('embedded', results), null, 2)}\n`);
    if (options.junit) await writeFile(options.junit, junitReport(results));
    if (options.markdown) await writeFile(options.markdown, markdownReport(scenarios, results, 'embedded'));
    if (abort.signal.aborted) return 130;
    return results.every((r) => r.passed) ? ExitCode.ok : ExitCode.expectationFailed;
  } finally {
    progress.stop();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
