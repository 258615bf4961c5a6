import { describe, expect, it } from 'vitest';
import { createLabClock, createManualClock, LabClockError } from './clock.js';

describe('manual clock', () => {
  it('fires timers in due order when advanced, and not before', async () => {
    const clock = createManualClock({ start: 1_000 });
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b@20'), 20);
    clock.setTimeout(() => fired.push('a@10'), 10);
    clock.setTimeout(() => fired.push('c@20'), 20);
    await clock.advance(9);
    expect(fired).toEqual([]);
    expect(clock.now()).toBe(1_009);
    await clock.advance(11);
    expect(fired).toEqual(['a@10', 'b@20', 'c@20']);
    expect(clock.now()).toBe(1_020);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('runs chains of sleeps started by fired timers within one advance', async () => {
    const clock = createManualClock({ start: 0 });
    const seen: number[] = [];
    const chain = (async () => {
      for (let i = 0; i < 3; i++) {
        await clock.sleep(10_000);
        seen.push(clock.now());
      }
    })();
    await clock.advance(25_000);
    expect(seen).toEqual([10_000, 20_000]);
    await clock.advance(5_000);
    await chain;
    expect(seen).toEqual([10_000, 20_000, 30_000]);
  });

  it('cancels timers and aborts sleeps', async () => {
    const clock = createManualClock();
    let fired = false;
    const t = clock.setTimeout(() => (fired = true), 5);
    t.cancel();
    const ac = new AbortController();
    const slept = clock.sleep(100, ac.signal);
    ac.abort(new Error('stop'));
    await expect(slept).rejects.toThrow('stop');
    await clock.advance(1_000);
    expect(fired).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('never fires an infinite sleep and keeps no timer for it', async () => {
    const clock = createManualClock();
    let done = false;
    void clock.sleep(Infinity).then(() => (done = true));
    await clock.advance(1e12);
    expect(done).toBe(false);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('rejects bad delays with a clear error', () => {
    const clock = createManualClock();
    expect(() => clock.setTimeout(() => {}, -1)).toThrow(LabClockError);
    expect(() => clock.setTimeout(() => {}, Number.NaN)).toThrow(/finite/);
  });
});

describe('lab clock on real timers', () => {
  it('refuses a time scale that is not positive', () => {
    expect(() => createLabClock({ timeScale: 0 })).toThrow(/--time-scale must be a number greater than 0/);
    expect(() => createLabClock({ timeScale: Number.NaN })).toThrow(LabClockError);
  });

  it('starts at wall-clock time and runs timeScale× faster', async () => {
    const before = Date.now();
    const clock = createLabClock({ timeScale: 100 });
    try {
      expect(clock.now()).toBeGreaterThanOrEqual(before);
      expect(clock.now()).toBeLessThan(before + 5_000);
      const realStart = performance.now();
      const labStart = clock.now();
      await clock.sleep(10_000); // image back-off's first step: 10 s lab = 100 ms real
      const real = performance.now() - realStart;
      expect(real).toBeGreaterThanOrEqual(95);
      expect(real).toBeLessThan(2_000);
      expect(clock.now() - labStart).toBeGreaterThanOrEqual(10_000);
    } finally {
      clock.dispose();
    }
  });

  it('scales a 10 s back-off at time scale 20 to about half a second', async () => {
    const clock = createLabClock({ timeScale: 20 });
    try {
      const start = performance.now();
      await clock.sleep(10_000);
      const real = performance.now() - start;
      expect(real).toBeGreaterThanOrEqual(490);
      expect(real).toBeLessThan(2_500);
    } finally {
      clock.dispose();
    }
  });

  it('dispose clears pending timers so nothing fires afterwards', async () => {
    const clock = createLabClock({ timeScale: 1_000 });
    let fired = false;
    clock.setTimeout(() => (fired = true), 50_000); // 50 ms real
    clock.dispose();
    await new Promise((r) => setTimeout(r, 120));
    expect(fired).toBe(false);
    expect(() => clock.setTimeout(() => {}, 1)).toThrow(/disposed/);
  });
});
