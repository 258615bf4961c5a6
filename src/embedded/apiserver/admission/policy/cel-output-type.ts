// The output type of a policy expression where it is certain: literals, comparisons, logic, size(), has(),
// arithmetic on such values, fields of the untyped `object`, `oldObject` and `params` (dyn), and the string fields of
// the typed `request`. Kubernetes refuses a policy whose expression does not return exactly what its field needs
// (k8s.io/apiserver pkg/admission/plugin/cel/compile.go CompileCELExpression: "must evaluate to string but got int",
// "… bool but got dyn"). cel-go's checker knows every type; this answers undefined where it cannot be sure (variables,
// namespaceObject, library calls, macros), so an expression is refused only when it certainly has the wrong type.
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';

/** cel-go's type names for the scalars this can infer. */
export type ScalarTypeName = 'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'null_type' | 'dyn';

const BOOL_FUNCTIONS = new Set(['_==_', '_!=_', '_<_', '_<=_', '_>_', '_>=_', '_&&_', '_||_', '!_', '@in', '@not_strictly_false']);
const ARITHMETIC = new Set(['_+_', '_-_', '_*_', '_/_', '_%_']);
const NUMERIC: ReadonlySet<string> = new Set(['int', 'uint', 'double']);
// Declared as dyn (compile.go createEnvForOpts): any field path under them is dyn.
const DYN_ROOTS = new Set(['object', 'oldObject', 'params']);
// admission.k8s.io/v1 AdmissionRequest, as the `request` object type declares it (string and bool fields).
const REQUEST_FIELDS: Readonly<Record<string, ScalarTypeName>> = {
  'request.uid': 'string',
  'request.name': 'string',
  'request.namespace': 'string',
  'request.operation': 'string',
  'request.subResource': 'string',
  'request.requestSubResource': 'string',
  'request.dryRun': 'bool',
  'request.userInfo.username': 'string',
  'request.userInfo.uid': 'string',
  ...Object.fromEntries(
    ['kind', 'requestKind', 'resource', 'requestResource'].flatMap((f) =>
      ['group', 'version', f.toLowerCase().endsWith('kind') ? 'kind' : 'resource'].map((g) => [`request.${f}.${g}`, 'string' as const]),
    ),
  ),
};

/** `a.b.c` of an ident/select chain, or undefined. */
function path(e: Expr): string | undefined {
  if (e.exprKind.case === 'identExpr') return e.exprKind.value.name;
  if (e.exprKind.case === 'selectExpr' && !e.exprKind.value.testOnly && e.exprKind.value.operand) {
    const base = path(e.exprKind.value.operand);
    return base === undefined ? undefined : `${base}.${e.exprKind.value.field}`;
  }
  return undefined;
}

export function outputType(e: Expr): ScalarTypeName | undefined {
  const k = e.exprKind;
  switch (k.case) {
    case 'constExpr':
      switch (k.value.constantKind.case) {
        case 'boolValue':
          return 'bool';
        case 'int64Value':
          return 'int';
        case 'uint64Value':
          return 'uint';
        case 'doubleValue':
          return 'double';
        case 'stringValue':
          return 'string';
        case 'bytesValue':
          return 'bytes';
        case 'nullValue':
          return 'null_type';
        default:
          return undefined;
      }
    case 'selectExpr': {
      if (k.value.testOnly) return 'bool'; // has(a.b)
      const p = path(e);
      if (p === undefined) return k.value.operand && outputType(k.value.operand) === 'dyn' ? 'dyn' : undefined;
      if (DYN_ROOTS.has(p.split('.')[0]!)) return 'dyn';
      return REQUEST_FIELDS[p];
    }
    case 'callExpr': {
      const fn = k.value.function;
      if (BOOL_FUNCTIONS.has(fn)) return 'bool';
      if (fn === 'size' && !k.value.target && k.value.args.length === 1) return 'int';
      if (fn === '_[_]' && k.value.args.length === 2) return outputType(k.value.args[0]!) === 'dyn' ? 'dyn' : undefined;
      if (fn === '_?_:_' && k.value.args.length === 3) {
        const [, a, b] = k.value.args.map(outputType);
        return a !== undefined && a === b ? a : undefined;
      }
      if (fn === '-_' && k.value.args.length === 1) {
        const t = outputType(k.value.args[0]!);
        return t === 'int' || t === 'double' ? t : undefined;
      }
      if (ARITHMETIC.has(fn) && k.value.args.length === 2) {
        // an overload is chosen by its known operand; the other (dyn) must then be the same type; dyn + dyn is dyn
        const [x, y] = k.value.args.map(outputType);
        if (x === 'dyn' && y === 'dyn') return 'dyn';
        const a = x === 'dyn' ? undefined : x;
        const b = y === 'dyn' ? undefined : y;
        if (x === undefined || y === undefined) return undefined;
        const t = a ?? b;
        if (t === undefined || (a !== undefined && b !== undefined && a !== b)) return undefined;
        if (NUMERIC.has(t)) return t;
        if (fn === '_+_' && (t === 'string' || t === 'bytes')) return t;
        return undefined;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
