// Compiles every expression of a policy once per generation (the upstream policy source recompiles when a policy
// changes: k8s.io/apiserver pkg/admission/plugin/policy/generic/policy_source.go), with the declarations each kind
// of expression gets (validating/plugin.go compilePolicy, mutating/compilation.go).
import { compileExpression, type CompileOptions, type CompiledExpression } from './cel-compiler.js';
import type { MutatingAdmissionPolicy, Mutation, ValidatingAdmissionPolicy, Validation } from './types.js';

export interface NamedExpression {
  name: string;
  compiled: CompiledExpression;
}

export interface CompiledValidatingPolicy {
  matchConditions: NamedExpression[];
  variables: NamedExpression[];
  validations: { validation: Validation; compiled: CompiledExpression; message?: CompiledExpression }[];
  auditAnnotations: { key: string; compiled: CompiledExpression }[];
}

export interface CompiledMutatingPolicy {
  matchConditions: NamedExpression[];
  variables: NamedExpression[];
  mutations: { mutation: Mutation; compiled: CompiledExpression }[];
}

function cacheKey(p: { metadata: { name?: string; uid?: string; generation?: number }; spec: unknown }): string {
  const m = p.metadata;
  // A stored policy changes generation with every spec change; an object built in memory is keyed by its spec.
  return m.generation !== undefined ? `${m.uid ?? ''}/${m.name ?? ''}/${m.generation}` : `spec:${JSON.stringify(p.spec)}`;
}

// The same object compiles once without computing its key again.
const byIdentity = new WeakMap<object, unknown>();

function cached<P extends { metadata: { name?: string }; spec: unknown }, C>(cache: Map<string, C>, p: P, build: (p: P) => C): C {
  const known = byIdentity.get(p) as C | undefined;
  if (known) return known;
  const key = cacheKey(p);
  let c = cache.get(key);
  if (!c) {
    if (cache.size > 500) cache.clear();
    c = build(p);
    cache.set(key, c);
  }
  byIdentity.set(p, c);
  return c;
}

function compileCommon(
  spec: { paramKind?: unknown; matchConditions?: { name: string; expression: string }[]; variables?: { name: string; expression: string }[] },
  patchTypes: boolean,
): { matchConditions: NamedExpression[]; variables: NamedExpression[]; base: CompileOptions } {
  const base: CompileOptions = { hasParams: spec.paramKind !== undefined && spec.paramKind !== null, hasAuthorizer: true, patchTypes };
  // matchConditions do not see `variables` (types.go MatchCondition).
  const matchConditions = (spec.matchConditions ?? []).map((m) => ({ name: m.name, compiled: compileExpression(m.expression, base) }));
  // A variable may refer to the variables before it (composition.go CompileAndStoreVariable).
  const names: string[] = [];
  const variables = (spec.variables ?? []).map((v) => {
    const compiled = compileExpression(v.expression, { ...base, variables: [...names] });
    names.push(v.name);
    return { name: v.name, compiled };
  });
  return { matchConditions, variables, base: { ...base, variables: names } };
}

const validatingCache = new Map<string, CompiledValidatingPolicy>();
const mutatingCache = new Map<string, CompiledMutatingPolicy>();

export function compileValidatingPolicy(policy: ValidatingAdmissionPolicy): CompiledValidatingPolicy {
  return cached(validatingCache, policy, (p) => {
    const { matchConditions, variables, base } = compileCommon(p.spec, false);
    return {
      matchConditions,
      variables,
      validations: (p.spec.validations ?? []).map((validation) => ({
        validation,
        compiled: compileExpression(validation.expression, base),
        // messageExpression has no authorizer (validating/plugin.go).
        ...(validation.messageExpression ? { message: compileExpression(validation.messageExpression, { ...base, hasAuthorizer: false }) } : {}),
      })),
      auditAnnotations: (p.spec.auditAnnotations ?? []).map((a) => ({ key: a.key, compiled: compileExpression(a.valueExpression, base) })),
    };
  });
}

export function compileMutatingPolicy(policy: MutatingAdmissionPolicy): CompiledMutatingPolicy {
  return cached(mutatingCache, policy, (p) => {
    const { matchConditions, variables, base } = compileCommon(p.spec, true);
    return {
      matchConditions,
      variables,
      mutations: (p.spec.mutations ?? []).map((mutation) => {
        const expression = (mutation.patchType === 'JSONPatch' ? mutation.jsonPatch?.expression : mutation.applyConfiguration?.expression) ?? '';
        return { mutation, compiled: compileExpression(expression, base) };
      }),
    };
  });
}
