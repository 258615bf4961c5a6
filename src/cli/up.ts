import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { DEFAULT_LAB_DIR, DEFAULT_UP_TIME_SCALE } from '../embedded/up-defaults.js';
import { addKindImageOptions, kindImages, type KindImageFlags } from './kind-options.js';
import { addProfileOption, profilesFrom } from './profile-option.js';

interface UpFlags extends KindImageFlags {
  profile?: string[];
  profiles?: string[];
  nodes?: string;
  dir: string;
  timeScale: string;
  backend: string;
}

export function registerUp(program: Command): void {
  const command = program.command('up').description('start a lab in the foreground (until Ctrl-C), write kubeconfig and lab.json, and print the kubectl commands of the story');
  addProfileOption(command, 'the defence (default: none)')
    .option('--nodes <n>', 'worker nodes (default: 2 embedded, 1 on kind)')
    .option('--dir <dir>', 'where kubeconfig and lab.json are written', DEFAULT_LAB_DIR)
    .option('--time-scale <x>', 'embedded: lab seconds per real second (back-offs pass x times faster)', String(DEFAULT_UP_TIME_SCALE))
    .option('-b, --backend <backend>', 'embedded (in-process, seconds) or kind (a real cluster; needs Docker and kind >= 0.32)', 'embedded');
  addKindImageOptions(command).action(async (flags: UpFlags) => {
    const profiles = profilesFrom(flags, ['none']);
    if (profiles.length !== 1)
      throw new UserError(`up starts one lab, not ${profiles.length}`, 'run up once per profile, each with its own --dir (or use play to see them side by side)');
    const profile = profiles[0]!;
    if (flags.backend !== 'embedded' && flags.backend !== 'kind') throw new UserError(`unknown backend "${flags.backend}"`, 'use --backend embedded or --backend kind');
    const images = kindImages(flags, flags.backend);
    const kind = flags.backend === 'kind';
    const nodes = flags.nodes ?? (kind ? '1' : '2');
    const { runUp, parseUpOptions } = await import('../embedded/up.js');
    // bad input is one line before any cluster starts
    const parsed = parseUpOptions({ profile, nodes, dir: flags.dir, timeScale: flags.timeScale });
    let backend;
    if (kind) {
      const { createBackend } = await import('../lab/create-backend.js');
      backend = await createBackend('kind', {
        profiles: [parsed.profile],
        nodes: parsed.nodes,
        ...(images ? { images } : {}),
        onNote: (note) => process.stdout.write(`image-heist: ${note}\n`),
      });
    }
    await runUp({ profile, nodes, dir: flags.dir, timeScale: flags.timeScale, ...(backend ? { backend } : {}) });
  });
}
