// `image-heist workshop --attendees N`: a lab per attendee in this process and the instructor's board.
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { DEFAULT_LAB_DIR, DEFAULT_UP_TIME_SCALE } from '../embedded/up-defaults.js';
import { addProfileOption, profilesFrom } from './profile-option.js';

interface WorkshopFlags {
  attendees?: string;
  profile?: string[];
  profiles?: string[];
  dir: string;
  listen?: string;
  keep?: boolean;
  nodes: string;
  timeScale: string;
  json?: boolean;
}

export function registerWorkshop(program: Command): void {
  const command = program
    .command('workshop')
    .description("one machine serves a room: an isolated lab per attendee (each its own API server, CA, tokens and flag), a handout each, and the instructor's live board")
    .requiredOption('--attendees <n>', 'how many labs (one per attendee)');
  addProfileOption(command, 'the defence every lab starts with (default: none)')
    .option('--dir <dir>', 'where attendee-K/{kubeconfig,lab.json,handout.md} are written', `${DEFAULT_LAB_DIR}/workshop`)
    .option('--listen <addr>', "the address the API servers bind and their certificates name (default 127.0.0.1); this machine's address on the room's network")
    .option('--keep', "keep the attendees' files when the workshop stops")
    .option('--nodes <n>', 'worker nodes per lab', '2')
    .option('--time-scale <x>', 'lab seconds per real second (back-offs pass x times faster)', String(DEFAULT_UP_TIME_SCALE))
    .option('--json', 'print events (one JSON object per line) instead of the board')
    .action(async (flags: WorkshopFlags) => {
      const profiles = profilesFrom(flags, ['none']);
      if (profiles.length !== 1)
        throw new UserError(`a room runs one profile at a time, not ${profiles.length}`, 'pass one --profile; switch the room later from the board (p, then Enter)');
      const { runWorkshop } = await import('../workshop/run-workshop.js');
      await runWorkshop({
        attendees: flags.attendees ?? '',
        profile: profiles[0]!,
        dir: flags.dir,
        nodes: flags.nodes,
        timeScale: flags.timeScale,
        ...(flags.listen !== undefined ? { listen: flags.listen } : {}),
        ...(flags.keep ? { keep: true } : {}),
        ...(flags.json ? { json: true } : {}),
        board: process.stdout.isTTY === true && process.stdin.isTTY === true,
      });
    });
}
