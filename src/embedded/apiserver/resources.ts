// The resource table: every REST resource the embedded API server serves, in discovery's own terms.
// Shapes follow k8s.io/apimachinery/pkg/apis/meta/v1 APIResource and apidiscovery.k8s.io/v2.

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface Subresource {
  name: string;
  kind: string;
  /** Group/version of the subresource's kind when it differs from the parent (e.g. policy/v1 Eviction). */
  verbs: Verb[];
}

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural, lower case: the path segment ("pods"). */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: Verb[];
  shortNames: string[];
  categories: string[];
  subresources: Subresource[];
}

const crud: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function core(resource: string, singular: string, kind: string, namespaced: boolean, extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return { group: '', version: 'v1', resource, singular, kind, namespaced, verbs: crud, shortNames: [], categories: [], subresources: [], ...extra };
}

function rbac(resource: string, singular: string, kind: string, namespaced: boolean): ResourceInfo {
  return { group: 'rbac.authorization.k8s.io', version: 'v1', resource, singular, kind, namespaced, verbs: crud, shortNames: [], categories: [], subresources: [] };
}

export const resources: readonly ResourceInfo[] = [
  core('namespaces', 'namespace', 'Namespace', false, {
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
    subresources: [{ name: 'status', kind: 'Namespace', verbs: ['get', 'patch', 'update'] }],
  }),
  core('nodes', 'node', 'Node', false, {
    shortNames: ['no'],
    subresources: [{ name: 'status', kind: 'Node', verbs: ['get', 'patch', 'update'] }],
  }),
  core('pods', 'pod', 'Pod', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    ],
  }),
  core('secrets', 'secret', 'Secret', true),
  core('serviceaccounts', 'serviceaccount', 'ServiceAccount', true, { shortNames: ['sa'] }),
  // Read-only: only the `kubernetes` Service exists, so `kubectl cluster-info` and `get svc` answer as on a cluster.
  core('services', 'service', 'Service', true, { verbs: ['get', 'list', 'watch'], shortNames: ['svc'], categories: ['all'] }),
  core('events', 'event', 'Event', true, { shortNames: ['ev'] }),
  rbac('clusterrolebindings', 'clusterrolebinding', 'ClusterRoleBinding', false),
  rbac('clusterroles', 'clusterrole', 'ClusterRole', false),
  rbac('rolebindings', 'rolebinding', 'RoleBinding', true),
  rbac('roles', 'role', 'Role', true),
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectrulesreviews',
    singular: 'selfsubjectrulesreview',
    kind: 'SelfSubjectRulesReview',
    namespaced: false,
    verbs: ['create'],
    shortNames: [],
    categories: [],
    subresources: [],
  },
  {
    group: 'authorization.k8s.io',
    version: 'v1',
    resource: 'selfsubjectaccessreviews',
    singular: 'selfsubjectaccessreview',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
    shortNames: [],
    categories: [],
    subresources: [],
  },
];

export function groupVersion(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** The group-versions served, core first, in discovery order. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of resources) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function findKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return resources.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

export function findByResourceName(resource: string): ResourceInfo | undefined {
  return resources.find((r) => r.resource === resource);
}

/** Every kind this server stores; strict field validation has a schema for each (field-schema.ts). */
export function servedKinds(): string[] {
  return [...new Set(resources.map((r) => r.kind))].sort();
}
