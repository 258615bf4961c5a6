// MutatingAdmissionPolicy admission: for each matching policy × binding × param, matchConditions, then every
// mutation (ApplyConfiguration or JSONPatch) applied in order to the object, which is defaulted again after each;
// errors are decided by failurePolicy; IfNeeded policies are re-run when a later mutation changed the object
// (k8s.io/apiserver pkg/admission/plugin/policy/mutating/dispatcher.go, patch/smd.go, patch/json_patch.go,
// reinvocationcontext.go; generic/policy_dispatcher.go for the error).
import { StatusError } from '../../../../k8s/api-errors.js';
import { applyJsonPatch } from '../../patch.js';
import { buildActivation, RequestBindings, type PolicyAttributes } from './activation.js';
import { applyConfiguration } from './apply-configuration.js';
import { compileMutatingPolicy } from './compile-policy.js';
import { PER_CALL_LIMIT, RUNTIME_CEL_COST_BUDGET } from './cost.js';
import { fromCelValue, toCelInput } from './cel-values.js';
import { policyDenial } from './denial.js';
import { Budget, OutOfBudget, evaluateExpression, evaluateMatchConditions } from './evaluate-expression.js';
import { collectInvocations, failurePolicyOf, type PolicyLookups } from './invocations.js';
import type { MutatingAdmissionPolicy, MutatingAdmissionPolicyBinding } from './types.js';

type Json = Record<string, unknown>;

/** What one policy invocation is known by across reinvocations (dispatcher.go keyFor). */
const keyFor = (policy: string, binding: string, param: Json | null): string => {
  const meta = (param?.['metadata'] ?? {}) as { name?: string; namespace?: string };
  return `${policy}|${binding}|${meta.namespace ?? ''}/${meta.name ?? ''}`;
};

/** policyReinvokeContext: which IfNeeded invocations ran, and whether they must run again. */
export class MutatingReinvocation {
  private lastOutput: string | undefined;
  private readonly previouslyInvoked = new Set<string>();
  private reinvokePreviouslyInvoked = false;
  /** Set when this plugin changed the object: the chain must run the mutating plugins once more. */
  shouldReinvoke = false;

  beginPass(isReinvoke: boolean, object: unknown): void {
    if (isReinvoke && this.lastOutput !== undefined && this.lastOutput !== JSON.stringify(object)) this.reinvokePreviouslyInvoked = true;
  }
  endPass(object: unknown): void {
    this.lastOutput = JSON.stringify(object);
  }
  mayRun(isReinvoke: boolean, key: string): boolean {
    return !isReinvoke || (this.reinvokePreviouslyInvoked && this.previouslyInvoked.has(key));
  }
  changed(): void {
    this.reinvokePreviouslyInvoked = true;
    this.shouldReinvoke = true;
  }
  invoked(key: string): void {
    this.previouslyInvoked.add(key);
  }
}

export interface MutatingOptions {
  /** Defaults the object after each mutation (dispatchOne: o.GetObjectDefaulter().Default). */
  defaultObject?: (object: Json) => Json;
  /** The chain's reinvocation state; pass the same one to the second (reinvoke) pass. */
  reinvocation?: MutatingReinvocation;
  isReinvoke?: boolean;
}

export interface MutatingResult {
  /** The object after every mutation (the input object when nothing changed). */
  object: unknown;
  denied?: StatusError;
}

