// ValidatingAdmissionPolicy admission: for each matching policy × binding × param, matchConditions, then every
// validation (message / messageExpression / reason), then auditAnnotations, and the binding's validationActions
// (k8s.io/apiserver pkg/admission/plugin/policy/validating/validator.go Validate, dispatcher.go Dispatch).
import type { StatusError, StatusReason } from '../../../../k8s/api-errors.js';
import { buildActivation, RequestBindings, type PolicyAttributes } from './activation.js';
import { compileValidatingPolicy } from './compile-policy.js';
import { MAX_EVALUATED_MESSAGE_EXPRESSION_SIZE_BYTES, PER_CALL_LIMIT, RUNTIME_CEL_COST_BUDGET } from './cost.js';
import { celTypeName, toCelInput } from './cel-values.js';
import { policyDenial, reasonToCode } from './denial.js';
import { Budget, OutOfBudget, evaluateExpression, evaluateMatchConditions } from './evaluate-expression.js';
import { collectInvocations, failurePolicyOf, type PolicyLookups } from './invocations.js';
import type { EquivalentResource } from './matching.js';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, ValidationAction } from './types.js';

export interface ValidatingResult {
  /** The first denial, as the API server answers it; undefined when the request is admitted. */
  denied?: StatusError;
  /** Warning header texts (Warn action). */
  warnings: string[];
  /** Audit annotations: `<policy>/<key>` from auditAnnotations, and the validation_failure record (Audit action). */
  auditAnnotations: Record<string, string>;
}

/** One decision of Validate: admit, or deny with a message (and the reason of the validation that failed). */
interface Decision {
  action: 'admit' | 'deny';
  message?: string;
  reason?: StatusReason;
}

const MAX_AUDIT_ANNOTATION_VALUE_LENGTH = 10 * 1024;
const MAX_VALIDATION_FAILURES = 50;

const trimSpace = (s: string): string => s.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/g, '');

/** Validate (validator.go) for one invocation: its decisions and the audit annotations it publishes. */
function validate(
  policy: ValidatingAdmissionPolicy,
  resource: EquivalentResource,
  object: unknown,
  oldObject: unknown,
  param: Record<string, unknown> | null,
  shared: RequestBindings,
  lookups: PolicyLookups,
): { decisions: Decision[]; annotations: { key: string; value?: string; error?: string }[] } {
  const onError: Decision['action'] = failurePolicyOf(policy) === 'Ignore' ? 'admit' : 'deny';
  const compiled = compileValidatingPolicy(policy);
  const input = { object, oldObject, request: shared.request(resource), params: shared.param(param), authorizer: shared.authorizer() };
  // matchConditions see neither namespaceObject nor variables (matchconditions/matcher.go passes a nil namespace).
  const match = evaluateMatchConditions(
    compiled.matchConditions,
    () => buildActivation({ ...input, namespaceObject: null }, [], PER_CALL_LIMIT, lookups.authorize),
    failurePolicyOf(policy),
  );
  if ('error' in match) return { decisions: [{ action: onError, message: match.error }], annotations: [] };
  if (!match.matches) return { decisions: [], annotations: [] };
  const activation = buildActivation({ ...input, namespaceObject: shared.namespaceObject() }, compiled.variables, PER_CALL_LIMIT, lookups.authorize);

  const budget = new Budget(RUNTIME_CEL_COST_BUDGET);
  const decisions: Decision[] = [];
  try {
    for (const v of compiled.validations) {
      const result = evaluateExpression(v.compiled, activation, budget);
      if ('error' in result) {
        decisions.push({ action: onError, message: result.error });
      } else if (result.value !== true) {
        decisions.push({ action: 'deny', reason: v.validation.reason ?? 'Invalid', message: denialMessage(v, activation, budget) });
      } else {
        decisions.push({ action: 'admit' });
      }
    }
  } catch (error) {
    if (!(error instanceof OutOfBudget)) throw error;
    return { decisions: [{ action: onError, message: error.message }], annotations: [] };
  }

  const annotations: { key: string; value?: string; error?: string }[] = [];
  const annotationBudget = new Budget(RUNTIME_CEL_COST_BUDGET);
  try {
    for (const a of compiled.auditAnnotations) {
      const result = evaluateExpression(a.compiled, activation, annotationBudget);
      if ('error' in result) {
        if (onError === 'deny') annotations.push({ key: a.key, error: result.error });
      } else if (typeof result.value === 'string') {
        const value = trimSpace(result.value);
        if (value !== '') annotations.push({ key: a.key, value });
      } else if (result.value !== null) {
        annotations.push({
          key: a.key,
          error: `valueExpression '${a.compiled.expression}' resulted in unsupported return type: ${celTypeName(result.value)}. Return type must be either string or null.`,
        });
      }
    }
  } catch (error) {
    if (!(error instanceof OutOfBudget)) throw error;
    return { decisions: [{ action: onError, message: error.message }], annotations: [] };
  }
  return { decisions, annotations };
}

