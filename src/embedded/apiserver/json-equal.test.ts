import { describe, expect, it } from 'vitest';
import { jsonEqual } from './json-equal.js';

/** The reference it replaces: JSON with every object's keys sorted. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0))) : v,
  );

const cases: [string, unknown, unknown][] = [
  [
    'same pod, keys in another order',
    { metadata: { name: 'p', labels: { a: '1', b: '2' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
    { spec: { containers: [{ image: 'i', name: 'c' }] }, metadata: { labels: { b: '2', a: '1' }, name: 'p' } },
  ],
  ['a changed image', { spec: { containers: [{ image: 'a' }] } }, { spec: { containers: [{ image: 'b' }] } }],
  ['array order matters', { args: ['a', 'b'] }, { args: ['b', 'a'] }],
  ['an undefined key is no key', { a: 1, b: undefined }, { a: 1 }],
  ['an extra key', { a: 1 }, { a: 1, b: null }],
  ['null is not absent in an object', { a: null }, {}],
  ['undefined in an array is null', [undefined], [null]],
  ['NaN encodes as null', { a: NaN }, { a: null }],
  ['1 is not "1"', { a: 1 }, { a: '1' }],
  ['an array is not an object', { a: [] }, { a: {} }],
  ['a Date is its ISO text', { at: new Date(0) }, { at: '1970-01-01T00:00:00.000Z' }],
  ['empty and absent status differ', { status: {} }, {}],
  ['both undefined', undefined, undefined],
  ['nested lengths', { a: [[1, 2]] }, { a: [[1, 2, 3]] }],
];

describe('jsonEqual', () => {
  it.each(cases)('%s: agrees with sorted-key JSON', (_name, a, b) => {
    expect(jsonEqual(a, b)).toBe(canonical(a) === canonical(b));
    expect(jsonEqual(b, a)).toBe(canonical(a) === canonical(b));
  });
});
