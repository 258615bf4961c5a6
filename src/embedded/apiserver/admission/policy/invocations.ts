// Which policy × binding × param triples a request invokes, and the configuration errors found on the way
// (k8s.io/apiserver pkg/admission/plugin/policy/generic/policy_dispatcher.go Dispatch, policy_matcher.go
// DefinitionMatches / BindingMatches; validating/dispatcher.go does the same for VAP).
import type { PolicyAttributes } from './activation.js';
import type { Authorize } from './cel-authz.js';
import { matchResources, type EquivalentResource, type MatchContext } from './matching.js';
import { collectParams, type ParamSource } from './params.js';
import type { AnyBinding, AnyPolicy, FailurePolicyType } from './types.js';

export interface Invocation<P extends AnyPolicy, B extends AnyBinding> {
  policy: P;
  binding: B;
  /** null: evaluate with params = null. */
  param: Record<string, unknown> | null;
  /** The matched resource (an equivalent one under matchPolicy Equivalent). */
  resource: EquivalentResource;
}

/** generic.PolicyError: "failed to configure policy|binding: …", decided by the policy's failurePolicy. */
export interface ConfigurationError<P extends AnyPolicy, B extends AnyBinding> {
  policy: P;
  binding?: B;
  message: string;
}

export interface PolicyLookups extends MatchContext {
  /** The Namespace object by name (for namespaceObject and namespace selectors). */
  namespace(name: string): Record<string, unknown> | undefined;
  params?: ParamSource;
  /** Answers `authorizer` checks in expressions (the API server's authorizer); optional. */
  authorize?: Authorize;
}

export const failurePolicyOf = (p: AnyPolicy): FailurePolicyType => p.spec.failurePolicy ?? 'Fail';

/** IsExemptAdmissionConfigurationResource (webhook/predicates/rules/rules.go): policies never judge their own kinds. */
export function isExemptAdmissionConfigurationResource(a: PolicyAttributes): boolean {
  return (
    a.group === 'admissionregistration.k8s.io' &&
    [
      'ValidatingWebhookConfiguration',
      'MutatingWebhookConfiguration',
      'ValidatingAdmissionPolicy',
      'ValidatingAdmissionPolicyBinding',
      'MutatingAdmissionPolicy',
      'MutatingAdmissionPolicyBinding',
    ].includes(a.kind)
  );
}

const byName = (x: { metadata: { name?: string } }, y: { metadata: { name?: string } }): number => (x.metadata.name ?? '').localeCompare(y.metadata.name ?? '');

/** NotFound text of the namespace lookup the selectors need (namespace/matcher.go GetNamespaceLabels). */
const namespaceNotFound = (name: string): string => `namespaces "${name}" not found`;

/** One step of the dispatch, in upstream's order: an invocation to evaluate or a configuration error. */
export type Step<P extends AnyPolicy, B extends AnyBinding> = ({ kind: 'invoke' } & Invocation<P, B>) | ({ kind: 'error' } & ConfigurationError<P, B>);

export function collectInvocations<P extends AnyPolicy, B extends AnyBinding>(
  a: PolicyAttributes,
  policies: readonly P[],
  bindings: readonly B[],
  lookups: PolicyLookups,
): Step<P, B>[] {
  const steps: Step<P, B>[] = [];
  const errors = { push: (e: ConfigurationError<P, B>): void => void steps.push({ kind: 'error', ...e }) };
  if (isExemptAdmissionConfigurationResource(a)) return steps;
  for (const policy of [...policies].sort(byName)) {
    const definition = matchResources(policy.spec.matchConstraints, a, lookups);
    if ('error' in definition) {
      errors.push({ policy, message: `failed to configure policy: ${namespaceNotFound(a.namespace)}` });
      continue;
    }
    if (!definition.matches) continue;
    const own = bindings.filter((b) => b.spec.policyName === policy.metadata.name).sort(byName);
    for (const binding of own) {
      // BindingMatches: a binding without matchResources matches whatever its policy matches.
      if (binding.spec.matchResources) {
        const m = matchResources(binding.spec.matchResources, a, lookups);
        if ('error' in m) {
          errors.push({ policy, binding, message: `failed to configure binding: ${namespaceNotFound(a.namespace)}` });
          continue;
        }
        if (!m.matches) continue;
      }
      const collected = collectParams(policy.spec.paramKind, binding.spec.paramRef, a.namespace, lookups.params);
      if ('error' in collected) {
        errors.push({ policy, binding, message: `failed to configure binding: ${collected.error}` });
        continue;
      }
      for (const param of collected.params) steps.push({ kind: 'invoke', policy, binding, param, resource: definition.resource });
    }
  }
  return steps;
}
