// The RBAC authorizer over the store's live Role/RoleBinding/ClusterRole/ClusterRoleBinding objects
// (plugin/pkg/auth/authorizer/rbac/rbac.go), and the 403 it leads to
// (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go Forbidden).
import type { UserInfo } from './authn.js';
import type { AuthorizationRequest } from './handlers/context.js';
import { authorize, forbiddenStatus, rulesFor, type AuthorizationRequest as RbacRequest, type RbacObjects, type SubjectRulesReviewStatus } from './rbac.js';
import type { StatusError } from '../../k8s/api-errors.js';
import type { RequestInfo } from './request-info.js';
import { findResource } from './resources.js';
import type { ObjectStore } from './store.js';

const rbac = (resource: string) => findResource('rbac.authorization.k8s.io', 'v1', resource)!;

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  private cache: { resourceVersion: string; objects: RbacObjects } | undefined;

  /** The RBAC objects, re-read only after a write (the store's resourceVersion moves on every write). */
  private objects(): RbacObjects {
    const resourceVersion = this.store.resourceVersion();
    if (this.cache?.resourceVersion === resourceVersion) return this.cache.objects;
    const objects = {
      roles: this.store.list(rbac('roles')).items,
      roleBindings: this.store.list(rbac('rolebindings')).items,
      clusterRoles: this.store.list(rbac('clusterroles')).items,
      clusterRoleBindings: this.store.list(rbac('clusterrolebindings')).items,
    } as unknown as RbacObjects;
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
    return forbiddenStatus(toRbacRequest(user, request), reason);
  }
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
