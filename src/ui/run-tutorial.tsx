// `image-heist tutorial`: renders the chapters and polls the learner's lab; it starts no lab of its own, so
// on q or Ctrl-C nothing is left running (the learner's `image-heist up` is theirs to stop).
import { render } from 'ink';
import { watchTerminal } from '../lab/shutdown.js';
import type { Chapter } from '../tutorial/chapters.js';
import { readLabSnapshot } from '../tutorial/lab-snapshot.js';
import { TutorialApp } from './TutorialApp.js';
import { colorWanted } from './theme.js';

export async function tutorial(options: { chapters: Chapter[]; labDir: string; command: string }): Promise<void> {
  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  process.once('SIGTERM', quit);
  process.once('SIGHUP', quit);
  // a terminal gone without a signal (input ended or failed, a frame that cannot be written) ends it too
  const terminal = watchTerminal(quit);
  process.stdout.write('\r\u001b[2K');
  const instance = render(
    <TutorialApp chapters={options.chapters} labDir={options.labDir} readSnapshot={readLabSnapshot} onQuit={quit} color={colorWanted()} command={options.command} />,
    {
      exitOnCtrlC: false,
    },
  );
  try {
    await Promise.race([quitting, instance.waitUntilExit()]);
  } finally {
    instance.unmount();
    process.off('SIGTERM', quit);
    process.off('SIGHUP', quit);
    terminal.dispose();
  }
}
