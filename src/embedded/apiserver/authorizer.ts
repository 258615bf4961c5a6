// The RBAC authorizer over the store's live Role/RoleBinding/ClusterRole/ClusterRoleBinding objects
// (plugin/pkg/auth/authorizer/rbac/rbac.go), and the 403 it leads to
// (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go Forbidden).
import type { UserInfo } from './authn.js';
import type { AuthorizationRequest } from './handlers/context.js';
import {
  authorize,
  forbiddenStatus,
  rulesFor,
  type AuthorizationRequest as RbacRequest,
  type PolicyRule,
  type RbacObjects,
  type Role,
  type RoleBinding,
  type Subject,
  type SubjectRulesReviewStatus,
} from './rbac.js';
import type { StatusError } from '../../k8s/api-errors.js';
import type { RequestInfo } from './request-info.js';
import { findResource } from './resources.js';
import type { KubeObject, ObjectStore } from './store.js';

const rbac = (resource: string) => findResource('rbac.authorization.k8s.io', 'v1', resource)!;
/** asRole and asBinding build new objects from the stored ones: no copy of every RBAC object after each write. */
const SHARED = { shared: true };

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  private cache: { resourceVersion: string; objects: RbacObjects } | undefined;

  /** The RBAC objects, re-read only after a write (the store's resourceVersion moves on every write). */
  private objects(): RbacObjects {
    const resourceVersion = this.store.resourceVersion();
    if (this.cache?.resourceVersion === resourceVersion) return this.cache.objects;
    const objects: RbacObjects = {
      roles: this.store.list(rbac('roles'), undefined, undefined, SHARED).items.map(asRole),
      roleBindings: this.store.list(rbac('rolebindings'), undefined, undefined, SHARED).items.flatMap(asBinding),
      clusterRoles: this.store.list(rbac('clusterroles'), undefined, undefined, SHARED).items.map(asRole),
      clusterRoleBindings: this.store.list(rbac('clusterrolebindings'), undefined, undefined, SHARED).items.flatMap(asBinding),
    };
    this.cache = { resourceVersion, objects };
    return objects;
  }

  authorize(user: UserInfo, request: AuthorizationRequest): { allowed: boolean; reason: string } {
    return authorize(toRbacRequest(user, request), this.objects());
  }

  /** SelfSubjectRulesReview: every rule that applies to the user in a namespace. */
  rulesFor(user: UserInfo, namespace: string): SubjectRulesReviewStatus {
    return rulesFor(user, namespace, this.objects());
  }

  /** The 403 for a denied request, worded as upstream. */
  forbidden(user: UserInfo, info: RequestInfo, reason: string): StatusError {
    const request: AuthorizationRequest = info.isResourceRequest
      ? { resourceRequest: true, verb: info.verb, apiGroup: info.group, resource: info.resource, subresource: info.subresource, namespace: info.namespace, name: info.name }
      : { resourceRequest: false, verb: info.verb, path: info.path };
    return this.forbiddenFor(user, request, reason);
  }

  forbiddenFor(user: UserInfo, request: AuthorizationRequest, reason: string): StatusError {
    return forbiddenStatus(toRbacRequest(user, request), reason);
  }
}

// The authorizer never trusts a stored object's shape: validation keeps bad shapes out, and whatever slips past
// (in-process writers, a future kind) is read field by field here; what does not fit grants nothing.
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] | undefined => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : undefined);
const meta = (o: KubeObject) => ({ name: text(o.metadata?.name), namespace: text(o.metadata?.namespace) });

function asRole(o: KubeObject): Role {
  const rules = Array.isArray(o['rules']) ? o['rules'].filter(isObject) : [];
  return {
    metadata: meta(o),
    rules: rules.map((r): PolicyRule => {
      const rule: PolicyRule = {};
      for (const key of ['verbs', 'apiGroups', 'resources', 'resourceNames', 'nonResourceURLs'] as const) {
        const list = strings(r[key]);
        if (list) rule[key] = list;
      }
      return rule;
    }),
  };
}

function asBinding(o: KubeObject): RoleBinding[] {
  const ref = o['roleRef'];
  if (!isObject(ref)) return [];
  const subjects = (Array.isArray(o['subjects']) ? o['subjects'] : [])
    .filter(isObject)
    .map((s): Subject => ({ kind: text(s['kind']), name: text(s['name']), namespace: text(s['namespace']), apiGroup: text(s['apiGroup']) }));
  return [{ metadata: meta(o), roleRef: { apiGroup: text(ref['apiGroup']), kind: text(ref['kind']), name: text(ref['name']) }, subjects }];
}

function toRbacRequest(user: UserInfo, r: AuthorizationRequest): RbacRequest {
  if (!r.resourceRequest) return { user, verb: r.verb, path: r.path ?? '' };
  return {
    user,
    verb: r.verb,
    apiGroup: r.apiGroup ?? '',
    resource: r.resource ?? '',
    ...(r.subresource ? { subresource: r.subresource } : {}),
    ...(r.namespace ? { namespace: r.namespace } : {}),
    ...(r.name ? { name: r.name } : {}),
  };
}
