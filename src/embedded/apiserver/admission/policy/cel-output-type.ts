// The output type of a policy expression where it is certain without declarations: literals, comparisons, logic,
// size(), has() and arithmetic on such values. Kubernetes refuses a policy whose expression cannot return what its
// field needs (k8s.io/apiserver pkg/admission/plugin/cel/compile.go CompileCELExpression: "must evaluate to string
// but got int"). cel-go's checker knows every type; this knows the ones above and answers undefined (dyn) for the
// rest, so an expression is refused only when it certainly has the wrong type.
import type { Expr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';

/** cel-go's type names for the scalars this can infer. */
export type ScalarTypeName = 'bool' | 'int' | 'uint' | 'double' | 'string' | 'bytes' | 'null_type';

const BOOL_FUNCTIONS = new Set(['_==_', '_!=_', '_<_', '_<=_', '_>_', '_>=_', '_&&_', '_||_', '!_', '@in', '@not_strictly_false']);
const ARITHMETIC = new Set(['_+_', '_-_', '_*_', '_/_', '_%_']);
const NUMERIC: ReadonlySet<string> = new Set(['int', 'uint', 'double']);

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
    case 'selectExpr':
      return k.value.testOnly ? 'bool' : undefined; // has(a.b)
    case 'callExpr': {
      const fn = k.value.function;
      if (BOOL_FUNCTIONS.has(fn)) return 'bool';
      if (fn === 'size' && !k.value.target && k.value.args.length === 1) return 'int';
      if (fn === '_?_:_' && k.value.args.length === 3) {
        const [, a, b] = k.value.args.map(outputType);
        return a !== undefined && a === b ? a : undefined;
      }
      if (fn === '-_' && k.value.args.length === 1) {
        const t = outputType(k.value.args[0]!);
        return t === 'int' || t === 'double' ? t : undefined;
      }
      if (ARITHMETIC.has(fn) && k.value.args.length === 2) {
        // an overload is chosen by its first known operand; the other (dyn) must then be the same type
        const [a, b] = k.value.args.map(outputType);
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
