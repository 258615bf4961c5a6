// Validation of the four policy kinds on create/update, as the API server answers a bad `kubectl apply`
// (kubernetes/kubernetes pkg/apis/admissionregistration/validation/validation.go @03d48b7 for VAP and bindings).
// MAP-specific checks (mutations, patchType, reinvocationPolicy, DELETE not matchable) follow the same file's
// newer MAP section as quoted in a reimplementation; that text was not read in upstream here (docs say so).
// Objects are validated after defaulting (types.ts), as upstream does.
import { FieldError, StatusError, fieldDuplicate, fieldForbidden, fieldInvalid, fieldNotSupported, fieldRequired, newInvalid } from '../../../../k8s/api-errors.js';
import { isDNS1123Subdomain, isQualifiedName, validateObjectMeta } from '../../validation.js';
import { compileExpression, type CompileOptions } from './cel-compiler.js';
import { validateLabelSelector } from './label-selector.js';
import { MUTATING_OPERATIONS, validateMatchResources } from './validate-match-resources.js';
import {
  GROUP,
  defaultBinding,
  defaultPolicy,
  type MutatingAdmissionPolicy,
  type MutatingAdmissionPolicyBinding,
  type ParamKind,
  type ParamRef,
  type ValidatingAdmissionPolicy,
  type ValidatingAdmissionPolicyBinding,
  type Variable,
} from './types.js';

const sorted = (xs: readonly string[]): string[] => [...xs].sort();
const FAILURE_POLICIES = ['Fail', 'Ignore'];
const ACTIONS = ['Audit', 'Deny', 'Warn'];
const REASONS = ['Forbidden', 'Invalid', 'RequestEntityTooLarge', 'Unauthorized'];
const PATCH_TYPES = ['ApplyConfiguration', 'JSONPatch'];
const REINVOCATION_POLICIES = ['IfNeeded', 'Never'];
const MAX_AUDIT_ANNOTATIONS = 20;
const MAX_AUDIT_ANNOTATION_VALUE_EXPRESSION_LENGTH = 5 * 1024;
const MAX_MATCH_CONDITIONS = 64;

function validateParamKind(k: ParamKind, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!k.apiVersion) errs.push(fieldRequired(`${path}.apiVersion`));
  else if (k.apiVersion.split('/').length > 2) errs.push(fieldInvalid(`${path}.apiVersion`, k.apiVersion, `unexpected GroupVersion string: ${k.apiVersion}`));
  if (!k.kind) errs.push(fieldRequired(`${path}.kind`));
  return errs;
}

/**
 * convertCELErrorToValidationError: a compile failure is Invalid with the expression as the value; so is an
 * expression that cannot return the field's type (compile.go: "must evaluate to bool but got int").
 */
function validateExpression(expression: string, opts: CompileOptions, path: string, returns?: 'bool' | 'string'): FieldError[] {
  const compiled = compileExpression(expression, opts);
  if (compiled.error !== undefined) return [fieldInvalid(path, expression, compiled.error)];
  if (returns !== undefined && compiled.outputType !== undefined && compiled.outputType !== returns) {
    return [fieldInvalid(path, expression, `must evaluate to ${returns} but got ${compiled.outputType}`)];
  }
  return [];
}

const CEL_IDENT = /^[_a-zA-Z][_a-zA-Z0-9]*$/;
const CEL_RESERVED = new Set([
  'true',
  'false',
  'null',
  'in',
  'as',
  'break',
  'const',
  'continue',
  'else',
  'for',
  'function',
  'if',
  'import',
  'let',
  'loop',
  'package',
  'namespace',
  'return',
  'var',
  'void',
  'while',
]);

