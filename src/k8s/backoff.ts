// flowcontrol.Backoff (k8s.io/client-go/util/flowcontrol/backoff.go) without jitter, on an injected clock.
// The kubelet's image back-off is NewBackOff(10s, 300s) (pkg/kubelet/kubelet.go: imageBackOffPeriod, MaxImageBackOff).

/** Milliseconds since some epoch; tests pass a fake. */
export type Clock = () => number;

export const imageBackOffPeriodMs = 10_000;
export const maxImageBackOffMs = 300_000;

interface BackoffEntry {
  backoffMs: number;
  lastUpdateMs: number;
}

export class Backoff {
  private readonly entries = new Map<string, BackoffEntry>();

  constructor(
    readonly now: Clock,
    readonly initialMs: number = imageBackOffPeriodMs,
    readonly maxMs: number = maxImageBackOffMs,
  ) {
    if (!(initialMs > 0) || !(maxMs >= initialMs)) {
      throw new RangeError(`back-off needs 0 < initial (${initialMs}) <= max (${maxMs})`);
    }
  }

  /** hasExpired: an entry untouched for more than 2×max starts over. */
  private hasExpired(eventTimeMs: number, lastUpdateMs: number): boolean {
    return eventTimeMs - lastUpdateMs > this.maxMs * 2;
  }

  /** Get: the current delay for id (0 when none). */
  get(id: string): number {
    return this.entries.get(id)?.backoffMs ?? 0;
  }

  /** Next: first failure (or after expiry) → initial; then double, capped at max. lastUpdate is the clock's now. */
  next(id: string, eventTimeMs: number = this.now()): void {
    const entry = this.entries.get(id);
    if (!entry || this.hasExpired(eventTimeMs, entry.lastUpdateMs)) {
      this.entries.set(id, { backoffMs: this.initialMs, lastUpdateMs: this.now() });
      return;
    }
    entry.backoffMs = Math.min(entry.backoffMs * 2, this.maxMs);
    entry.lastUpdateMs = this.now();
  }

  /** IsInBackOffSinceUpdate: eventTime − lastUpdate < current delay (and the entry has not expired). */
  isInBackOffSinceUpdate(id: string, eventTimeMs: number = this.now()): boolean {
    const entry = this.entries.get(id);
    if (!entry || this.hasExpired(eventTimeMs, entry.lastUpdateMs)) return false;
    return eventTimeMs - entry.lastUpdateMs < entry.backoffMs;
  }

  /** IsInBackOffSince: now − eventTime < current delay. */
  isInBackOffSince(id: string, eventTimeMs: number): boolean {
    const entry = this.entries.get(id);
    if (!entry || this.hasExpired(eventTimeMs, entry.lastUpdateMs)) return false;
    return this.now() - eventTimeMs < entry.backoffMs;
  }

  /** Reset / DeleteEntry: forget id. */
  reset(id: string): void {
    this.entries.delete(id);
  }

  /** GC: drop entries older than 2×max. */
  gc(): void {
    const now = this.now();
    for (const [id, entry] of this.entries) {
      if (this.hasExpired(now, entry.lastUpdateMs)) this.entries.delete(id);
    }
  }

  /** Number of tracked ids (for tests and GC checks). */
  get size(): number {
    return this.entries.size;
  }
}
