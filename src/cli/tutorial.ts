// `image-heist tutorial [--dir DIR]`: the guided tutorial; the app lives in src/ui/, the chapters in docs/tutorial/.
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_LAB_DIR } from '../embedded/up-defaults.js';
import { invocation } from './invocation.js';
import { exitWithoutTerminal, terminalGone } from '../lab/shutdown.js';
import { requireTerminal } from './play.js';
import { TUTORIAL_DIR } from '../tutorial/chapters.js';

export function registerTutorial(program: Command): void {
  program
    .command('tutorial')
    .description('the guided tutorial: why the cached-image bypass works and how each defence stops it, with hands-on tasks checked live (needs a terminal)')
    .option('--dir <dir>', 'where `image-heist up` writes lab.json, for the hands-on tasks', DEFAULT_LAB_DIR)
    .action(async (options: { dir: string }) => {
      requireTerminal('tutorial', `read the chapters as Markdown in ${path.relative(process.cwd(), TUTORIAL_DIR) || TUTORIAL_DIR} (they stand on their own)`);
      // keys pressed while the app loads wait in the terminal instead of being echoed and lost
      process.stdin.setRawMode?.(true);
      process.stdout.write('image-heist: loading the tutorial…');
      const [{ tutorial }, { loadChapters }] = await Promise.all([import('../ui/run-tutorial.js'), import('../tutorial/chapters.js')]);
      await tutorial({ chapters: await loadChapters(), labDir: path.resolve(options.dir), command: invocation() });
      if (terminalGone()) exitWithoutTerminal();
    });
}
