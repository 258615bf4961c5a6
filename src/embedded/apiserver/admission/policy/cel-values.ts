// Between JSON objects and CEL values. Kubernetes hands CEL unstructured objects whose integers are int64 and whose
// other numbers are double (k8s.io/apiserver pkg/cel/common/values.go UnstructuredToVal); @bufbuild/cel reads a JS
// number as double, so integers become bigint on the way in and numbers again on the way out.
import { celList, celMap, isCelList, isCelMap, isCelUint, isCelError, type CelInput, type CelValue } from '@bufbuild/cel';

/**
 * A JSON value as a CEL value, every integer as bigint. Objects and lists are converted lazily: an object becomes a
 * CEL map whose entries convert on first read and are kept, so a request's object is converted once however many
 * policies and expressions read it, and only the fields they read. (@bufbuild/cel would otherwise turn a plain
 * object into a fresh map of all its entries on every access.) The JSON must not change while the value is in use.
 */
export function toCelInput(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return celList(v.map(toCelInput) as CelInput[]);
  if (typeof v === 'object' && v !== null) return celMap(new JsonObjectEntries(v as Record<string, unknown>) as unknown as Map<string, CelValue>);
  return v;
}

/** The Map a CEL map reads (get, keys, size, iteration) over a JSON object; undefined members are absent. */
class JsonObjectEntries {
  private readonly converted = new Map<string, unknown>();
  private ownKeys: string[] | undefined;
  constructor(private readonly json: Record<string, unknown>) {}

  private keyList(): string[] {
    return (this.ownKeys ??= Object.keys(this.json).filter((k) => this.json[k] !== undefined));
  }
  get size(): number {
    return this.keyList().length;
  }
  get(key: unknown): unknown {
    if (typeof key !== 'string') return undefined;
    if (this.converted.has(key)) return this.converted.get(key);
    if (!Object.hasOwn(this.json, key) || this.json[key] === undefined) return undefined;
    const value = toCelInput(this.json[key]);
    this.converted.set(key, value);
    return value;
  }
  has(key: unknown): boolean {
    return this.get(key) !== undefined;
  }
  keys(): IterableIterator<string> {
    return this.keyList()[Symbol.iterator]();
  }
  *values(): IterableIterator<unknown> {
    for (const k of this.keyList()) yield this.get(k);
  }
  *entries(): IterableIterator<[string, unknown]> {
    for (const k of this.keyList()) yield [k, this.get(k)];
  }
  forEach(callback: (value: unknown, key: string, map: this) => void): void {
    for (const k of this.keyList()) callback(this.get(k), k, this);
  }
  [Symbol.iterator](): IterableIterator<[string, unknown]> {
    return this.entries();
  }
}

/** A CEL result as JSON (lists → arrays, maps → objects, int/uint → number). Throws on values JSON cannot hold. */
export function fromCelValue(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v === null || typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') return v;
  if (isCelUint(v)) return Number(v.value);
  if (isCelError(v)) throw v;
  if (isCelList(v)) return [...v].map(fromCelValue);
  if (isCelMap(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of v.entries()) {
      if (typeof k !== 'string') throw new Error(`map key of type ${typeof k} cannot be converted to JSON`);
      out[k] = fromCelValue(x);
    }
    return out;
  }
  if (Array.isArray(v)) return v.map(fromCelValue);
  if (typeof v === 'object' && v.constructor === Object) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fromCelValue(x)]));
  }
  throw new Error(`value of type ${typeof v} cannot be converted to JSON`);
}

/** The CEL type name of a result, for messages ("string", "bool", "list", "map", …). */
export function celTypeName(v: CelValue | unknown): string {
  if (v === null) return 'null_type';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'string') return 'string';
  if (isCelUint(v)) return 'uint';
  if (isCelList(v)) return 'list';
  if (isCelMap(v)) return 'map';
  return 'dyn';
}
