// The RBAC objects a lab starts with: upstream's bootstrap roles that matter here
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go: cluster-admin, system:discovery,
// system:basic-user, system:public-info-viewer), the lab admin's cluster-admin binding, and one
// namespace-scoped Role/RoleBinding per tenant admin. They are ordinary objects: kubectl shows and edits them.
import { TENANT_ADMIN_RULES } from '../../lab/tenant-role.js';
import { defaultNamespace } from './defaults.js';
import { findResource } from './resources.js';
import type { KubeObject, ObjectStore } from './store.js';

const r = (resource: string, group = 'rbac.authorization.k8s.io') => findResource(group, group === '' ? 'v1' : 'v1', resource)!;
const namespaces = () => r('namespaces', '');
const bootstrapLabels = { 'kubernetes.io/bootstrapping': 'rbac-defaults' };
const autoupdate = { 'rbac.authorization.kubernetes.io/autoupdate': 'true' };

function ensure(store: ObjectStore, resource: ReturnType<typeof r>, object: KubeObject): void {
  if (store.get(resource, object.metadata.namespace, object.metadata.name ?? '')) return;
  store.create(resource, resource.kind === 'Namespace' ? defaultNamespace(object) : object);
}

function clusterRole(name: string, rules: Record<string, unknown>[]): KubeObject {
  return { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels: bootstrapLabels, annotations: autoupdate }, rules };
}

function clusterRoleBinding(name: string, role: string, subjects: Record<string, unknown>[], bootstrap = true): KubeObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: bootstrap ? { name, labels: bootstrapLabels, annotations: autoupdate } : { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects,
  };
}

const group = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name });
const user = (name: string) => ({ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name });

/** Bootstrap policy plus the system namespaces; `clusterAdmins` get a cluster-admin binding each. */
export function seedClusterPolicy(store: ObjectStore, options: { clusterAdmins: readonly string[]; apiServerPort?: number }): void {
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    ensure(store, namespaces(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  }
  // The `kubernetes` Service the API server keeps in `default` (pkg/controlplane/controller/kubernetesservice).
  ensure(store, r('services', ''), {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: {
      clusterIP: '10.96.0.1',
      clusterIPs: ['10.96.0.1'],
      internalTrafficPolicy: 'Cluster',
      ipFamilies: ['IPv4'],
      ipFamilyPolicy: 'SingleStack',
      ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: options.apiServerPort ?? 6443 }],
      sessionAffinity: 'None',
      type: 'ClusterIP',
    },
    status: { loadBalancer: {} },
  });
  ensure(
    store,
    r('clusterroles'),
    clusterRole('cluster-admin', [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]),
  );
  ensure(
    store,
    r('clusterroles'),
    clusterRole('system:discovery', [
      { nonResourceURLs: ['/api', '/api/*', '/apis', '/apis/*', '/healthz', '/livez', '/openapi', '/openapi/*', '/readyz', '/version', '/version/'], verbs: ['get'] },
    ]),
  );
  ensure(store, r('clusterroles'), clusterRole('system:public-info-viewer', [{ nonResourceURLs: ['/healthz', '/livez', '/readyz', '/version', '/version/'], verbs: ['get'] }]));
  ensure(
    store,
    r('clusterroles'),
    clusterRole('system:basic-user', [
      { apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'], verbs: ['create'] },
      { apiGroups: ['authentication.k8s.io'], resources: ['selfsubjectreviews'], verbs: ['create'] },
    ]),
  );
  ensure(store, r('clusterrolebindings'), clusterRoleBinding('cluster-admin', 'cluster-admin', [group('system:masters')]));
  ensure(store, r('clusterrolebindings'), clusterRoleBinding('system:discovery', 'system:discovery', [group('system:authenticated')]));
  ensure(store, r('clusterrolebindings'), clusterRoleBinding('system:basic-user', 'system:basic-user', [group('system:authenticated')]));
  ensure(
    store,
    r('clusterrolebindings'),
    clusterRoleBinding('system:public-info-viewer', 'system:public-info-viewer', [group('system:authenticated'), group('system:unauthenticated')]),
  );
  for (const admin of options.clusterAdmins) {
    ensure(store, r('clusterrolebindings'), clusterRoleBinding(`${admin}-cluster-admin`, 'cluster-admin', [user(admin)], false));
  }
}

/**
 * A tenant: its namespace (the server's namespace controller adds the `default` ServiceAccount)
 * and a Role granting `user` the tenant admin's rights (src/lab/tenant-role.ts) in that namespace only, bound by a RoleBinding.
 */
export function seedTenant(store: ObjectStore, tenant: { user: string; namespace: string }): void {
  const { user: name, namespace } = tenant;
  ensure(store, namespaces(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } });
  ensure(store, r('roles'), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'tenant-admin', namespace },
    rules: structuredClone([...TENANT_ADMIN_RULES]),
  });
  ensure(store, r('rolebindings'), {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `${name}-tenant-admin`, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-admin' },
    subjects: [user(name)],
  });
}