function validateMatchConditionsAndVariables(
  spec: { matchConditions?: { name: string; expression: string }[]; variables?: Variable[]; paramKind?: ParamKind },
  opts: CompileOptions,
): { errs: FieldError[]; variables: string[] } {
  const errs: FieldError[] = [];
  const conditions = spec.matchConditions ?? [];
  if (conditions.length > MAX_MATCH_CONDITIONS) {
    errs.push(new FieldError('FieldValueTooMany', 'spec.matchConditions', conditions.length, `must have at most ${MAX_MATCH_CONDITIONS} items`));
  }
  const names = new Set<string>();
  conditions.forEach((c, i) => {
    const p = `spec.matchConditions[${i}]`;
    const expression = (c.expression ?? '').trim();
    if (expression === '') errs.push(fieldRequired(`${p}.expression`));
    else errs.push(...validateExpression(expression, opts, `${p}.expression`, 'bool'));
    if (!c.name) errs.push(fieldRequired(`${p}.name`));
    else {
      for (const msg of isQualifiedName(c.name)) errs.push(fieldInvalid(`${p}.name`, c.name, msg));
      if (names.has(c.name)) errs.push(fieldDuplicate(`${p}.name`, c.name));
      names.add(c.name);
    }
  });
  const variables: string[] = [];
  (spec.variables ?? []).forEach((v, i) => {
    const p = `spec.variables[${i}]`;
    if (!v.name || v.name.trim() === '') errs.push(fieldRequired(`${p}.name`, 'name is not specified'));
    else if (!CEL_IDENT.test(v.name) || CEL_RESERVED.has(v.name)) errs.push(fieldInvalid(`${p}.name`, v.name, 'name is not a valid CEL identifier'));
    if (!v.expression || v.expression.trim() === '') errs.push(fieldRequired(`${p}.expression`, 'expression is not specified'));
    else errs.push(...validateExpression(v.expression, { ...opts, variables: [...variables] }, `${p}.expression`));
    variables.push(v.name);
  });
  return { errs, variables };
}

function validateName(meta: unknown): FieldError[] {
  return validateObjectMeta(meta, false);
}

export function validateValidatingAdmissionPolicy(input: ValidatingAdmissionPolicy): FieldError[] {
  const p = defaultPolicy(input);
  const spec = p.spec;
  const errs = validateName(p.metadata);
  if (spec.failurePolicy === undefined) errs.push(fieldRequired('spec.failurePolicy'));
  else if (!FAILURE_POLICIES.includes(spec.failurePolicy)) errs.push(fieldNotSupported('spec.failurePolicy', spec.failurePolicy, FAILURE_POLICIES));
  if (spec.paramKind) errs.push(...validateParamKind(spec.paramKind, 'spec.paramKind'));
  if (!spec.matchConstraints) errs.push(fieldRequired('spec.matchConstraints'));
  else {
    errs.push(...validateMatchResources(spec.matchConstraints, 'spec.matchConstraints'));
    // at least one resourceRule provides the type information
    if ((spec.matchConstraints.resourceRules ?? []).length === 0) errs.push(fieldRequired('spec.matchConstraints.resourceRules'));
  }
  const opts: CompileOptions = { hasParams: spec.paramKind !== undefined, hasAuthorizer: true, patchTypes: false };
  const { errs: mcErrs, variables } = validateMatchConditionsAndVariables(spec, opts);
  errs.push(...mcErrs);
  const withVars = { ...opts, variables };
  const validations = spec.validations ?? [];
  const annotations = spec.auditAnnotations ?? [];
  if (validations.length === 0 && annotations.length === 0) {
    errs.push(fieldRequired('spec.validations', 'validations or auditAnnotations must contain at least one item'));
    errs.push(fieldRequired('spec.auditAnnotations', 'validations or auditAnnotations must contain at least one item'));
  }
  validations.forEach((v, i) => {
    const path = `spec.validations[${i}]`;
    if (!v.expression || v.expression.trim() === '') errs.push(fieldRequired(`${path}.expression`, 'expression is not specified'));
    else errs.push(...validateExpression(v.expression, withVars, `${path}.expression`, 'bool'));
    if (v.messageExpression !== undefined && v.messageExpression.length > 0 && v.messageExpression.trim() === '') {
      errs.push(fieldInvalid(`${path}.messageExpression`, v.messageExpression, 'must be non-empty if specified'));
    } else if (v.messageExpression && v.messageExpression.trim() !== '') {
      errs.push(...validateExpression(v.messageExpression, { ...withVars, hasAuthorizer: false }, `${path}.messageExpression`, 'string'));
    }
    const msg = (v.message ?? '').trim();
    if (v.message !== undefined && v.message.length > 0 && msg === '') errs.push(fieldInvalid(`${path}.message`, v.message, 'message must be non-empty if specified'));
    else if (/[\n\r]+/.test(msg)) errs.push(fieldInvalid(`${path}.message`, v.message, 'message must not contain line breaks'));
    if (v.reason !== undefined && !REASONS.includes(v.reason)) errs.push(fieldNotSupported(`${path}.reason`, v.reason, REASONS));
  });
  if (annotations.length > MAX_AUDIT_ANNOTATIONS)
    errs.push(fieldInvalid('spec.auditAnnotations', annotations, `must not have more than ${MAX_AUDIT_ANNOTATIONS} auditAnnotations`));
  const keys = new Set<string>();
  annotations.forEach((a, i) => {
    const path = `spec.auditAnnotations[${i}]`;
    if (p.metadata.name) for (const msg of isQualifiedName(`${p.metadata.name}/${a.key}`)) errs.push(fieldInvalid(`${path}.key`, `${p.metadata.name}/${a.key}`, msg));
    else errs.push(fieldInvalid(`${path}.key`, a.key, 'requires metadata.name be non-empty'));
    const value = (a.valueExpression ?? '').trim();
    if (value === '') errs.push(fieldRequired(`${path}.valueExpression`, 'valueExpression is not specified'));
    else if (value.length > MAX_AUDIT_ANNOTATION_VALUE_EXPRESSION_LENGTH) {
      errs.push(fieldRequired(`${path}.valueExpression`, `must not exceed ${MAX_AUDIT_ANNOTATION_VALUE_EXPRESSION_LENGTH} bytes in length`));
    } else errs.push(...validateExpression(value, withVars, `${path}.valueExpression`));
    if (keys.has(a.key)) errs.push(fieldDuplicate(`${path}.key`, a.key));
    keys.add(a.key);
  });
  return errs;
}

