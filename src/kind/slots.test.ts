import { describe, expect, it } from 'vitest';
import { createSlots } from '../lab/turns.js';
import { creationSlots } from './slots.js';

describe('createSlots', () => {
  it('runs at most `size` tasks at once, the rest in order, and frees a slot when a task fails', async () => {
    const slots = createSlots(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running++;
      most = Math.max(most, running);
      order.push(i);
      await new Promise((r) => setTimeout(r, 5));
      running--;
      if (i === 1) throw new Error('kubeadm init failed');
      return i;
    };
    const results = await Promise.allSettled([0, 1, 2, 3, 4].map((i) => slots(task(i))));
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
  });

  it('gives a small host two slots and a larger one half its CPUs', () => {
    expect(creationSlots(undefined)).toBe(2);
    expect(creationSlots(2)).toBe(2);
    expect(creationSlots(16)).toBe(8);
  });
});
