// Compiles one policy expression with @bufbuild/cel into a reusable program, in the environment Kubernetes
// declares for admission policies (k8s.io/apiserver pkg/admission/plugin/cel/compile.go createEnvForOpts):
// object, oldObject, request, namespaceObject, params (only with paramKind), authorizer (not in messageExpression),
// variables, and for MAP the Object{…}/JSONPatch{…} types. The parsed tree is checked for undeclared references
// (cel-go's checker error) and rewritten before planning: object and JSONPatch construction become maps, and
// every identifier, selection, call and literal charges the cost meter (cost.ts).
import { CelScalar, celEnv, celFunc, isCelError, parse, plan, type CelEnv, type CelFunc, type CelResult } from '@bufbuild/cel';
import { create } from '@bufbuild/protobuf';
import { ExprSchema, type Expr, type ParsedExpr } from '@bufbuild/cel-spec/cel/expr/syntax_pb.js';
import { kubernetesLibrary, mutationLibrary } from './cel-library.js';
import { outputType, type ScalarTypeName } from './cel-output-type.js';
import { COST_LIMIT_EXCEEDED, CostMeter, LIST_CREATE_COST, MAP_CREATE_COST, STRUCT_CREATE_COST, charge, withMeter } from './cost.js';

export interface CompileOptions {
  /** The policy has a paramKind: `params` is declared. */
  hasParams: boolean;
  /** `authorizer` is declared (everywhere but messageExpression). */
  hasAuthorizer: boolean;
  /** MAP mutations: Object{…} and JSONPatch{…} construction and jsonpatch.escapeKey. */
  patchTypes: boolean;
  /** Names of the variables declared before this expression (undefined: `variables` is not declared at all). */
  variables?: readonly string[];
}

/** The outcome of evaluating a program: a CEL value or cel-go's error text. */
export type EvalOutcome = { ok: true; value: unknown; cost: number } | { ok: false; error: string; cost: number; costExceeded: boolean };

export interface CompiledExpression {
  expression: string;
  /** compile.go: "compilation failed: ERROR: <input>:1:5: …" (ErrorTypeInvalid), absent when it compiled. */
  error?: string;
  /** The result type when it is certain (cel-output-type.ts); undefined: dyn. */
  outputType?: ScalarTypeName;
  evaluate(bindings: Record<string, unknown>, limit?: number): EvalOutcome;
}

const COST_FUNCS: CelFunc[] = [1, LIST_CREATE_COST, MAP_CREATE_COST, STRUCT_CREATE_COST].map((n) =>
  celFunc(`@cost${n}`, [CelScalar.DYN], CelScalar.DYN, (x) => {
    charge(n);
    return x;
  }),
);

const VARIABLES = {
  object: CelScalar.DYN,
  oldObject: CelScalar.DYN,
  request: CelScalar.DYN,
  params: CelScalar.DYN,
  namespaceObject: CelScalar.DYN,
  authorizer: CelScalar.DYN,
  variables: CelScalar.DYN,
};
const validatingEnv: CelEnv = celEnv({ funcs: [...kubernetesLibrary, ...COST_FUNCS], variables: VARIABLES });
const validatingFunctionNames = new Set(kubernetesLibrary.map((f) => f.name));
const mutatingFunctionNames = new Set(mutationLibrary.map((f) => f.name));
const functionNames = (opts: CompileOptions): ReadonlySet<string> => (opts.patchTypes ? mutatingFunctionNames : validatingFunctionNames);
const mutatingEnv: CelEnv = celEnv({ funcs: [...mutationLibrary, ...COST_FUNCS], variables: VARIABLES });

/** cel-go runtime error texts where @bufbuild/cel words the same error differently. */
function celGoErrorText(message: string): string {
  const noKey = /^field not found: (.*)$/.exec(message);
  if (noKey) return `no such key: ${noKey[1]}`;
  return message;
}

