// A runner for the CEL conformance tests that @bufbuild/cel-spec ships (cel-spec's simple tests), through this
// module's compiler (its reference checks and cost rewriting included). It runs the subset a policy can meet: no
// bindings, containers or type declarations, no unchecked cases, and scalar expected values or an expected error.
import { tests as conformance } from '@bufbuild/cel-spec/testdata/conformance.js';
import { isCelUint } from '@bufbuild/cel';
import { compileExpression } from './cel-compiler.js';

interface RawTest {
  original: {
    name?: string;
    expr: string;
    value?: Record<string, unknown>;
    evalError?: unknown;
    bindings?: unknown;
    container?: string;
    typeEnv?: unknown;
    disableMacros?: boolean;
    /** Runs unchecked; a policy expression is always checked (these expect e.g. `a.as()` on an undeclared `a` to evaluate). */
    disableCheck?: boolean;
    checkOnly?: boolean;
  };
}
interface RawSuite {
  name: string;
  suites?: RawSuite[];
  tests?: RawTest[];
}

export interface ConformanceCase {
  section: string;
  name: string;
  expr: string;
  /** The expected scalar, or "error". */
  expected: unknown;
}

const SCALARS = ['boolValue', 'int64Value', 'uint64Value', 'stringValue', 'doubleValue', 'nullValue'] as const;

function expectedOf(t: RawTest['original']): { ok: boolean; value?: unknown } {
  if (t.evalError !== undefined) return { ok: true, value: 'error' };
  const v = t.value ?? {};
  const key = SCALARS.find((k) => k in v);
  if (!key || Object.keys(v).length !== 1) return { ok: false };
  const raw = v[key];
  switch (key) {
    case 'boolValue':
      return { ok: true, value: raw };
    case 'int64Value':
    case 'uint64Value':
      return { ok: true, value: BigInt(raw as string) };
    case 'stringValue':
      return { ok: true, value: raw };
    case 'doubleValue':
      return { ok: true, value: typeof raw === 'string' ? Number(raw) : raw };
    case 'nullValue':
      return { ok: true, value: null };
  }
}

/** The runnable cases of the named top-level sections. */
export function conformanceCases(sections: readonly string[]): ConformanceCase[] {
  const out: ConformanceCase[] = [];
  const walk = (s: RawSuite, path: string): void => {
    for (const t of s.tests ?? []) {
      const o = t.original;
      if (o.bindings || o.container || o.typeEnv || o.disableMacros || o.disableCheck || o.checkOnly) continue;
      // protobuf messages and backquoted field names cannot occur in a policy over JSON objects
      if (/google\.protobuf|TestAllTypes|NestedTestAllTypes|`/.test(o.expr)) continue;
      const e = expectedOf(o);
      if (e.ok) out.push({ section: path, name: o.name ?? o.expr, expr: o.expr, expected: e.value });
    }
    for (const sub of s.suites ?? []) walk(sub, `${path}/${sub.name}`);
  };
  for (const s of (conformance as RawSuite).suites ?? []) if (sections.includes(s.name)) walk(s, s.name);
  return out;
}

/** Runs one case: true when the result equals the expected value (NaN equals NaN; uint compares by value). */
export function runConformanceCase(c: ConformanceCase): boolean {
  const compiled = compileExpression(c.expr, { hasParams: false, hasAuthorizer: false, patchTypes: false });
  if (compiled.error !== undefined) return c.expected === 'error';
  const outcome = compiled.evaluate({});
  if (!outcome.ok) return c.expected === 'error';
  let v = outcome.value;
  if (isCelUint(v)) v = v.value;
  if (typeof c.expected === 'number' && typeof v === 'number') return Object.is(c.expected, v) || c.expected === v;
  return v === c.expected;
}
