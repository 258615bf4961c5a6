// The RBAC authorizer over the store's live Role/RoleBinding/ClusterRole/ClusterRoleBinding objects
// (plugin/pkg/auth/authorizer/rbac/rbac.go), and the 403 it leads to
// (k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/errors.go Forbidden).
import { newAuthorizationForbidden, type StatusError } from '../../k8s/api-errors.js';
import type { UserInfo } from './authn.js';
import type { AuthorizationRequest } from './handlers/context.js';
import { authorize } from './pending/rbac.js';
import type { RequestInfo } from './request-info.js';
import { findResource } from './resources.js';
import type { ObjectStore } from './store.js';

const rbac = (resource: string) => findResource('rbac.authorization.k8s.io', 'v1', resource)!;

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  authorize(user: UserInfo, request: AuthorizationRequest): { allowed: boolean; reason: string } {
    const objects = {
      roles: this.store.list(rbac('roles')).items,
      roleBindings: this.store.list(rbac('rolebindings')).items,
      clusterRoles: this.store.list(rbac('clusterroles')).items,
      clusterRoleBindings: this.store.list(rbac('clusterrolebindings')).items,
    };
    return authorize({ user, ...request }, objects as never);
  }

  /** The 403 for a denied request, worded as upstream. */
  forbidden(user: UserInfo, info: RequestInfo, reason: string): StatusError {
    if (!info.isResourceRequest) return newAuthorizationForbidden({ user: user.name, verb: info.verb, path: info.path }, reason);
    return newAuthorizationForbidden(
      {
        user: user.name,
        verb: info.verb,
        resource: info.resource,
        subresource: info.subresource,
        apiGroup: info.group,
        namespace: info.namespace,
        name: info.name,
      },
      reason,
    );
  }
}