/** cel-go's error display: `ERROR: <input>:L:C: msg` and the line with a caret under column C. */
function displayError(source: string, offset: number, message: string): string {
  const before = source.slice(0, offset);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const column = offset - lineStart;
  const text = source.split('\n')[line - 1] ?? '';
  return `ERROR: <input>:${line}:${column + 1}: ${message}\n | ${text}\n | ${'.'.repeat(column)}^`;
}

class CompileError extends Error {}

function declaredNames(opts: CompileOptions): Set<string> {
  const names = new Set(['object', 'oldObject', 'request', 'namespaceObject']);
  if (opts.hasParams) names.add('params');
  if (opts.hasAuthorizer) names.add('authorizer');
  if (opts.variables !== undefined) names.add('variables');
  return names;
}

/** Walks the parsed tree: checks references and rewrites it for planning. */
class Rewriter {
  private nextId: bigint;
  constructor(
    private readonly parsed: ParsedExpr,
    private readonly source: string,
    private readonly opts: CompileOptions,
  ) {
    this.nextId = 1_000_000n;
  }

  private fail(id: bigint, message: string): never {
    const offset = this.parsed.sourceInfo?.positions[id.toString()] ?? 0;
    throw new CompileError(displayError(this.source, offset, message));
  }

  private wrap(e: Expr, cost: number): Expr {
    return create(ExprSchema, {
      id: this.nextId++,
      exprKind: { case: 'callExpr', value: { function: `@cost${cost}`, args: [e] } },
    });
  }

  /** The root identifier of an ident/select chain (`a.b.c` → `a`), if the chain is only that. */
  private rootIdent(e: Expr): string | undefined {
    if (e.exprKind.case === 'identExpr') return e.exprKind.value.name;
    if (e.exprKind.case === 'selectExpr' && e.exprKind.value.operand && !e.exprKind.value.testOnly) return this.rootIdent(e.exprKind.value.operand);
    return undefined;
  }

  /** The dotted name of an ident/select chain (`a.b.c`). */
  private dotted(e: Expr): string {
    if (e.exprKind.case === 'selectExpr' && e.exprKind.value.operand) return `${this.dotted(e.exprKind.value.operand)}.${e.exprKind.value.field}`;
    return e.exprKind.case === 'identExpr' ? e.exprKind.value.name : '';
  }

