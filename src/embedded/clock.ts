// The lab clock: upstream timings (image back-off 10 s → 300 s, CrashLoopBackOff, sleep N) run on a
// scaled clock so a scenario finishes in seconds, while timestamps still read as wall-clock time.
//
//   createLabClock({ timeScale })  real timers; lab time starts at Date.now() and runs timeScale× faster
//   createManualClock({ start })   for tests; time moves only with advance(ms)
//
// Both implement LabClock. All times are lab milliseconds since the Unix epoch.

/** A pending timer; cancel() is idempotent and harmless after it fired. */
export interface LabTimer {
  cancel(): void;
}

export interface LabClock {
  /** Lab time, ms since the epoch. */
  now(): number;
  /** How many lab ms pass per real ms (1 = real time). */
  readonly timeScale: number;
  /** Calls fn after labMs of lab time. */
  setTimeout(fn: () => void, labMs: number): LabTimer;
  /** Resolves after labMs of lab time; rejects with the signal's reason if aborted first. */
  sleep(labMs: number, signal?: AbortSignal): Promise<void>;
  /** Cancels every pending timer; pending sleeps never resolve. Later calls to setTimeout throw. */
  dispose(): void;
}

export interface ManualClock extends LabClock {
  /** Moves lab time forward by ms, firing due timers in order (letting promise chains they start run). */
  advance(ms: number): Promise<void>;
  /** Number of pending timers (to assert nothing is left behind). */
  pendingTimers(): number;
}

/** Clear error for bad clock input (a user can pass --time-scale 0). */
export class LabClockError extends Error {
  override readonly name = 'LabClockError';
}

function checkDelay(labMs: number): number {
  if (!Number.isFinite(labMs) || labMs < 0) {
    if (labMs === Infinity) return Infinity;
    throw new LabClockError(`timer delay must be a finite number of milliseconds ≥ 0, got ${labMs}`);
  }
  return labMs;
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new Error('aborted');
}

function sleepWith(clock: Pick<LabClock, 'setTimeout'>, labMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortReason(signal));
      return;
    }
    const onAbort = (): void => {
      timer.cancel();
      reject(abortReason(signal as AbortSignal));
    };
    const timer = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, labMs);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

// Node's setTimeout takes at most 2^31-1 ms; longer (or infinite) lab delays are chained or never fire.
const MAX_REAL_DELAY = 2_147_483_647;

/** A clock on real timers, timeScale× faster than the wall clock. */
export function createLabClock(options: { timeScale: number; start?: number }): LabClock {
  const { timeScale } = options;
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new LabClockError(`--time-scale must be a number greater than 0, got ${String(timeScale)}`);
  }
  const realStart = performance.now();
  const labStart = options.start ?? Date.now();
  const timers = new Set<NodeJS.Timeout>();
  let disposed = false;

  const now = (): number => labStart + (performance.now() - realStart) * timeScale;

  const setTimer = (fn: () => void, labMs: number): LabTimer => {
    if (disposed) throw new LabClockError('the lab clock was disposed');
    const delay = checkDelay(labMs);
    let handle: NodeJS.Timeout | undefined;
    const due = now() + delay;
    const arm = (): void => {
      if (delay === Infinity) return; // sleep infinity: never fires, nothing to keep alive
      const realMs = Math.max(0, (due - now()) / timeScale);
      handle = setTimeout(
        () => {
          if (handle) timers.delete(handle);
          // Node may fire a timer up to a millisecond early; lab time must never run behind a timer.
          if (now() < due) arm();
          else fn();
        },
        Math.min(realMs, MAX_REAL_DELAY),
      );
      timers.add(handle);
    };
    arm();
    return {
      cancel() {
        if (handle) {
          clearTimeout(handle);
          timers.delete(handle);
          handle = undefined;
        }
      },
    };
  };

  const clock: LabClock = {
    now,
    timeScale,
    setTimeout: setTimer,
    sleep: (labMs, signal) => sleepWith(clock, labMs, signal),
    dispose() {
      disposed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
  return clock;
}

interface ManualTimer {
  due: number;
  seq: number;
  fn: () => void;
}

/** A clock for tests: time stands still until advance(ms). */
export function createManualClock(options: { start?: number } = {}): ManualClock {
  let current = options.start ?? Date.parse('2026-01-01T00:00:00Z');
  let seq = 0;
  let disposed = false;
  const timers = new Set<ManualTimer>();

  const nextDue = (limit: number): ManualTimer | undefined => {
    let best: ManualTimer | undefined;
    for (const t of timers) {
      if (t.due > limit) continue;
      if (!best || t.due < best.due || (t.due === best.due && t.seq < best.seq)) best = t;
    }
    return best;
  };

  // Lets promise continuations (await sleep(...)) run and schedule their next timers.
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  const clock: ManualClock = {
    now: () => current,
    timeScale: 1,
    setTimeout(fn, labMs) {
      if (disposed) throw new LabClockError('the lab clock was disposed');
      const delay = checkDelay(labMs);
      const timer: ManualTimer = { due: current + delay, seq: seq++, fn };
      if (delay !== Infinity) timers.add(timer);
      return { cancel: () => void timers.delete(timer) };
    },
    sleep: (labMs, signal) => sleepWith(clock, labMs, signal),
    async advance(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new LabClockError(`advance needs a finite ms ≥ 0, got ${ms}`);
      const target = current + ms;
      await settle();
      for (let t = nextDue(target); t; t = nextDue(target)) {
        timers.delete(t);
        current = Math.max(current, t.due);
        t.fn();
        await settle();
      }
      current = target;
    },
    pendingTimers: () => timers.size,
    dispose() {
      disposed = true;
      timers.clear();
    },
  };
  return clock;
}
