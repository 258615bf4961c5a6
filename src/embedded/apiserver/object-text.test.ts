import { describe, expect, it } from 'vitest';
import { objectText } from './object-text.js';

const labels = Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, `v${i}`]));
const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: 'tenant-b', labels, uid: undefined, resourceVersion: '12', '1': 'integer-like keys first' },
  spec: { containers: [{ name: 'c', image: 'i', args: [undefined, () => 1, NaN] }], nodeName: undefined },
  status: { phase: 'Running', startTime: new Date(0) },
  extra: [1, 'two', null, { 'quote"key': 'line\nbreak ✓' }],
  gone: undefined,
};

describe('objectText', () => {
  it.each([
    ['a pod with big labels', pod],
    ['an empty object', {}],
    ['metadata that is not an object', { metadata: 'x' }],
    ['a Date at the top', new Date(0)],
    ['an array', [1, { a: 2 }]],
  ])('writes what JSON.stringify writes: %s', (_name, value) => {
    expect(objectText(value)).toBe(JSON.stringify(value));
  });

  it("reuses a kept part's text for a copy that shares it, and writes the changed parts anew", () => {
    expect(objectText(pod)).toBe(JSON.stringify(pod));
    const next = { ...pod, metadata: { ...pod.metadata, resourceVersion: '13' }, status: { phase: 'Succeeded' } };
    expect(objectText(next)).toBe(JSON.stringify(next));
    // the kept text is the one written when the part was first seen: a part must never change once written (the
    // store's rule); this shows the text comes from the cache, not from the part
    (labels as Record<string, string>)['k0'] = 'changed';
    expect(objectText(next)).not.toBe(JSON.stringify(next));
    (labels as Record<string, string>)['k0'] = 'v0';
  });
});
