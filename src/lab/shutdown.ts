// One way out on Ctrl-C, SIGTERM or a closed terminal, for run, play and up: the first signal aborts, the caller
// stops what it started and returns; later signals only say that the clean-up is still running.
//
// Listeners stay attached (process.on, never process.once) until dispose(): execa 9 loads signal-exit v4, which
// re-raises a signal when it finds itself the only listener (signal-exit src/index.ts, `listeners.length ===
// this.#emitter.count`) — a once-listener is removed before it runs, so Node would die before the clean-up.

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
