// Validation of matchConstraints / matchResources and their rules, as upstream
// (kubernetes/kubernetes pkg/apis/admissionregistration/validation/validation.go @03d48b7: validateMatchResources,
// validateNamedRuleWithOperations, validateRule, validateResources).
import { FieldError, fieldDuplicate, fieldInvalid, fieldNotSupported, fieldRequired } from '../../../../k8s/api-errors.js';
import { validateLabelSelector } from './label-selector.js';
import type { MatchResources, NamedRuleWithOperations } from './types.js';

const MATCH_POLICIES = ['Equivalent', 'Exact'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];
const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
/** MAP matchConstraints: "The DELETE operation may not be matched" (types.go). */
export const MUTATING_OPERATIONS = ['*', 'CONNECT', 'CREATE', 'UPDATE'];

const hasWildcard = (xs: readonly string[]): boolean => xs.includes('*');

/** validateResources: the rule grammar's own consistency rules. */
function validateResources(resources: readonly string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(fieldRequired(path));
  const withWildcardSub = new Set<string>();
  const subWithWildcardRes = new Set<string>();
  let doubleWildcard = false;
  let singleWildcard = false;
  let withoutSub = false;
  resources.forEach((resSub, i) => {
    if (resSub === '') return void errs.push(fieldRequired(`${path}[${i}]`));
    if (resSub === '*/*') doubleWildcard = true;
    if (resSub === '*') singleWildcard = true;
    const slash = resSub.indexOf('/');
    if (slash < 0) {
      withoutSub = resSub !== '*';
      return;
    }
    const [res, sub] = [resSub.slice(0, slash), resSub.slice(slash + 1)];
    if (withWildcardSub.has(res)) errs.push(fieldInvalid(`${path}[${i}]`, resSub, `if '${res}/*' is present, must not specify ${resSub}`));
    if (subWithWildcardRes.has(sub)) errs.push(fieldInvalid(`${path}[${i}]`, resSub, `if '*/${sub}' is present, must not specify ${resSub}`));
    if (sub === '*') withWildcardSub.add(res);
    if (res === '*') subWithWildcardRes.add(sub);
  });
  if (resources.length > 1 && doubleWildcard) errs.push(fieldInvalid(path, resources, "if '*/*' is present, must not specify other resources"));
  if (singleWildcard && withoutSub) errs.push(fieldInvalid(path, resources, "if '*' is present, must not specify other resources without subresources"));
  return errs;
}

function validateRule(rule: NamedRuleWithOperations, path: string, operations: readonly string[]): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  (rule.resourceNames ?? []).forEach((n, i) => {
    if (names.has(n)) errs.push(fieldDuplicate(`${path}.resourceNames[${i}]`, n));
    names.add(n);
  });
  const ops = rule.operations ?? [];
  if (ops.length === 0) errs.push(fieldRequired(`${path}.operations`));
  if (ops.length > 1 && hasWildcard(ops)) errs.push(fieldInvalid(`${path}.operations`, ops, "if '*' is present, must not specify other operations"));
  ops.forEach((op, i) => {
    if (!operations.includes(op)) errs.push(fieldNotSupported(`${path}.operations[${i}]`, op, operations));
  });
  const groups = rule.apiGroups ?? [];
  if (groups.length === 0) errs.push(fieldRequired(`${path}.apiGroups`));
  if (groups.length > 1 && hasWildcard(groups)) errs.push(fieldInvalid(`${path}.apiGroups`, groups, "if '*' is present, must not specify other API groups"));
  const versions = rule.apiVersions ?? [];
  if (versions.length === 0) errs.push(fieldRequired(`${path}.apiVersions`));
  if (versions.length > 1 && hasWildcard(versions)) errs.push(fieldInvalid(`${path}.apiVersions`, versions, "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => {
    if (v === '') errs.push(fieldRequired(`${path}.apiVersions[${i}]`));
  });
  errs.push(...validateResources(rule.resources ?? [], `${path}.resources`));
  if (rule.scope !== undefined && !SCOPES.includes(rule.scope)) errs.push(fieldNotSupported(`${path}.scope`, rule.scope, SCOPES));
  return errs;
}

export function validateMatchResources(m: MatchResources | undefined, path: string, operations = OPERATIONS): FieldError[] {
  if (!m) return [];
  const errs: FieldError[] = [];
  if (m.matchPolicy === undefined) errs.push(fieldRequired(`${path}.matchPolicy`));
  else if (!MATCH_POLICIES.includes(m.matchPolicy)) errs.push(fieldNotSupported(`${path}.matchPolicy`, m.matchPolicy, MATCH_POLICIES));
  if (!m.namespaceSelector) errs.push(fieldRequired(`${path}.namespaceSelector`));
  else errs.push(...validateLabelSelector(m.namespaceSelector, `${path}.namespaceSelector`));
  if (!m.objectSelector) errs.push(fieldRequired(`${path}.objectSelector`));
  else errs.push(...validateLabelSelector(m.objectSelector, `${path}.objectSelector`));
  (m.resourceRules ?? []).forEach((r, i) => errs.push(...validateRule(r, `${path}.resourceRules[${i}]`, operations)));
  (m.excludeResourceRules ?? []).forEach((r, i) => errs.push(...validateRule(r, `${path}.excludeResourceRules[${i}]`, operations)));
  return errs;
}
