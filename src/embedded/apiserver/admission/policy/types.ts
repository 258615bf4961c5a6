// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy(+Binding) and MutatingAdmissionPolicy(+Binding), as JSON
// (k8s.io/api/admissionregistration/v1/types.go), and the defaults the API server applies before validation
// (pkg/apis/admissionregistration/v1/defaults.go).

import type { ObjectMeta } from '../../../../k8s/pod.js';

export type { ObjectMeta };

export const GROUP = 'admissionregistration.k8s.io';
export const VERSION = 'v1';
export const API_VERSION = `${GROUP}/${VERSION}`;

export type OperationType = '*' | 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
export type ScopeType = 'Cluster' | 'Namespaced' | '*';
export type FailurePolicyType = 'Ignore' | 'Fail';
export type MatchPolicyType = 'Exact' | 'Equivalent';
export type ValidationAction = 'Deny' | 'Warn' | 'Audit';
export type ParameterNotFoundActionType = 'Allow' | 'Deny';
export type ReinvocationPolicyType = 'Never' | 'IfNeeded';
export type PatchType = 'ApplyConfiguration' | 'JSONPatch';
/** The reasons a validation may carry (types.go Validation.Reason). */
export type ValidationReason = 'Unauthorized' | 'Forbidden' | 'Invalid' | 'RequestEntityTooLarge';

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values?: string[];
}
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

/** RuleWithOperations; `resources` uses the rule grammar: `pods`, `pods/ephemeralcontainers`, `*`, `*\/*`, `pods/*`. */
export interface NamedRuleWithOperations {
  resourceNames?: string[];
  operations?: OperationType[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: ScopeType;
}

export interface MatchResources {
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  resourceRules?: NamedRuleWithOperations[];
  excludeResourceRules?: NamedRuleWithOperations[];
  matchPolicy?: MatchPolicyType;
}

export interface ParamKind {
  apiVersion?: string;
  kind?: string;
}

export interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: LabelSelector;
  parameterNotFoundAction?: ParameterNotFoundActionType;
}

export interface MatchCondition {
  name: string;
  expression: string;
}

export interface Variable {
  name: string;
  expression: string;
}

export interface Validation {
  expression: string;
  message?: string;
  reason?: ValidationReason;
  messageExpression?: string;
}

export interface AuditAnnotation {
  key: string;
  valueExpression: string;
}

export interface ValidatingAdmissionPolicySpec {
  paramKind?: ParamKind;
  matchConstraints?: MatchResources;
  validations?: Validation[];
  failurePolicy?: FailurePolicyType;
  auditAnnotations?: AuditAnnotation[];
  matchConditions?: MatchCondition[];
  variables?: Variable[];
}

export interface ValidatingAdmissionPolicy {
  apiVersion?: string;
  kind?: 'ValidatingAdmissionPolicy';
  metadata: ObjectMeta;
  spec: ValidatingAdmissionPolicySpec;
  status?: Record<string, unknown>;
}

export interface ValidatingAdmissionPolicyBindingSpec {
  policyName?: string;
  paramRef?: ParamRef;
  matchResources?: MatchResources;
  validationActions?: ValidationAction[];
}

export interface ValidatingAdmissionPolicyBinding {
  apiVersion?: string;
  kind?: 'ValidatingAdmissionPolicyBinding';
  metadata: ObjectMeta;
  spec: ValidatingAdmissionPolicyBindingSpec;
}

export interface Mutation {
  patchType?: PatchType;
  applyConfiguration?: { expression?: string };
  jsonPatch?: { expression?: string };
}

export interface MutatingAdmissionPolicySpec {
  paramKind?: ParamKind;
  matchConstraints?: MatchResources;
  variables?: Variable[];
  mutations?: Mutation[];
  failurePolicy?: FailurePolicyType;
  matchConditions?: MatchCondition[];
  reinvocationPolicy?: ReinvocationPolicyType;
}

export interface MutatingAdmissionPolicy {
  apiVersion?: string;
  kind?: 'MutatingAdmissionPolicy';
  metadata: ObjectMeta;
  spec: MutatingAdmissionPolicySpec;
}

export interface MutatingAdmissionPolicyBindingSpec {
  policyName?: string;
  paramRef?: ParamRef;
  matchResources?: MatchResources;
}

export interface MutatingAdmissionPolicyBinding {
  apiVersion?: string;
  kind?: 'MutatingAdmissionPolicyBinding';
  metadata: ObjectMeta;
  spec: MutatingAdmissionPolicyBindingSpec;
}

export type AnyPolicy = ValidatingAdmissionPolicy | MutatingAdmissionPolicy;
export type AnyBinding = ValidatingAdmissionPolicyBinding | MutatingAdmissionPolicyBinding;

/** The four kinds, each with its plural resource name (all cluster-scoped). */
export const POLICY_KINDS = {
  ValidatingAdmissionPolicy: 'validatingadmissionpolicies',
  ValidatingAdmissionPolicyBinding: 'validatingadmissionpolicybindings',
  MutatingAdmissionPolicy: 'mutatingadmissionpolicies',
  MutatingAdmissionPolicyBinding: 'mutatingadmissionpolicybindings',
} as const;
export type PolicyKind = keyof typeof POLICY_KINDS;

// ---------------------------------------------------------------------------------------------
// Defaulting (pkg/apis/admissionregistration/v1/defaults.go): runs on decode, before validation. Callers must not
// mutate a policy object after passing it here (the defaulted copy is cached by identity).

/** SetDefaults_Rule: scope "*". */
function defaultRules(rules: NamedRuleWithOperations[] | undefined): void {
  for (const r of rules ?? []) r.scope ??= '*';
}

/** SetDefaults_MatchResources: matchPolicy Equivalent, empty selectors (match everything). */
export function defaultMatchResources(m: MatchResources): void {
  m.matchPolicy ??= 'Equivalent';
  m.namespaceSelector ??= {};
  m.objectSelector ??= {};
  defaultRules(m.resourceRules);
  defaultRules(m.excludeResourceRules);
}

// Stored objects are immutable snapshots: default each one once, on a copy.
const defaulted = new WeakMap<object, object>();
function defaultOnce<T extends { spec: object }>(o: T, fill: (copy: T) => void): T {
  let d = defaulted.get(o) as T | undefined;
  if (!d) {
    d = structuredClone(o);
    d.spec ??= {} as T['spec'];
    fill(d);
    defaulted.set(o, d);
    defaulted.set(d, d);
  }
  return d;
}

/** SetDefaults_ValidatingAdmissionPolicySpec / SetDefaults_MutatingAdmissionPolicySpec: failurePolicy Fail. */
export function defaultPolicy<P extends AnyPolicy>(policy: P): P {
  return defaultOnce(policy, (p) => {
    p.spec.failurePolicy ??= 'Fail';
    if (p.spec.matchConstraints) defaultMatchResources(p.spec.matchConstraints);
  });
}

/** Bindings default their matchResources the same way; paramRef is left as written. */
export function defaultBinding<B extends AnyBinding>(binding: B): B {
  return defaultOnce(binding, (b) => {
    if (b.spec.matchResources) defaultMatchResources(b.spec.matchResources);
  });
}
