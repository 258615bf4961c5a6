// The RBAC authorizer: k8s.io/kubernetes plugin/pkg/auth/authorizer/rbac/rbac.go (Authorize, RulesFor, allow reasons),
// pkg/registry/rbac/validation/rule.go (VisitRulesFor, appliesTo) and pkg/apis/rbac/v1/evaluation_helpers.go (rule
// matching). Denial texts come from forbiddenMessage in src/k8s/api-errors.ts (responsewriters/errors.go).
import { type AuthorizationAttributes, forbiddenMessage as forbiddenMessageFor, goQuote, newAuthorizationForbidden, type StatusError } from '../../k8s/api-errors.js';

export interface UserInfo {
  name: string;
  groups: readonly string[];
}

export interface ResourceRequest {
  user: UserInfo;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource?: string;
  /** Empty or absent for cluster-scoped requests. */
  namespace?: string;
  name?: string;
}
export interface NonResourceRequest {
  user: UserInfo;
  verb: string;
  path: string;
}
export type AuthorizationRequest = ResourceRequest | NonResourceRequest;

export interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}
export interface Subject {
  kind: string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}
export interface RoleRef {
  apiGroup?: string;
  kind: string;
  name: string;
}
interface Meta {
  metadata?: { name?: string; namespace?: string };
}
export interface Role extends Meta {
  rules?: PolicyRule[] | null;
}
export interface RoleBinding extends Meta {
  subjects?: Subject[] | null;
  roleRef: RoleRef;
}

/** The RBAC objects the authorizer reads, as stored (JSON). */
export interface RbacObjects {
  roles: readonly Role[];
  clusterRoles: readonly Role[];
  roleBindings: readonly RoleBinding[];
  clusterRoleBindings: readonly RoleBinding[];
}

/** DecisionAllow, or DecisionNoOpinion with the authorizer's reason (empty unless a binding was broken). */
export interface AuthorizationDecision {
  allowed: boolean;
  reason: string;
}

export const isResourceRequest = (r: AuthorizationRequest): r is ResourceRequest => 'resource' in r;

const nameOf = (o: Meta): string => o.metadata?.name ?? '';
const namespaceOf = (o: Meta): string => o.metadata?.namespace ?? '';

/** serviceaccount.MakeUsername. */
export function serviceAccountUsername(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

function appliesTo(user: UserInfo, subject: Subject, bindingNamespace: string): boolean {
  switch (subject.kind) {
    case 'User':
      return user.name === subject.name;
    case 'Group':
      return user.groups.includes(subject.name);
    case 'ServiceAccount': {
      const namespace = subject.namespace || bindingNamespace;
      return namespace !== '' && serviceAccountUsername(namespace, subject.name) === user.name;
    }
    default:
      return false;
  }
}

function describeSubject(subject: Subject, bindingNamespace: string): string {
  if (subject.kind === 'ServiceAccount') return `${subject.kind} ${goQuote(`${subject.name}/${subject.namespace || bindingNamespace}`)}`;
  return `${subject.kind} ${goQuote(subject.name)}`;
}

interface RuleSource {
  rules: readonly PolicyRule[];
  /** clusterRoleBindingDescriber / roleBindingDescriber String(). */
  describe: string;
}

// VisitRulesFor: cluster role bindings first, then the namespace's role bindings; broken references become errors.
function rulesSources(user: UserInfo, namespace: string, rbac: RbacObjects, errors: string[]): RuleSource[] {
  const sources: RuleSource[] = [];
  const roleRules = (ref: RoleRef, bindingNamespace: string): readonly PolicyRule[] | undefined => {
    if (ref.kind === 'ClusterRole') {
      const role = rbac.clusterRoles.find((r) => nameOf(r) === ref.name);
      if (role === undefined) errors.push(`clusterrole.rbac.authorization.k8s.io ${goQuote(ref.name)} not found`);
      return role === undefined ? undefined : (role.rules ?? []);
    }
    if (ref.kind === 'Role') {
      const role = rbac.roles.find((r) => nameOf(r) === ref.name && namespaceOf(r) === bindingNamespace);
      if (role === undefined) errors.push(`role.rbac.authorization.k8s.io ${goQuote(ref.name)} not found`);
      return role === undefined ? undefined : (role.rules ?? []);
    }
    errors.push(`unsupported role reference kind: ${goQuote(ref.kind)}`);
    return undefined;
  };
  for (const binding of rbac.clusterRoleBindings) {
    const subject = (binding.subjects ?? []).find((s) => appliesTo(user, s, ''));
    if (subject === undefined) continue;
    const rules = roleRules(binding.roleRef, '');
    if (rules === undefined) continue;
    sources.push({
      rules,
      describe: `ClusterRoleBinding ${goQuote(nameOf(binding))} of ${binding.roleRef.kind} ${goQuote(binding.roleRef.name)} to ${describeSubject(subject, '')}`,
    });
  }
  if (namespace !== '') {
    for (const binding of rbac.roleBindings) {
      if (namespaceOf(binding) !== namespace) continue;
      const subject = (binding.subjects ?? []).find((s) => appliesTo(user, s, namespace));
      if (subject === undefined) continue;
      const rules = roleRules(binding.roleRef, namespace);
      if (rules === undefined) continue;
      sources.push({
        rules,
        describe: `RoleBinding ${goQuote(`${nameOf(binding)}/${namespace}`)} of ${binding.roleRef.kind} ${goQuote(binding.roleRef.name)} to ${describeSubject(subject, namespace)}`,
      });
    }
  }
  return sources;
}

const has = (list: readonly string[] | undefined, value: string): boolean => (list ?? []).some((v) => v === '*' || v === value);

function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const ruleResource of rule.resources ?? []) {
    if (ruleResource === '*' || ruleResource === combined) return true;
    if (subresource === '') continue;
    // "*/subresource" matches that subresource of every resource.
    if (ruleResource.length === subresource.length + 2 && ruleResource.startsWith('*/') && ruleResource.endsWith(subresource)) return true;
  }
  return false;
}