/** One mutation's patch, applied to the object: the new object, or the error a PolicyError carries. */
function applyMutation(kind: string | undefined, value: unknown, object: Json): { object: Json } | { error: string } {
  let patch: unknown;
  try {
    patch = fromCelValue(value);
  } catch (error) {
    return { error: `type mismatch: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (kind === 'JSONPatch') {
    if (!Array.isArray(patch)) return { error: 'type mismatch: JSONPatchType.expression should evaluate to array' };
    try {
      return { object: applyJsonPatch(object, patch) };
    } catch (error) {
      const detail = error instanceof StatusError && error.cause instanceof Error ? error.cause.message : error instanceof Error ? error.message : String(error);
      // a failing "test" operation leaves the object unchanged (json_patch.go ErrTestFailed)
      if (detail.endsWith('test failed')) return { object };
      return { error: `JSON Patch: ${detail}` };
    }
  }
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    return { error: `unsupported return type from ApplyConfiguration expression: ${Array.isArray(patch) ? 'list' : typeof patch}` };
  }
  const merged = applyConfiguration(object, patch as Json);
  return 'error' in merged ? { error: `error applying patch: ${merged.error}` } : merged;
}

/** dispatchInvocations + generic Dispatch: runs every matching MAP on the object. */
export function mutatePolicies(
  a: PolicyAttributes,
  policies: readonly MutatingAdmissionPolicy[],
  bindings: readonly MutatingAdmissionPolicyBinding[],
  lookups: PolicyLookups,
  options: MutatingOptions = {},
): MutatingResult {
  const reinvocation = options.reinvocation ?? new MutatingReinvocation();
  const isReinvoke = options.isReinvoke ?? false;
  const configErrors: PolicyError[] = [];
  const runtimeErrors: typeof configErrors = [];
  let object = a.object as Json | null | undefined;
  const steps = collectInvocations(a, policies, bindings, lookups);
  if (!steps.some((s) => s.kind === 'invoke')) {
    return finish(a, object, configErrors);
  }
  let namespace: Json | undefined;
  if (a.namespace !== '' && !(a.kind === 'Namespace' && a.group === '')) {
    namespace = lookups.namespace(a.namespace);
    if (!namespace)
      return {
        object,
        denied: new StatusError({ code: 404, reason: 'NotFound', details: { name: a.namespace, kind: 'namespaces' }, message: `namespaces "${a.namespace}" not found` }),
      };
  }
  reinvocation.beginPass(isReinvoke, object);
  const oldObject = a.oldObject === undefined ? null : toCelInput(a.oldObject);
  const shared = new RequestBindings(a, namespace);
  for (const step of steps) {
    if (step.kind === 'error') {
      configErrors.push({ policy: step.policy, ...(step.binding ? { binding: step.binding.metadata.name ?? '' } : {}), message: step.message });
      continue;
    }
    const bindingName = step.binding.metadata.name ?? '';
    // errors raised while mutating carry reason Invalid (dispatcher.go addConfigError)
    const fail = (message: string): void => void runtimeErrors.push({ policy: step.policy, binding: bindingName, message, reason: 'Invalid' });
    const compiled = compileMutatingPolicy(step.policy);
    const input = (o: unknown) => ({ object: o, oldObject, request: shared.request(step.resource), params: shared.param(step.param), authorizer: shared.authorizer() });
    const match = evaluateMatchConditions(
      compiled.matchConditions,
      () => buildActivation({ ...input(toCelInput(object ?? null)), namespaceObject: null }, [], PER_CALL_LIMIT, lookups.authorize),
      failurePolicyOf(step.policy),
    );
    if ('error' in match) {
      fail(match.error);
      continue;
    }
    if (!match.matches) continue;
    const key = keyFor(step.policy.metadata.name ?? '', bindingName, step.param);
    if (!reinvocation.mayRun(isReinvoke, key)) continue;
    const before = JSON.stringify(object);
    for (const m of compiled.mutations) {
      if (object === null || object === undefined) continue; // no object to patch (DELETE)
      const activation = buildActivation({ ...input(toCelInput(object)), namespaceObject: shared.namespaceObject() }, compiled.variables, PER_CALL_LIMIT, lookups.authorize);
      let result;
      try {
        result = evaluateExpression(m.compiled, activation, new Budget(RUNTIME_CEL_COST_BUDGET));
      } catch (error) {
        if (!(error instanceof OutOfBudget)) throw error;
        fail(error.message);
        continue;
      }
      if ('error' in result) {
        fail(result.error);
        continue;
      }
      const applied = applyMutation(m.mutation.patchType, result.value, object);
      if ('error' in applied) {
        fail(applied.error);
        continue;
      }
      object = options.defaultObject ? options.defaultObject(applied.object) : applied.object;
    }
    if (JSON.stringify(object) !== before) reinvocation.changed();
    if (step.policy.spec.reinvocationPolicy === 'IfNeeded') reinvocation.invoked(key);
  }
  reinvocation.endPass(object);
  return finish(a, object, [...configErrors, ...runtimeErrors]);
}

/** The generic dispatcher's answer: the first Fail-policy error becomes the message (and reason) of a 403. */
interface PolicyError {
  policy: MutatingAdmissionPolicy;
  binding?: string;
  message: string;
  reason?: 'Invalid';
}

function finish(a: PolicyAttributes, object: unknown, errors: PolicyError[]): MutatingResult {
  const failing = errors.filter((e) => failurePolicyOf(e.policy) === 'Fail');
  if (failing.length === 0) return { object };
  const messages = failing.map((e) =>
    e.binding !== undefined
      ? `policy '${e.policy.metadata.name}' with binding '${e.binding}' denied request: ${e.message}`
      : `policy "${e.policy.metadata.name}" denied request: ${e.message}`,
  );
  const denied = policyDenial(a, messages[0]!, failing[0]!.reason ?? 'Forbidden', 403, messages);
  // the status message is the policy error alone, not "<resource> is forbidden: …" (policy_dispatcher.go)
  return { object, denied: new StatusError({ ...denied.status, message: messages[0]! }) };
}
