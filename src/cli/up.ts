import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { DEFAULT_LAB_DIR, DEFAULT_UP_TIME_SCALE } from '../embedded/up-defaults.js';
import { addProfileOption, profilesFrom } from './profile-option.js';

interface UpFlags {
  profile?: string[];
  profiles?: string[];
  nodes: string;
  dir: string;
  timeScale: string;
}

export function registerUp(program: Command): void {
  const command = program
    .command('up')
    .description('start the embedded lab in the foreground (until Ctrl-C) and print the kubectl commands of the story');
  addProfileOption(command, 'the defence (default: none)')
    .option('--nodes <n>', 'worker nodes', '2')
    .option('--dir <dir>', 'where kubeconfig and lab.json are written', DEFAULT_LAB_DIR)
    .option('--time-scale <x>', 'lab seconds per real second (back-offs pass x times faster)', String(DEFAULT_UP_TIME_SCALE))
    .action(async (flags: UpFlags) => {
      const profiles = profilesFrom(flags, ['none']);
      if (profiles.length !== 1) throw new UserError(`up starts one lab, not ${profiles.length}`, 'run up once per profile, each with its own --dir (or use play to see them side by side)');
      const { runUp } = await import('../embedded/up.js');
      await runUp({ profile: profiles[0]!, nodes: flags.nodes, dir: flags.dir, timeScale: flags.timeScale });
    });
}