function validatePolicyName(name: string | undefined): FieldError[] {
  if (!name) return [fieldRequired('spec.policyName')];
  return isDNS1123Subdomain(name).map((msg) => fieldInvalid('spec.policyName', name, msg));
}

function validateParamRef(pr: ParamRef | undefined): FieldError[] {
  if (!pr) return [];
  const errs: FieldError[] = [];
  const path = 'spec.paramRef';
  if (pr.name) {
    if (pr.name === '.' || pr.name === '..') errs.push(fieldInvalid(`${path}.name`, pr.name, `may not be '${pr.name}'`));
    for (const bad of ['/', '%']) if (pr.name.includes(bad)) errs.push(fieldInvalid(`${path}.name`, pr.name, `may not contain '${bad}'`));
    if (pr.selector) errs.push(fieldForbidden(`${path}.name`, 'name and selector are mutually exclusive'));
  }
  if (pr.selector) {
    errs.push(...validateLabelSelector(pr.selector, `${path}.selector`));
    if (pr.name) errs.push(fieldForbidden(`${path}.selector`, 'name and selector are mutually exclusive'));
  }
  if (!pr.name && !pr.selector) errs.push(fieldRequired(path, 'one of name or selector must be specified'));
  if (!pr.parameterNotFoundAction) errs.push(fieldRequired(`${path}.parameterNotFoundAction`));
  else if (pr.parameterNotFoundAction !== 'Deny' && pr.parameterNotFoundAction !== 'Allow') {
    errs.push(fieldNotSupported(`${path}.parameterNotFoundAction`, pr.parameterNotFoundAction, ['Deny', 'Allow']));
  }
  return errs;
}

export function validateValidatingAdmissionPolicyBinding(input: ValidatingAdmissionPolicyBinding): FieldError[] {
  const b = defaultBinding(input);
  const errs = [...validateName(b.metadata), ...validatePolicyName(b.spec.policyName), ...validateParamRef(b.spec.paramRef)];
  // upstream's field path really is spelled "matchResouces" here (validation.go validateValidatingAdmissionPolicyBindingSpec)
  errs.push(...validateMatchResources(b.spec.matchResources, 'spec.matchResouces'));
  const actions = b.spec.validationActions ?? [];
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    if (!ACTIONS.includes(a)) errs.push(fieldNotSupported(`spec.validationActions[${i}]`, a, ACTIONS));
    if (seen.has(a)) errs.push(fieldDuplicate(`spec.validationActions[${i}]`, a));
    seen.add(a);
  });
  if (seen.has('Deny') && seen.has('Warn')) {
    errs.push(
      fieldInvalid(
        'spec.validationActions',
        actions,
        'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
      ),
    );
  }
  if (seen.size === 0) errs.push(fieldRequired('spec.validationActions', 'at least one validation action is required'));
  return errs;
}