  rewrite(e: Expr, scope: ReadonlySet<string>): Expr {
    const k = e.exprKind;
    switch (k.case) {
      case 'constExpr':
        return e;
      case 'identExpr':
        if (!scope.has(k.value.name)) this.fail(e.id, `undeclared reference to '${k.value.name}' (in container '')`);
        return this.wrap(e, 1);
      case 'selectExpr': {
        const operand = k.value.operand!;
        if (operand.exprKind.case === 'identExpr' && operand.exprKind.value.name === 'variables' && scope.has('variables')) {
          if (!(this.opts.variables ?? []).includes(k.value.field)) this.fail(e.id, `undefined field '${k.value.field}'`);
        }
        k.value.operand = this.rewrite(operand, scope);
        return this.wrap(e, 1);
      }
      case 'callExpr': {
        const target = k.value.target;
        if (target) {
          // `sets.contains(…)`, `jsonpatch.escapeKey(…)`: a qualified function name, not a value.
          // Anything else rooted in an undeclared name is cel-go's "undeclared reference" to that name (e.g.
          // `authorizer.group(…)` in a messageExpression, which has no authorizer).
          const root = this.rootIdent(target);
          const qualified = root !== undefined && !scope.has(root) && functionNames(this.opts).has(`${this.dotted(target)}.${k.value.function}`);
          if (!qualified) k.value.target = this.rewrite(target, scope);
        }
        k.value.args = k.value.args.map((a) => this.rewrite(a, scope));
        return this.wrap(e, 1);
      }
      case 'listExpr':
        k.value.elements = k.value.elements.map((x) => this.rewrite(x, scope));
        return this.wrap(e, LIST_CREATE_COST);
      case 'structExpr': {
        const name = k.value.messageName;
        if (name !== '') {
          const isPatchType = name === 'Object' || name.startsWith('Object.') || name === 'JSONPatch';
          if (!this.opts.patchTypes || !isPatchType) this.fail(e.id, `undeclared reference to '${name}' (in container '')`);
          // Object{…} and JSONPatch{…} become maps: only their fields are ever read back (mutation/typeresolver.go).
          k.value.messageName = '';
          for (const entry of k.value.entries) {
            if (entry.keyKind.case === 'fieldKey') {
              const key = create(ExprSchema, { id: this.nextId++, exprKind: { case: 'constExpr', value: { constantKind: { case: 'stringValue', value: entry.keyKind.value } } } });
              entry.keyKind = { case: 'mapKey', value: key };
            }
          }
        }
        for (const entry of k.value.entries) {
          if (entry.keyKind.case === 'mapKey') entry.keyKind.value = this.rewrite(entry.keyKind.value, scope);
          entry.value = this.rewrite(entry.value!, scope);
        }
        return this.wrap(e, name === '' ? MAP_CREATE_COST : STRUCT_CREATE_COST);
      }
      case 'comprehensionExpr': {
        const c = k.value;
        const inner = new Set(scope);
        inner.add(c.accuVar);
        c.iterRange = this.rewrite(c.iterRange!, scope);
        c.accuInit = this.rewrite(c.accuInit!, scope);
        c.result = this.rewrite(c.result!, inner);
        inner.add(c.iterVar);
        if (c.iterVar2) inner.add(c.iterVar2);
        c.loopCondition = this.rewrite(c.loopCondition!, inner);
        c.loopStep = this.rewrite(c.loopStep!, inner);
        return e;
      }
      default:
        return e;
    }
  }
}

/** Compiles an expression; compile errors are kept on the result (upstream keeps them and fails at admission). */
export function compileExpression(expression: string, opts: CompileOptions): CompiledExpression {
  let parsed: ParsedExpr & { expr: Expr };
  try {
    parsed = parse(expression);
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    const at = /^<input>:(\d+):(\d+): (.*)$/s.exec(text);
    const detail = at ? `ERROR: <input>:${at[1]}:${at[2]}: Syntax error: ${at[3]}` : `ERROR: <input>: Syntax error: ${text}`;
    return failed(expression, `compilation failed: ${detail}`);
  }
  let program: (bindings: Record<string, unknown>) => CelResult;
  // before the rewriting, which wraps every node in a cost call
  const type = outputType(parsed.expr);
  try {
    const expr = new Rewriter(parsed, expression, opts).rewrite(parsed.expr, declaredNames(opts));
    program = plan(opts.patchTypes ? mutatingEnv : validatingEnv, expr) as (bindings: Record<string, unknown>) => CelResult;
  } catch (error) {
    if (error instanceof CompileError) return failed(expression, `compilation failed: ${error.message}`);
    return failed(expression, `program instantiation failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  return {
    expression,
    ...(type !== undefined ? { outputType: type } : {}),
    evaluate(bindings, limit) {
      const meter = new CostMeter(limit);
      let result: CelResult;
      try {
        result = withMeter(meter, () => program(bindings));
      } catch (error) {
        result = error as CelResult;
      }
      if (meter.exceeded) return { ok: false, error: COST_LIMIT_EXCEEDED, cost: meter.used, costExceeded: true };
      if (isCelError(result)) return { ok: false, error: celGoErrorText(result.message), cost: meter.used, costExceeded: false };
      return { ok: true, value: result, cost: meter.used };
    },
  };
}

function failed(expression: string, error: string): CompiledExpression {
  return {
    expression,
    error,
    evaluate: () => ({ ok: false, error, cost: 0, costExceeded: false }),
  };
}
