// One way out on Ctrl-C, SIGTERM or a closed terminal, for run, play and up: the first signal aborts, the caller
// stops what it started and returns; later signals only say that the clean-up is still running.
//
// Listeners stay attached (process.on, never process.once) until dispose(): execa 9 loads signal-exit v4, which
// re-raises a signal when it finds itself the only listener (signal-exit src/index.ts, `listeners.length ===
// this.#emitter.count`) — a once-listener is removed before it runs, so Node would die before the clean-up.

import { closeSync } from 'node:fs';

/** The exit code of a run cancelled by a signal, as shells report 128 + SIGINT. */
export const CANCELLED_EXIT_CODE = 130;

export const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

export interface ShutdownListener {
  /** Aborted at the first signal. */
  readonly signal: AbortSignal;
  /** The first signal received, if any. */
  readonly received: NodeJS.Signals | undefined;
  /** Detaches the listeners; idempotent. Call it once the clean-up is done. */
  dispose(): void;
}

export interface ShutdownOptions {
  signals?: readonly NodeJS.Signals[];
  /** A signal after the first: the clean-up is still running (say so; do not exit with things left behind). */
  onRepeat?: (signal: NodeJS.Signals) => void;
  /** Also abort when this aborts (a test's own signal). */
  also?: AbortSignal;
}

export function listenForShutdown(options: ShutdownOptions = {}): ShutdownListener {
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  const signals = options.signals ?? SHUTDOWN_SIGNALS;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (received !== undefined) {
      options.onRepeat?.(signal);
      return;
    }
    received = signal;
    controller.abort(new CancelledError(signal));
  };
  for (const s of signals) process.on(s, onSignal);
  const onAlso = () => controller.abort(options.also?.reason);
  if (options.also?.aborted) onAlso();
  else options.also?.addEventListener('abort', onAlso, { once: true });
  let disposed = false;
  return {
    signal: controller.signal,
    get received() {
      return received;
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      for (const s of signals) process.off(s, onSignal);
      options.also?.removeEventListener('abort', onAlso);
    },
  };
}

/** What an aborted lab start or run rejects with: not an "unexpected error". */
export class CancelledError extends Error {
  override readonly name = 'AbortError';
  constructor(readonly by?: string) {
    super(by ? `cancelled by ${by}` : 'cancelled');
  }
}

/** A message for a second Ctrl-C while the lab is being removed. */
export const STILL_STOPPING = 'image-heist: still removing what the lab started; it exits when that is done\n';

export interface TerminalWatch {
  /** Why the terminal went away, once it has. */
  readonly lost: string | undefined;
  dispose(): void;
}

/**
 * The terminal went away (tmux kill-session, a closed window) when stdout or stdin fails — EIO, EPIPE — or stdin
 * ends: `onLost` is called once, and from then on write errors are swallowed (there is nothing left to show them
 * on; unhandled, Node would die on Ink's next frame before the labs are stopped and their files removed).
 */
let terminalLost = false;

/** Whether a watched terminal went away in this process (see watchTerminal). */
export function terminalGone(): boolean {
  return terminalLost;
}

/**
 * Exits a process whose terminal is gone, once its clean-up is done. Node 20 restores the tty's mode at exit and
 * aborts (SIGABRT, "Assertion failed" in node::ResetStdio) when tcsetattr answers EIO on a terminal that no
 * longer exists — fixed upstream in nodejs/node#58200; a descriptor closed by then is skipped.
 */
export function exitWithoutTerminal(code = 0): never {
  // (isatty cannot tell: on a terminal that is gone it answers false, yet node restores what it saw at start)
  for (const fd of [0, 1, 2]) {
    try {
      closeSync(fd);
    } catch {
      // already closed
    }
  }
  process.exit(code);
}

export function watchTerminal(onLost: (why: string) => void, streams: { stdin: NodeJS.ReadableStream; stdout: NodeJS.WritableStream } = process): TerminalWatch {
  let lost: string | undefined;
  const lose = (why: string) => {
    if (lost !== undefined) return;
    lost = why;
    terminalLost = true;
    onLost(why);
  };
  const onOutError = (error: NodeJS.ErrnoException) => lose(`the terminal's output failed (${error.code ?? error.message})`);
  const onInError = (error: NodeJS.ErrnoException) => lose(`the terminal's input failed (${error.code ?? error.message})`);
  const onInEnd = () => lose('the terminal closed its input');
  streams.stdout.on('error', onOutError);
  streams.stdin.on('error', onInError);
  streams.stdin.on('end', onInEnd);
  return {
    get lost() {
      return lost;
    },
    dispose() {
      streams.stdin.off('error', onInError);
      streams.stdin.off('end', onInEnd);
      streams.stdout.off('error', onOutError);
      // a write after the terminal went (the cursor shown again on exit) must not crash the process now
      if (lost !== undefined) {
        streams.stdout.on('error', () => {});
        streams.stdin.on('error', () => {});
      }
    },
  };
}

/**
 * A bound on the clean-up after the way out began: if it has not finished in `ms`, `onOverdue` runs (say what is
 * left, remove what can be removed at once) and the process exits with 1 — a process whose terminal is gone must
 * not keep running, deaf to every later signal, because one clean-up step never returned.
 */
export function exitIfCleanupHangs(ms: number, onOverdue: () => void): { cancel(): void } {
  const timer = setTimeout(() => {
    try {
      onOverdue();
    } finally {
      if (terminalLost) exitWithoutTerminal(1);
      process.exit(1);
    }
  }, ms);
  // the clean-up's own work decides when the process may end; this timer only cuts it short
  timer.unref();
  return { cancel: () => clearTimeout(timer) };
}
