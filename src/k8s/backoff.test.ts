import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';

describe('flowcontrol.Backoff (client-go backoff.go) with the kubelet image settings', () => {
  it('starts at 10s, doubles to the 300s cap', () => {
    let now = 0;
    const b = new Backoff(() => now);
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      b.next('k', now);
      delays.push(b.get('k'));
      now += b.get('k'); // retry exactly when the window ends
    }
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
  });

  it('is in back-off strictly inside the window since the last update', () => {
    let now = 1_000;
    const b = new Backoff(() => now);
    expect(b.isInBackOffSinceUpdate('k', now)).toBe(false);
    b.next('k', now);
    now += 9_999;
    expect(b.isInBackOffSinceUpdate('k', now)).toBe(true);
    now += 1;
    expect(b.isInBackOffSinceUpdate('k', now)).toBe(false);
    expect(b.isInBackOffSinceUpdate('other', now)).toBe(false);
  });

  it('resets after more than 2×max without updates, and GC drops such entries', () => {
    let now = 0;
    const b = new Backoff(() => now);
    b.next('k', now);
    b.next('k', now);
    expect(b.get('k')).toBe(20_000);
    now += 600_000; // exactly 2×max: not yet expired
    b.next('k', now);
    expect(b.get('k')).toBe(40_000);
    now += 600_001;
    expect(b.isInBackOffSinceUpdate('k', now)).toBe(false);
    b.gc();
    expect(b.size).toBe(0);
    b.next('k', now);
    expect(b.get('k')).toBe(10_000);
  });

  it('GC keeps fresh entries; reset forgets one', () => {
    let now = 0;
    const b = new Backoff(() => now);
    b.next('old', now);
    now += 600_001;
    b.next('new', now);
    b.gc();
    expect([b.get('old'), b.get('new')]).toEqual([0, 10_000]);
    b.reset('new');
    expect(b.size).toBe(0);
  });

  it('the upstream puller pattern with 1s/1min: fail, fail, back-off, fail, back-off, back-off', () => {
    let now = 0;
    const b = new Backoff(() => now, 1_000, 60_000);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      now += 1_000;
      if (b.isInBackOffSinceUpdate('k', now)) seen.push('backoff');
      else {
        seen.push('fail');
        b.next('k', now);
      }
    }
    expect(seen).toEqual(['fail', 'fail', 'backoff', 'fail', 'backoff', 'backoff']);
  });

  it('rejects nonsense settings', () => {
    expect(() => new Backoff(() => 0, 0, 10)).toThrow(RangeError);
    expect(() => new Backoff(() => 0, 10, 5)).toThrow(RangeError);
  });
});
