// The real binary in a real terminal: a detached tmux session per test on its own socket, keys sent as a
// person presses them, the pane captured as text.
import path from 'node:path';
import { execa } from 'execa';

export const BIN = path.resolve('bin/image-heist.js');
/** One tmux server for this test process, apart from anyone else's (a test file may name its own prefix). */
const SOCKET = `${process.env['IMAGE_HEIST_TMUX_SOCKET'] ?? 'image-heist-attendee'}-${process.pid}`;
const sessions: string[] = [];

export async function tmux(args: string[], reject = true): Promise<string> {
  const result = await execa('tmux', ['-L', SOCKET, ...args], { reject });
  return result.stdout;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `image-heist ARGS` in a fresh session of the given size; returns the session and the pid of the node
 * process. The shell line after it prints the exit code and keeps the pane open.
 */
export async function startApp(
  args: string[],
  size: { columns: number; rows: number } = { columns: 80, rows: 24 },
  env: Record<string, string> = {},
): Promise<{ session: string; pid: number }> {
  const session = `heist-${sessions.length}-${Date.now()}`;
  sessions.push(session);
  const vars = Object.entries(env)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  // CI=true would make Ink print only the last frame (is-in-ci): a terminal user has no CI variable; npm's
  // variables (vitest started by npm or npx) would change how the app names itself
  const command = `env -u CI -u CONTINUOUS_INTEGRATION -u npm_command -u npm_lifecycle_event TERM=xterm-256color ${vars} ${process.execPath} ${BIN} ${args.join(' ')}; echo "image-heist exited $?"; sleep 120`;
  await tmux(['new-session', '-d', '-s', session, '-x', String(size.columns), '-y', String(size.rows), command]);
  const shell = Number(await tmux(['list-panes', '-t', session, '-F', '#{pane_pid}']));
  const deadline = Date.now() + 10_000;
  for (;;) {
    const child = (await execa('pgrep', ['-P', String(shell), '-f', 'image-heist'], { reject: false })).stdout.trim();
    if (child) return { session, pid: Number(child.split('\n')[0]) };
    if (Date.now() > deadline) throw new Error('the image-heist process did not start');
    await sleep(50);
  }
}

export const capture = (session: string) => tmux(['capture-pane', '-p', '-t', session]);

export const sendKeys = (session: string, ...keys: string[]) => tmux(['send-keys', '-t', session, ...keys]);

export async function paneWith(session: string, test: (pane: string) => boolean, ms: number): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const pane = await capture(session);
    if (test(pane)) return pane;
    if (Date.now() > deadline) throw new Error(`the pane never showed what was expected within ${ms} ms:\n${pane}`);
    await sleep(100);
  }
}

/** Kills every session this process started (afterEach). */
export async function killSessions(): Promise<void> {
  for (const s of sessions.splice(0)) await tmux(['kill-session', '-t', s], false);
}

/** The pane's words without borders and line breaks: wrapped text reads as one line. */
export const flat = (pane: string) => pane.replace(/[│╭╮╰╯─\s]+/g, ' ');
