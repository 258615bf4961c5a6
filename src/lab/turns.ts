// Turns: at most N tasks at once, the others start in order as turns free up (kind creations; a matrix's labs).

/** Runs tasks with at most `size` at once; the others start in order as slots free up. */
export function createSlots(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  const limit = Number.isFinite(size) ? Math.max(1, Math.floor(size)) : 1; // NaN would never make a task wait
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    while (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      waiting.shift()?.();
    }
  };
}
