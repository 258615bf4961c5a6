// The Kubernetes CEL libraries the lab's policies use, added to @bufbuild/cel as functions: regex find/findAll
// (k8s.io/apiserver pkg/cel/library/regex.go), lists (library/lists.go: isSorted, sum, min, max, indexOf,
// lastIndexOf), sets (cel-go ext.Sets: sets.contains/equivalent/intersects), jsonpatch.escapeKey
// (library/jsonpatch.go, MAP only), the authorizer (cel-authz.ts), plus cel-go's strings extension as @bufbuild/cel
// ships it.
import { CelScalar, celFunc, celMethod, isCelList, isCelMap, isCelUint, listType, type CelFunc, type CelList, type CelValue } from '@bufbuild/cel';
import { strings } from '@bufbuild/cel/ext';
import { RE2JS } from '@bufbuild/re2';
import { authzLibrary } from './cel-authz.js';
import { charge } from './cost.js';

const DYN_LIST = listType(CelScalar.DYN);

/** CEL equality over the values policies handle (cross-type numeric equality as Kubernetes enables it). */
export function celEquals(a: CelValue, b: CelValue): boolean {
  const num = (v: unknown): number | undefined => (typeof v === 'bigint' || typeof v === 'number' ? Number(v) : isCelUint(v) ? Number(v.value) : undefined);
  const na = num(a);
  const nb = num(b);
  if (na !== undefined || nb !== undefined) return na !== undefined && nb !== undefined && na === nb;
  if (isCelList(a) && isCelList(b)) {
    if (a.size !== b.size) return false;
    for (let i = 0; i < a.size; i++) if (!celEquals(a.get(i)!, b.get(i)!)) return false;
    return true;
  }
  if (isCelMap(a) && isCelMap(b)) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a.entries()) {
      const w = b.get(k as string);
      if (w === undefined || !celEquals(v, w)) return false;
    }
    return true;
  }
  return a === b;
}

// Regex: RE2 syntax is checked with @bufbuild/re2 (the dialect Kubernetes uses); the search itself runs on the
// JS engine, which agrees with RE2 on every pattern RE2 accepts that has no RE2-only construct.
const regexCache = new Map<string, RegExp>();
function compileRegex(pattern: string): RegExp {
  let re = regexCache.get(pattern);
  if (!re) {
    RE2JS.compile(pattern);
    re = new RegExp(pattern, 'gu');
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(pattern, re);
  }
  re.lastIndex = 0;
  return re;
}

function findAll(s: string, pattern: string, limit: number): string[] {
  charge(Math.ceil(s.length * 0.25) + pattern.length);
  if (limit === 0) return [];
  const re = compileRegex(pattern);
  const out: string[] = [];
  for (const m of s.matchAll(re)) {
    out.push(m[0]);
    if (limit > 0 && out.length >= limit) break;
  }
  return out;
}

const regex: CelFunc[] = [
  celMethod('find', CelScalar.STRING, [CelScalar.STRING], CelScalar.STRING, function (pattern) {
    return findAll(this, pattern, 1)[0] ?? '';
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING], listType(CelScalar.STRING), function (pattern) {
    return findAll(this, pattern, -1);
  }),
  celMethod('findAll', CelScalar.STRING, [CelScalar.STRING, CelScalar.INT], listType(CelScalar.STRING), function (pattern, n) {
    return findAll(this, pattern, Number(n));
  }),
];

function items(list: CelList): CelValue[] {
  charge(list.size);
  return [...list];
}

function compare(a: CelValue, b: CelValue): number {
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) return Number(a) - Number(b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  throw new Error(`no such overload: ${typeof a} compared to ${typeof b}`);
}

// lists.go: min/max of an empty list is an error ("min called on empty list").
function extreme(list: CelList, name: 'min' | 'max'): CelValue {
  const xs = items(list);
  if (xs.length === 0) throw new Error(`${name} called on empty list`);
  return xs.reduce((best, x) => ((name === 'min' ? compare(x, best) < 0 : compare(x, best) > 0) ? x : best));
}

const lists: CelFunc[] = [
  celMethod('isSorted', DYN_LIST, [], CelScalar.BOOL, function () {
    const xs = items(this);
    return xs.every((x, i) => i === 0 || compare(xs[i - 1]!, x) <= 0);
  }),
  celMethod('sum', DYN_LIST, [], CelScalar.DYN, function () {
    const xs = items(this);
    if (xs.length === 0) return 0n;
    if (xs.every((x) => typeof x === 'bigint')) return (xs as bigint[]).reduce((s, x) => s + x, 0n);
    return xs.reduce<number>((s, x) => s + Number(x as number), 0);
  }),
  celMethod('min', DYN_LIST, [], CelScalar.DYN, function () {
    return extreme(this, 'min');
  }),
  celMethod('max', DYN_LIST, [], CelScalar.DYN, function () {
    return extreme(this, 'max');
  }),
  celMethod('indexOf', DYN_LIST, [CelScalar.DYN], CelScalar.INT, function (x) {
    return BigInt(items(this).findIndex((y) => celEquals(x, y)));
  }),
  celMethod('lastIndexOf', DYN_LIST, [CelScalar.DYN], CelScalar.INT, function (x) {
    const xs = items(this);
    for (let i = xs.length - 1; i >= 0; i--) if (celEquals(x, xs[i]!)) return BigInt(i);
    return -1n;
  }),
];

const contains = (a: CelList, b: CelList): boolean => items(b).every((y) => items(a).some((x) => celEquals(x, y)));
const sets: CelFunc[] = [
  celFunc('sets.contains', [DYN_LIST, DYN_LIST], CelScalar.BOOL, (a, b) => contains(a, b)),
  celFunc('sets.equivalent', [DYN_LIST, DYN_LIST], CelScalar.BOOL, (a, b) => contains(a, b) && contains(b, a)),
  celFunc('sets.intersects', [DYN_LIST, DYN_LIST], CelScalar.BOOL, (a, b) => items(a).some((x) => items(b).some((y) => celEquals(x, y)))),
];

/** jsonpatch.escapeKey: RFC 6901 escaping of one JSON Pointer token (~ → ~0, / → ~1). */
const jsonpatch: CelFunc[] = [celFunc('jsonpatch.escapeKey', [CelScalar.STRING], CelScalar.STRING, (k) => k.replaceAll('~', '~0').replaceAll('/', '~1'))];

/** Every function the policy environment adds to CEL's standard library. */
export const kubernetesLibrary: readonly CelFunc[] = [...strings, ...regex, ...lists, ...sets, ...authzLibrary];
/** MAP expressions additionally get jsonpatch.escapeKey (compile.go hasPatchTypes). */
export const mutationLibrary: readonly CelFunc[] = [...kubernetesLibrary, ...jsonpatch];
