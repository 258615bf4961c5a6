// The rights of a tenant admin in their own namespace, the same on every backend. Every namespaced kind a
// tenant works with — but not `namespaces`: RBAC checks a request for /api/v1/namespaces/NAME against Roles
// in NAME (k8s.io/apiserver requestinfo.go sets the namespace to the name), so a wildcard Role would let a
// tenant relabel its own namespace and lift Pod Security Admission. Upstream's `admin` ClusterRole leaves
// namespaces read-only for the same reason (bootstrappolicy/policy.go).

const core = [
  'pods',
  'pods/attach',
  'pods/binding',
  'pods/ephemeralcontainers',
  'pods/eviction',
  'pods/exec',
  'pods/log',
  'pods/portforward',
  'pods/proxy',
  'pods/resize',
  'pods/status',
  'secrets',
  'serviceaccounts',
  'serviceaccounts/token',
  'configmaps',
  'events',
  'endpoints',
  'services',
  'services/proxy',
  'persistentvolumeclaims',
  'replicationcontrollers',
  'replicationcontrollers/scale',
  'podtemplates',
];

/** The API groups (besides core) whose namespaced kinds a tenant manages in full. */
const groups = ['apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'discovery.k8s.io', 'events.k8s.io', 'coordination.k8s.io', 'rbac.authorization.k8s.io'];

export const TENANT_ADMIN_RULES: readonly { apiGroups: string[]; resources: string[]; verbs: string[] }[] = [
  { apiGroups: [''], resources: core, verbs: ['*'] },
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
  { apiGroups: groups, resources: ['*'], verbs: ['*'] },
];
