// The one function the admission chain calls: mutating admission policies (with reinvocation of IfNeeded policies
// when a mutation changed the object, as the chain's reinvocation does: k8s.io/apiserver pkg/admission/reinvocation.go),
// then validating admission policies on the mutated object. docs/admission-policies.md says how it is wired.
import type { StatusError } from '../../../../k8s/api-errors.js';
import type { PolicyAttributes } from './activation.js';
import type { PolicyLookups } from './invocations.js';
import { MutatingReinvocation, mutatePolicies } from './mutating.js';
import { defaultBinding, defaultPolicy } from './types.js';
import type { MutatingAdmissionPolicy, MutatingAdmissionPolicyBinding, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './types.js';
import { validatePolicies } from './validating.js';

export type { PolicyAttributes } from './activation.js';
export type { PolicyLookups } from './invocations.js';

export interface PolicySet {
  validatingPolicies?: readonly ValidatingAdmissionPolicy[];
  validatingBindings?: readonly ValidatingAdmissionPolicyBinding[];
  mutatingPolicies?: readonly MutatingAdmissionPolicy[];
  mutatingBindings?: readonly MutatingAdmissionPolicyBinding[];
}

export interface PolicyDecision {
  allowed: boolean;
  /** The StatusError the API server answers with (code, reason, message as upstream), when denied. */
  status?: StatusError;
  warnings: string[];
  auditAnnotations: Record<string, string>;
  /** The object after mutating policies (the input object when none changed it). */
  patchedObject: unknown;
}

export interface EvaluateOptions {
  /** Pod (or other kind) defaulting, run after each mutation as upstream's dispatcher does. */
  defaultObject?: (object: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * Runs every admission policy on one request: MAPs first (the mutating phase; IfNeeded policies once more if the
 * object changed), then VAPs on the result (the validating phase). Stored objects are defaulted here the way the
 * API server defaults them on read, so policies may be passed as written.
 */
export function evaluatePolicies(a: PolicyAttributes, set: PolicySet, lookups: PolicyLookups, options: EvaluateOptions = {}): PolicyDecision {
  const mutatingPolicies = (set.mutatingPolicies ?? []).map(defaultPolicy);
  const mutatingBindings = (set.mutatingBindings ?? []).map(defaultBinding);
  let object = a.object;
  if (mutatingPolicies.length > 0) {
    const reinvocation = new MutatingReinvocation();
    const mutateOptions = { reinvocation, ...(options.defaultObject ? { defaultObject: options.defaultObject } : {}) };
    let result = mutatePolicies({ ...a, object }, mutatingPolicies, mutatingBindings, lookups, mutateOptions);
    if (!result.denied && reinvocation.shouldReinvoke) {
      result = mutatePolicies({ ...a, object: result.object }, mutatingPolicies, mutatingBindings, lookups, { ...mutateOptions, isReinvoke: true });
    }
    if (result.denied) return { allowed: false, status: result.denied, warnings: [], auditAnnotations: {}, patchedObject: result.object };
    object = result.object;
  }
  const validated = validatePolicies({ ...a, object }, (set.validatingPolicies ?? []).map(defaultPolicy), (set.validatingBindings ?? []).map(defaultBinding), lookups);
  return {
    allowed: validated.denied === undefined,
    ...(validated.denied ? { status: validated.denied } : {}),
    warnings: validated.warnings,
    auditAnnotations: validated.auditAnnotations,
    patchedObject: object,
  };
}
