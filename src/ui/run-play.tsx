// `image-heist play`: starts one lab per profile at once, renders the app, and on q, Ctrl-C or a signal stops
// every lab before it returns, so no process or port of the lab outlives the app.
import { render } from 'ink';
import type { LabBackend } from '../lab/backend.js';
import { exitIfCleanupHangs, listenForShutdown, watchTerminal } from '../lab/shutdown.js';
import type { ProfileName } from '../lab/profiles.js';
import type { Timing } from '../scenario/engine.js';
import type { Scenario } from '../scenario/schema.js';
import { App } from './App.js';
import { LabSessions } from './lab-sessions.js';
import { colorWanted } from './theme.js';

export interface PlayOptions {
  backend: LabBackend | (() => Promise<LabBackend>);
  scenarios: Scenario[];
  /** Play this one at once instead of showing the picker. */
  scenario?: Scenario;
  profiles: ProfileName[];
  nodes?: number;
  /** How long pods may take to settle: KIND_TIMING on real clusters. */
  timing?: Timing;
  /** Each lab's kubeconfig and lab.json go to DIR/<profile>/ while the app runs. */
  labDir?: string;
  /** How long stopping the labs may take before the process exits regardless (default 30 s; kind deletes clusters). */
  stopDeadlineMs?: number;
}

export async function play(options: PlayOptions): Promise<void> {
  const controller = new LabSessions({
    backend: options.backend,
    profiles: options.profiles,
    nodes: options.nodes,
    ...(options.labDir ? { labDir: options.labDir } : {}),
    ...(options.timing ? { timing: options.timing } : {}),
  });
  controller.start();
  if (options.scenario) void controller.choose(options.scenario);

  let quit!: () => void;
  const quitting = new Promise<void>((resolve) => (quit = resolve));
  // SIGTERM, SIGHUP (a closed terminal, tmux kill-session) and SIGINT from outside take the same way out as q
  const signals = listenForShutdown({ signals: ['SIGTERM', 'SIGINT', 'SIGHUP'] });
  signals.signal.addEventListener('abort', quit, { once: true });
  // so does a terminal that is gone without a signal: its input ends or fails, or the next frame cannot be written
  const terminal = watchTerminal(quit);
  process.stdout.write('\r\u001b[2K'); // the "loading" line, if the command wrote one
  const instance = render(<App controller={controller} scenarios={options.scenarios} initialScenario={options.scenario} onQuit={quit} color={colorWanted()} />, {
    exitOnCtrlC: false,
    patchConsole: true,
  });
  try {
    await Promise.race([quitting, instance.waitUntilExit()]);
  } finally {
    // on a crash too: no lab, no kubeconfig and no lab.json outlives the app — and no app outlives its way out
    const deadline = options.stopDeadlineMs ?? 30_000;
    const overdue = exitIfCleanupHangs(deadline, () => {
      controller.removeFilesNow();
      process.stderr.write(`image-heist: the labs did not stop within ${deadline / 1000} s; exiting (\`image-heist status\` lists what is left)\n`);
    });
    await controller.stop();
    instance.unmount();
    signals.dispose();
    terminal.dispose();
    overdue.cancel();
  }
}