/** The message of a failed validation: messageExpression if it yields a usable string, else message, else the expression. */
function denialMessage(v: ReturnType<typeof compileValidatingPolicy>['validations'][number], activation: Parameters<typeof evaluateExpression>[1], budget: Budget): string {
  let message = '';
  if (v.message) {
    let result: ReturnType<typeof evaluateExpression> | undefined;
    try {
      result = evaluateExpression(v.message, activation, budget);
    } catch (error) {
      if (!(error instanceof OutOfBudget)) throw error;
    }
    if (result && 'value' in result && typeof result.value === 'string') {
      message = trimSpace(result.value);
      // too long or multi-line messages are dropped (validator.go)
      if (Buffer.byteLength(message) > MAX_EVALUATED_MESSAGE_EXPRESSION_SIZE_BYTES || message.includes('\n')) message = '';
    }
  }
  if (message === '' && v.validation.message) message = trimSpace(v.validation.message);
  if (message === '') message = `failed expression: ${trimSpace(v.validation.expression)}`;
  return message;
}

/** The validation_failure audit record, in Go's field order (dispatcher.go ValidationFailureValue). */
interface ValidationFailure {
  message: string;
  policy: string;
  binding: string;
  expressionIndex: number;
  validationActions: ValidationAction[];
}

/** Dispatch (validating/dispatcher.go) over every policy and binding; `object` is the admitted (mutated) object. */
export function validatePolicies(
  a: PolicyAttributes,
  policies: readonly ValidatingAdmissionPolicy[],
  bindings: readonly ValidatingAdmissionPolicyBinding[],
  lookups: PolicyLookups,
): ValidatingResult {
  const warnings: string[] = [];
  const auditAnnotations: Record<string, string> = {};
  const denied: { policy: string; binding?: string; message: string; reason?: StatusReason }[] = [];
  const failures: ValidationFailure[] = [];

  const steps = policies.length === 0 ? [] : collectInvocations(a, policies, bindings, lookups);
  const invoked = steps.some((s) => s.kind === 'invoke');
  // converted once per request, and only when some policy runs
  const object = !invoked || a.object === undefined ? null : toCelInput(a.object);
  const oldObject = !invoked || a.oldObject === undefined ? null : toCelInput(a.oldObject);
  const namespace = invoked && a.namespace !== '' && !(a.kind === 'Namespace' && a.group === '') ? lookups.namespace(a.namespace) : undefined;
  const shared = new RequestBindings(a, namespace);

  // Audit annotations are collected per policy, de-duplicated, and joined across bindings (auditAnnotationCollector).
  const collected = new Map<string, Map<string, string[]>>();
  for (const inv of steps) {
    if (inv.kind === 'error') {
      if (failurePolicyOf(inv.policy) === 'Fail') {
        denied.push({ policy: inv.policy.metadata.name ?? '', ...(inv.binding ? { binding: inv.binding.metadata.name ?? '' } : {}), message: inv.message });
      }
      continue;
    }
    const policyName = inv.policy.metadata.name ?? '';
    const bindingName = inv.binding.metadata.name ?? '';
    const actions = inv.binding.spec.validationActions ?? [];
    const { decisions, annotations } = validate(inv.policy, inv.resource, object, oldObject, inv.param, shared, lookups);
    decisions.forEach((d, i) => {
      if (d.action !== 'deny') return;
      const message = d.message ?? '';
      for (const action of actions) {
        if (action === 'Deny') denied.push({ policy: policyName, binding: bindingName, message, ...(d.reason ? { reason: d.reason } : {}) });
        if (action === 'Audit') failures.push({ message, policy: inv.binding.spec.policyName ?? '', binding: bindingName, expressionIndex: i, validationActions: actions });
        if (action === 'Warn') warnings.push(`Validation failed for ValidatingAdmissionPolicy '${policyName}' with binding '${bindingName}': ${message}`);
      }
    });
    const perPolicy = collected.get(policyName) ?? new Map<string, string[]>();
    collected.set(policyName, perPolicy);
    for (const ann of annotations) {
      if (ann.error !== undefined) {
        denied.push({ policy: policyName, binding: bindingName, message: ann.error });
        continue;
      }
      const value = ann.value!.slice(0, MAX_AUDIT_ANNOTATION_VALUE_LENGTH);
      const values = perPolicy.get(ann.key) ?? [];
      if (!values.includes(value)) values.push(value);
      perPolicy.set(ann.key, values);
    }
  }
  for (const [policyName, perPolicy] of collected) {
    for (const [key, values] of perPolicy) auditAnnotations[`${policyName}/${key}`] = values.join(', ');
  }
  if (failures.length > 0) {
    auditAnnotations['validation.policy.admission.k8s.io/validation_failure'] = JSON.stringify(failures.slice(0, MAX_VALIDATION_FAILURES));
  }

  const first = denied[0];
  if (!first) return { warnings, auditAnnotations };
  const message =
    first.binding !== undefined
      ? `ValidatingAdmissionPolicy '${first.policy}' with binding '${first.binding}' denied request: ${first.message}`
      : `ValidatingAdmissionPolicy '${first.policy}' denied request: ${first.message}`;
  const reason = first.reason ?? 'Invalid';
  return { denied: policyDenial(a, message, reason, reasonToCode(reason)), warnings, auditAnnotations };
}
