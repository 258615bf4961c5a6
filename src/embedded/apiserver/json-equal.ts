// Whether two values encode to the same JSON up to the order of object keys — what upstream's
// apiequality.Semantic.DeepEqual decides on decoded objects (a no-op update, a pod's generation), without
// serializing either side: the store asks on every status write, so this walks the values and allocates nothing.

/** JSON.stringify's view of a value in an object: undefined and functions are left out. */
const absent = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (hasToJson(a) || hasToJson(b)) return JSON.stringify(a) === JSON.stringify(b);
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) {
    // numbers JSON cannot hold (NaN, ±Infinity) encode as null; in an array, undefined does too
    return encodesAsNull(a) && encodesAsNull(b);
  }
  const arrays = [Array.isArray(a), Array.isArray(b)];
  if (arrays[0] !== arrays[1]) return false;
  if (arrays[0]) {
    const [x, y] = [a as unknown[], b as unknown[]];
    if (x.length !== y.length) return false;
    for (let i = 0; i < x.length; i++) if (!jsonEqual(x[i], y[i])) return false;
    return true;
  }
  const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
  let count = 0;
  for (const key in x) {
    if (!Object.hasOwn(x, key) || absent(x[key])) continue;
    if (!Object.hasOwn(y, key) || absent(y[key]) || !jsonEqual(x[key], y[key])) return false;
    count++;
  }
  for (const key in y) if (Object.hasOwn(y, key) && !absent(y[key])) count--;
  return count === 0;
}

function encodesAsNull(v: unknown): boolean {
  return v === null || absent(v) || (typeof v === 'number' && !Number.isFinite(v));
}

function hasToJson(v: unknown): boolean {
  return typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function';
}
