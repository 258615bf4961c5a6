import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { ExitCode, UserError } from '../errors.js';
import type { BackendName } from '../lab/backend.js';
import { PROFILE_NAMES, type ProfileName } from '../lab/profiles.js';
import { addKindImageOptions, kindImages, type KindImageFlags } from './kind-options.js';
import { addProfileOption, checkScenarioNames, profilesFrom } from './profile-option.js';

interface RunOptions extends KindImageFlags {
  profile?: string[];
  profiles?: string[];
  json?: boolean;
  junit?: string;
  markdown?: string;
  failFast?: boolean;
  backend: string;
  nodes?: string;
  keep?: boolean;
  dryRun?: boolean;
}

export function registerRun(program: Command): void {
  const command = program
    .command('run')
    .description('run scenarios headless on every profile and check each expectation (a regression suite)')
    .argument('[scenario...]', 'catalogue names or scenario files (default: the whole catalogue)');
  addProfileOption(command, 'profiles to run (default: all)')
    .option('--json', 'print the results as JSON on stdout (progress goes to stderr)')
    .option('--junit <file>', 'write a JUnit XML report')
    .option('--markdown <file>', 'write a Markdown transcript of every step')
    .option('--fail-fast', 'stop at the first scenario that does not meet its expectations')
    .option('-b, --backend <backend>', 'embedded (in-process, seconds) or kind (real clusters; needs Docker and kind >= 0.32)', 'embedded')
    .option('--nodes <n>', 'worker nodes per cluster (default: 2 embedded, 1 on kind)')
    .option('--keep', 'kind: keep the clusters and registries after the run, and reuse kept ones (remove them with `image-heist down`)')
    .option('--dry-run', 'kind: print the kind configs, commands and manifests it would run, and stop');
  addKindImageOptions(command).action(async (names: string[], options: RunOptions) => {
    process.exitCode = await run(names, options);
  });
}

async function run(names: string[], options: RunOptions): Promise<number> {
  const profiles: ProfileName[] = profilesFrom(options, PROFILE_NAMES);
  await checkScenarioNames(names);
  if (options.backend !== 'embedded' && options.backend !== 'kind') {
    throw new UserError(`unknown backend "${options.backend}"`, 'use --backend embedded or --backend kind');
  }
  const backendName: BackendName = options.backend;
  const nodes = options.nodes === undefined ? undefined : Number(options.nodes);
  if (nodes !== undefined && (!Number.isInteger(nodes) || nodes < 1 || nodes > 8)) {
    throw new UserError(`--nodes must be a whole number from 1 to 8, not "${options.nodes}"`, 'for example --nodes 2');
  }
  if ((options.keep || options.dryRun) && backendName !== 'kind') {
    throw new UserError(`${options.keep ? '--keep' : '--dry-run'} is for the kind backend`, 'add --backend kind');
  }
  const images = kindImages(options, backendName);
  // Loaded only now: the catalogue (zod, YAML) and the reports cost start-up that `--help` and bad input need not pay.
  const [
    { selectScenarios },
    { createBackend },
    { jsonReport },
    { junitReport },
    { markdownReport },
    { matrixReport },
    { RunProgress, wantsColor },
    { CANCELLED_EXIT_CODE, STILL_STOPPING, listenForShutdown },
  ] = await Promise.all([
    import('../scenario/catalogue.js'),
    import('../lab/create-backend.js'),
    import('../report/json.js'),
    import('../report/junit.js'),
    import('../report/markdown.js'),
    import('../report/matrix.js'),
    import('../report/progress.js'),
    import('../lab/shutdown.js'),
  ]);
  const scenarios = await selectScenarios(names);
  if (options.dryRun) {
    const kind = await import('../kind/plan.js');
    process.stdout.write(kind.renderKindPlan(kind.planKindLab({ profiles, keep: options.keep, ...(nodes ? { workers: nodes } : {}), ...(images ? { images } : {}) })));
    return ExitCode.ok;
  }
  // With --json, stdout carries only the JSON document; progress and the matrix go to stderr.
  const out = options.json ? process.stderr : process.stdout;
  // Loaded only now: the labs and the engine (client-node) are the heavy part of start-up, and bad input needs none of them.
  const { runMatrix } = await import('../scenario/engine.js');
  const backend = await createBackend(backendName, {
    profiles,
    ...(nodes ? { nodes } : {}),
    ...(options.keep ? { keep: true } : {}),
    ...(images ? { images } : {}),
    onNote: (note) => out.write(`image-heist: ${note}\n`),
  });
  const progress = new RunProgress({ stream: out, interactive: out.isTTY === true, color: wantsColor(out) });
  // Ctrl-C: the matrix so far, everything removed, exit 130 — and a second Ctrl-C does not cut the clean-up short
  const shutdown = listenForShutdown({ onRepeat: () => process.stderr.write(STILL_STOPPING) });
  try {
    let results: Awaited<ReturnType<typeof runMatrix>>;
    try {
      results = await runMatrix({ scenarios, profiles, backend, emit: progress.listener, failFast: options.failFast, signal: shutdown.signal, ...(nodes ? { nodes } : {}) });
    } catch (error) {
      if (!shutdown.signal.aborted) throw error;
      results = [];
    }
    progress.stop();
    out.write(`\n${matrixReport(results, { color: wantsColor(out) })}\n`);
    if (options.json) process.stdout.write(`${JSON.stringify(jsonReport(backendName, results), null, 2)}\n`);
    if (options.junit) await writeFile(options.junit, junitReport(results));
    if (options.markdown) await writeFile(options.markdown, markdownReport(scenarios, results, backendName));
    if (shutdown.signal.aborted) return CANCELLED_EXIT_CODE;
    return results.every((r) => r.passed) ? ExitCode.ok : ExitCode.expectationFailed;
  } finally {
    progress.stop();
    // kind: removes every cluster and container this run made (unless --keep), after Ctrl-C too
    await backend.shutdown();
    shutdown.dispose();
  }
}
