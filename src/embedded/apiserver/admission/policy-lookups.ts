// What the admission policy plugins read from the running server: the live policies and bindings (so a create,
// update or delete takes effect on the next request, as upstream's informer-fed policy source does), and the
// engine's lookups (namespace, params, authorizer) answered from the store and RBAC.
import type { UserInfo } from '../authn.js';
import type { AuthorizationRequest as ServerAuthorizationRequest } from '../handlers/context.js';
import { findKind, findResource, resources } from '../resources.js';
import type { KubeObject, ObjectStore } from '../store.js';
import type { PolicyLookups } from './policy/evaluate.js';
import { labelSelectorMatches } from './policy/label-selector.js';
import type { MutatingAdmissionPolicy, MutatingAdmissionPolicyBinding, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './policy/types.js';

export type ServerAuthorize = (user: UserInfo, request: ServerAuthorizationRequest) => { allowed: boolean; reason: string };

const policyResource = (resource: string) => findResource('admissionregistration.k8s.io', 'v1', resource)!;

function live<T>(store: ObjectStore, resource: string): T[] {
  return store.list(policyResource(resource), undefined, undefined, { shared: true }).items as unknown as T[];
}

export const liveValidatingPolicies = (store: ObjectStore) => ({
  policies: live<ValidatingAdmissionPolicy>(store, 'validatingadmissionpolicies'),
  bindings: live<ValidatingAdmissionPolicyBinding>(store, 'validatingadmissionpolicybindings'),
});

export const liveMutatingPolicies = (store: ObjectStore) => ({
  policies: live<MutatingAdmissionPolicy>(store, 'mutatingadmissionpolicies'),
  bindings: live<MutatingAdmissionPolicyBinding>(store, 'mutatingadmissionpolicybindings'),
});

const namespacesResource = () => findResource('', 'v1', 'namespaces')!;

/** The engine's lookups over the store and the server's authorizer. */
export function policyLookups(store: ObjectStore, authorize: ServerAuthorize | undefined): PolicyLookups {
  const namespace = (name: string): KubeObject | undefined => store.get(namespacesResource(), undefined, name, { shared: true });
  return {
    namespace,
    namespaceLabels: (name) => {
      const ns = namespace(name);
      return ns ? (ns.metadata.labels ?? {}) : undefined;
    },
    params: {
      scope: (kind) => {
        const r = findKind(kind.apiVersion ?? '', kind.kind ?? '');
        return r === undefined ? undefined : r.namespaced ? 'Namespaced' : 'Cluster';
      },
      get: (kind, ns, name) => {
        const r = findKind(kind.apiVersion ?? '', kind.kind ?? '');
        return r ? store.get(r, r.namespaced ? ns : undefined, name, { shared: true }) : undefined;
      },
      list: (kind, ns, selector) => {
        const r = findKind(kind.apiVersion ?? '', kind.kind ?? '');
        if (!r) return [];
        return store.list(r, r.namespaced && ns !== '' ? ns : undefined, (o) => labelSelectorMatches(selector, o.metadata.labels), { shared: true }).items;
      },
    },
    ...(authorize
      ? {
          authorize: (request) => {
            const { user, ...rest } = request;
            const decision = authorize(
              { name: user.username, groups: user.groups ?? [] },
              {
                verb: rest.verb,
                resourceRequest: rest.resourceRequest,
                ...(rest.apiGroup !== undefined ? { apiGroup: rest.apiGroup } : {}),
                ...(rest.resource !== undefined ? { resource: rest.resource } : {}),
                ...(rest.subresource !== undefined ? { subresource: rest.subresource } : {}),
                ...(rest.namespace !== undefined ? { namespace: rest.namespace } : {}),
                ...(rest.name !== undefined ? { name: rest.name } : {}),
                ...(rest.path !== undefined ? { path: rest.path } : {}),
              },
            );
            // RBAC never denies outright: what it does not allow has no opinion (rbac.go Authorize).
            return { decision: decision.allowed ? 'Allow' : 'NoOpinion', reason: decision.reason };
          },
        }
      : {}),
  };
}

/** The version a served resource is requested in (every kind here has one). */
export function servedVersion(group: string, resource: string): string {
  return resources.find((r) => r.group === group && r.resource === resource)?.version ?? 'v1';
}