function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(name);
}

function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  return (rule.nonResourceURLs ?? []).some((url) => url === '*' || url === path || (url.endsWith('*') && path.startsWith(url.replace(/\*+$/, ''))));
}

/** RuleAllows (evaluation_helpers.go). */
export function ruleAllows(request: AuthorizationRequest, rule: PolicyRule): boolean {
  if (isResourceRequest(request)) {
    const subresource = request.subresource ?? '';
    const combined = subresource === '' ? request.resource : `${request.resource}/${subresource}`;
    return has(rule.verbs, request.verb) && has(rule.apiGroups, request.apiGroup) && resourceMatches(rule, combined, subresource) && resourceNameMatches(rule, request.name ?? '');
  }
  return has(rule.verbs, request.verb) && nonResourceURLMatches(rule, request.path);
}

/** RBACAuthorizer.Authorize: allowed with `RBAC: allowed by <binding>`, else no opinion (`RBAC: <errors>` if any). */
export function authorize(request: AuthorizationRequest, rbac: RbacObjects): AuthorizationDecision {
  const errors: string[] = [];
  const namespace = isResourceRequest(request) ? (request.namespace ?? '') : '';
  for (const source of rulesSources(request.user, namespace, rbac, errors)) {
    if (source.rules.some((rule) => ruleAllows(request, rule))) {
      return { allowed: true, reason: `RBAC: allowed by ${source.describe}` };
    }
  }
  return { allowed: false, reason: errors.length === 0 ? '' : `RBAC: ${aggregateText(errors)}` };
}

// utilerrors.Aggregate.Error(): one error bare, several as "[a, b]".
function aggregateText(errors: readonly string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}

function attributes(request: AuthorizationRequest): AuthorizationAttributes {
  if (!isResourceRequest(request)) return { user: request.user.name, verb: request.verb, path: request.path };
  return {
    user: request.user.name,
    verb: request.verb,
    apiGroup: request.apiGroup,
    resource: request.resource,
    ...(request.subresource ? { subresource: request.subresource } : {}),
    ...(request.namespace ? { namespace: request.namespace } : {}),
    ...(request.name ? { name: request.name } : {}),
  };
}

/** `User "admin2" cannot get resource "secrets" in API group "" in the namespace "tenant-a"` and its variants. */
export function forbiddenMessage(request: AuthorizationRequest): string {
  return forbiddenMessageFor(attributes(request));
}

/** The 403 Status for a denied request: `secrets "image-pull-secret-1" is forbidden: User …`. */
export function forbiddenStatus(request: AuthorizationRequest, reason = ''): StatusError {
  return newAuthorizationForbidden(attributes(request), reason);
}

export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}
export interface NonResourceRule {
  verbs: string[];
  nonResourceURLs?: string[];
}
/** SubjectRulesReviewStatus for a SelfSubjectRulesReview (`kubectl auth can-i --list`). */
export interface SubjectRulesReviewStatus {
  resourceRules: ResourceRule[];
  nonResourceRules: NonResourceRule[];
  incomplete: boolean;
  evaluationError?: string;
}

/** RBACAuthorizer.RulesFor: every rule that applies to the user in the namespace, split as the review reports them. */
export function rulesFor(user: UserInfo, namespace: string, rbac: RbacObjects): SubjectRulesReviewStatus {
  const errors: string[] = [];
  const resourceRules: ResourceRule[] = [];
  const nonResourceRules: NonResourceRule[] = [];
  for (const source of rulesSources(user, namespace, rbac, errors)) {
    for (const rule of source.rules) {
      if ((rule.resources ?? []).length > 0) {
        resourceRules.push({
          verbs: [...(rule.verbs ?? [])],
          ...(rule.apiGroups?.length ? { apiGroups: [...rule.apiGroups] } : {}),
          resources: [...(rule.resources ?? [])],
          ...(rule.resourceNames?.length ? { resourceNames: [...rule.resourceNames] } : {}),
        });
      } else if ((rule.nonResourceURLs ?? []).length > 0) {
        nonResourceRules.push({ verbs: [...(rule.verbs ?? [])], nonResourceURLs: [...(rule.nonResourceURLs ?? [])] });
      }
    }
  }
  return {
    resourceRules,
    nonResourceRules,
    incomplete: false,
    ...(errors.length > 0 ? { evaluationError: aggregateText(errors) } : {}),
  };
}
