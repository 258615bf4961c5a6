// `image-heist play [SCENARIO] [--profile a,b]`: the workshop app. Parses flags; the app lives in src/ui/.
import type { Command } from 'commander';
import path from 'node:path';
import { DEFAULT_LAB_DIR } from '../embedded/up-defaults.js';
import { UserError } from '../errors.js';
import { invocation } from './invocation.js';
import { exitWithoutTerminal, terminalGone } from '../lab/shutdown.js';
import type { ProfileName } from '../lab/profiles.js';
import { addProfileOption, checkScenarioNames, profilesFrom } from './profile-option.js';
import { addKindImageOptions, kindImages, type KindImageFlags } from './kind-options.js';

interface PlayFlags extends KindImageFlags {
  dir: string;
  profile?: string[];
  profiles?: string[];
  nodes?: string;
  backend: string;
}

export const DEFAULT_PLAY_PROFILES: readonly ProfileName[] = ['none', 'always-pull-images'];

export function registerPlay(program: Command): void {
  const command = program
    .command('play')
    .description('the workshop app: watch clusters with and without a defence side by side, step by step (needs a terminal)')
    .argument('[scenario]', 'a catalogue name or a scenario file (default: pick one from the catalogue)');
  addProfileOption(command, `the clusters side by side, 2 to 4 (default: ${DEFAULT_PLAY_PROFILES.join(',')})`)
    .option('--nodes <n>', 'worker nodes per cluster (default: 2 embedded, 1 on kind)')
    .option('--dir <dir>', 'each lab writes kubeconfig and lab.json to DIR/<profile>/ while the app runs', path.join(DEFAULT_LAB_DIR, 'play'))
    .option('-b, --backend <backend>', 'embedded (in-process, seconds) or kind (real clusters, needs Docker and kind)', 'embedded');
  addKindImageOptions(command).action(async (name: string | undefined, flags: PlayFlags) => {
    await playCommand(name, flags);
  });
}

export function requireTerminal(command: string, instead = `for scripts and CI use \`${invocation()} run\` (same scenarios, plain output, exit codes)`): void {
  if (process.stdin.isTTY !== true || process.stdout.isTTY !== true) {
    throw new UserError(`${command} needs an interactive terminal`, instead);
  }
}

export async function playCommand(name: string | undefined, flags: PlayFlags): Promise<void> {
  const profiles = profilesFrom(flags, DEFAULT_PLAY_PROFILES);
  if (profiles.length < 2 || profiles.length > 4)
    throw new UserError(`play shows 2 to 4 clusters side by side, not ${profiles.length}`, 'for example --profile none,always-pull-images');
  if (flags.backend !== 'embedded' && flags.backend !== 'kind') throw new UserError(`unknown backend "${flags.backend}"`, 'use --backend embedded or --backend kind');
  const kind = flags.backend === 'kind';
  const nodes = Number(flags.nodes ?? (kind ? '1' : '2'));
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 8) throw new UserError(`--nodes must be a whole number from 1 to 8, not "${flags.nodes}"`);
  if (name !== undefined) await checkScenarioNames([name]);
  const { loadBuiltInCatalogue, selectScenarios } = await import('../scenario/catalogue.js');
  const images = kindImages(flags, flags.backend);
  const scenario = name === undefined ? undefined : (await selectScenarios([name]))[0];
  requireTerminal('play');
  const { createBackend } = await import('../lab/create-backend.js');
  if (kind) {
    // Docker, kind, memory and host limits are checked before the app draws: a blocker is one line and exit 3
    const backend = await createBackend('kind', { profiles, nodes, ...(images ? { images } : {}), onNote: (note) => process.stdout.write(`image-heist: ${note}\n`) });
    process.stdout.write('image-heist: loading the workshop app…');
    const [{ play }, scenarios] = await Promise.all([import('../ui/run-play.js'), loadBuiltInCatalogue()]);
    // one backend for all panels: the clusters are created in parallel, each with its own registries
    try {
      // deleting kind clusters takes longer than stopping in-process labs
      await play({ backend, scenarios, scenario, profiles, nodes, timing: backend.timing, labDir: flags.dir, stopDeadlineMs: 180_000 });
    } finally {
      await backend.shutdown();
    }
    if (terminalGone()) exitWithoutTerminal();
    return;
  }
  // Ink and React take a moment to load on a slow machine: say so at once (the app clears this line)
  process.stdout.write('image-heist: loading the workshop app…');
  const [{ play }, scenarios] = await Promise.all([import('../ui/run-play.js'), loadBuiltInCatalogue()]);
  // the backend loads behind the first frame: the screen shows progress instead of a pause
  await play({ backend: () => createBackend('embedded'), scenarios, scenario, profiles, nodes, labDir: flags.dir });
  // everything is stopped and removed; the terminal that is gone cannot be given back its mode
  if (terminalGone()) exitWithoutTerminal();
}
