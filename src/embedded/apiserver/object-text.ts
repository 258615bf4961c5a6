// The JSON text of a stored object, byte for byte what JSON.stringify writes, built from the texts of its parts:
// stored objects never change in place, so the text of a big part (a tenant's 1.4 MiB of labels, a pod's spec) is
// kept by identity and reused by the next version that shares it (store.mutate copies only what a status write
// changes). A status write to a huge pod then serializes its status, not the pod.

/** Parts whose text is shorter than this are written again each time: not worth a cache entry. */
const KEEP_FROM = 2048;
const texts = new WeakMap<object, string>();

const skipped = (v: unknown): boolean => v === undefined || typeof v === 'function' || typeof v === 'symbol';
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function';

/** A part's text: kept, or written — an object one level further down still made of its members' kept texts. */
function partText(value: unknown, depth: number): string {
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const kept = texts.get(value);
  if (kept !== undefined) return kept;
  const text = depth > 0 && isPlainObject(value) ? members(value, (m) => partText(m, depth - 1)) : JSON.stringify(value);
  if (text.length >= KEEP_FROM) texts.set(value, text);
  return text;
}

/** An object's members, each value's text from `value` (JSON.stringify's order: Object.keys). */
function members(object: Record<string, unknown>, value: (v: unknown) => string): string {
  let out = '';
  for (const key of Object.keys(object)) {
    const v = object[key];
    if (skipped(v)) continue;
    out += `${out === '' ? '' : ','}${JSON.stringify(key)}:${value(v)}`;
  }
  return `{${out}}`;
}

/**
 * JSON.stringify(object) for a stored object, reusing kept texts two levels down: a copy made by store.mutate (a
 * new top, new metadata and spec one level deep, a new status) shares everything below those.
 */
export function objectText(object: object): string {
  if (!isPlainObject(object)) return JSON.stringify(object);
  return members(object, (v) => partText(v, 1));
}
