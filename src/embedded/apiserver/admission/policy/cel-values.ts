// Between JSON objects and CEL values. Kubernetes hands CEL unstructured objects whose integers are int64 and whose
// other numbers are double (k8s.io/apiserver pkg/cel/common/values.go UnstructuredToVal); @bufbuild/cel reads a JS
// number as double, so integers become bigint on the way in and numbers again on the way out.
import { isCelList, isCelMap, isCelUint, isCelError, type CelValue } from '@bufbuild/cel';

/** A deep copy of a JSON value with every integer as bigint, ready to bind as a CEL variable. */
export function toCelInput(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCelInput);
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toCelInput(x);
    return out;
  }
  return v;
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
