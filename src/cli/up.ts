import type { Command } from 'commander';
import { PROFILE_NAMES } from '../lab/profiles.js';
import { DEFAULT_LAB_DIR, DEFAULT_UP_TIME_SCALE } from '../embedded/up-defaults.js';

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start the embedded lab in the foreground (until Ctrl-C) and print the kubectl commands of the story')
    .option('--profile <profile>', `the defence: ${PROFILE_NAMES.join(', ')}`, 'none')
    .option('--nodes <n>', 'worker nodes', '2')
    .option('--dir <dir>', 'where kubeconfig and lab.json are written', DEFAULT_LAB_DIR)
    .option('--time-scale <x>', 'lab seconds per real second (back-offs pass x times faster)', String(DEFAULT_UP_TIME_SCALE))
    .action(async (options: { profile: string; nodes: string; dir: string; timeScale: string }) => {
      const { runUp } = await import('../embedded/up.js');
      await runUp(options);
    });
}