export function validateMutatingAdmissionPolicy(input: MutatingAdmissionPolicy): FieldError[] {
  const p = defaultPolicy(input);
  const spec = p.spec;
  const errs = validateName(p.metadata);
  if (spec.failurePolicy !== undefined && !FAILURE_POLICIES.includes(spec.failurePolicy)) errs.push(fieldNotSupported('spec.failurePolicy', spec.failurePolicy, FAILURE_POLICIES));
  if (spec.paramKind) errs.push(...validateParamKind(spec.paramKind, 'spec.paramKind'));
  if (!spec.matchConstraints) errs.push(fieldRequired('spec.matchConstraints'));
  else {
    // "The DELETE operation may not be matched" (types.go MutatingAdmissionPolicySpec.MatchConstraints)
    errs.push(...validateMatchResources(spec.matchConstraints, 'spec.matchConstraints', MUTATING_OPERATIONS));
    if ((spec.matchConstraints.resourceRules ?? []).length === 0) errs.push(fieldRequired('spec.matchConstraints.resourceRules'));
  }
  const opts: CompileOptions = { hasParams: spec.paramKind !== undefined, hasAuthorizer: true, patchTypes: true };
  const { errs: mcErrs, variables } = validateMatchConditionsAndVariables(spec, opts);
  errs.push(...mcErrs);
  const mutations = spec.mutations ?? [];
  if (mutations.length === 0) errs.push(fieldRequired('spec.mutations', 'mutations must contain at least one item'));
  mutations.forEach((m, i) => {
    const path = `spec.mutations[${i}]`;
    if (!m.patchType) return void errs.push(fieldRequired(`${path}.patchType`));
    if (!PATCH_TYPES.includes(m.patchType)) return void errs.push(fieldNotSupported(`${path}.patchType`, m.patchType, PATCH_TYPES));
    const [own, other] = m.patchType === 'JSONPatch' ? (['jsonPatch', 'applyConfiguration'] as const) : (['applyConfiguration', 'jsonPatch'] as const);
    const body = m[own];
    if (!body) errs.push(fieldRequired(`${path}.${own}`, `must be specified when patchType is ${m.patchType}`));
    else if (!body.expression || body.expression.trim() === '') errs.push(fieldRequired(`${path}.${own}.expression`));
    else errs.push(...validateExpression(body.expression.trim(), { ...opts, variables }, `${path}.${own}.expression`));
    if (m[other]) errs.push(fieldInvalid(`${path}.${other}`, `{${other}}`, `must not be specified when patchType is ${m.patchType}`));
  });
  if (!spec.reinvocationPolicy) errs.push(fieldRequired('spec.reinvocationPolicy'));
  else if (!REINVOCATION_POLICIES.includes(spec.reinvocationPolicy))
    errs.push(fieldNotSupported('spec.reinvocationPolicy', spec.reinvocationPolicy, sorted(REINVOCATION_POLICIES)));
  return errs;
}

export function validateMutatingAdmissionPolicyBinding(input: MutatingAdmissionPolicyBinding): FieldError[] {
  const b = defaultBinding(input);
  return [
    ...validateName(b.metadata),
    ...validatePolicyName(b.spec.policyName),
    ...validateParamRef(b.spec.paramRef),
    ...validateMatchResources(b.spec.matchResources, 'spec.matchResources', MUTATING_OPERATIONS),
  ];
}

const VALIDATORS = {
  ValidatingAdmissionPolicy: validateValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding: validateValidatingAdmissionPolicyBinding,
  MutatingAdmissionPolicy: validateMutatingAdmissionPolicy,
  MutatingAdmissionPolicyBinding: validateMutatingAdmissionPolicyBinding,
} as const;

/** The 422 a create/update of an invalid policy object answers, or undefined when it is valid. */
export function validatePolicyObject(kind: keyof typeof VALIDATORS, object: unknown): StatusError | undefined {
  const errs = (VALIDATORS[kind] as (o: unknown) => FieldError[])(object);
  if (errs.length === 0) return undefined;
  const name = ((object as { metadata?: { name?: string } }).metadata?.name ?? '') as string;
  return newInvalid({ group: GROUP, kind }, name, errs);
}
