// kubeadm init is CPU-bound for its first minute (etcd, the API server, the controllers starting) and gives up
// when the control plane is not healthy within its timeout: on a small Docker host, seven clusters created at
// once starve each other until kubeadm fails. Creations take turns in a few slots instead.

/** Runs tasks with at most `size` at once; the others start in order as slots free up. */
export function createSlots(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  const limit = Math.max(1, Math.floor(size));
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

/** Cluster creations at once on a Docker host with this many CPUs (unknown: 2, what a laptop VM has at least). */
export function creationSlots(cpus: number | undefined): number {
  return Math.max(2, Math.floor((cpus ?? 2) / 2));
}
