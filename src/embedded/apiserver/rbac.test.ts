import { describe, expect, it } from 'vitest';
import { authorize, forbiddenMessage, forbiddenStatus, type RbacObjects, rulesFor, type UserInfo } from './rbac.js';

const authenticated = ['system:authenticated'];
const admin1: UserInfo = { name: 'admin1', groups: authenticated };
const admin2: UserInfo = { name: 'admin2', groups: authenticated };
const builder: UserInfo = { name: 'system:serviceaccount:tenant-a:builder', groups: ['system:serviceaccounts', 'system:serviceaccounts:tenant-a', ...authenticated] };

// The lab's stage: each tenant admin holds the built-in `admin`-like ClusterRole through a RoleBinding in its namespace.
const rbac: RbacObjects = {
  clusterRoles: [
    { metadata: { name: 'tenant-admin' }, rules: [{ verbs: ['*'], apiGroups: [''], resources: ['pods', 'pods/log', 'secrets', 'events'] }] },
    { metadata: { name: 'log-reader' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['*/log'] }] },
    { metadata: { name: 'health' }, rules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/logs/*'] }] },
    { metadata: { name: 'node-reader' }, rules: [{ verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['nodes'] }] },
  ],
  roles: [
    { metadata: { name: 'one-secret', namespace: 'tenant-a' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['secrets'], resourceNames: ['image-pull-secret-1'] }] },
  ],
  roleBindings: [
    {
      metadata: { name: 'admin1', namespace: 'tenant-a' },
      subjects: [{ kind: 'User', name: 'admin1', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'ClusterRole', name: 'tenant-admin' },
    },
    {
      metadata: { name: 'admin2', namespace: 'tenant-b' },
      subjects: [{ kind: 'User', name: 'admin2', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { kind: 'ClusterRole', name: 'tenant-admin' },
    },
    { metadata: { name: 'builder', namespace: 'tenant-a' }, subjects: [{ kind: 'ServiceAccount', name: 'builder' }], roleRef: { kind: 'Role', name: 'one-secret' } },
    {
      metadata: { name: 'sa-logs', namespace: 'tenant-a' },
      subjects: [{ kind: 'Group', name: 'system:serviceaccounts:tenant-a' }],
      roleRef: { kind: 'ClusterRole', name: 'log-reader' },
    },
    { metadata: { name: 'broken', namespace: 'tenant-c' }, subjects: [{ kind: 'User', name: 'admin2' }], roleRef: { kind: 'Role', name: 'missing' } },
  ],
  clusterRoleBindings: [
    { metadata: { name: 'everyone-health' }, subjects: [{ kind: 'Group', name: 'system:authenticated' }], roleRef: { kind: 'ClusterRole', name: 'health' } },
    { metadata: { name: 'admin1-nodes' }, subjects: [{ kind: 'User', name: 'admin1' }], roleRef: { kind: 'ClusterRole', name: 'node-reader' } },
  ],
};

const get = (user: UserInfo, resource: string, namespace: string, name = '', subresource = '') => ({
  user,
  verb: 'get',
  apiGroup: '',
  resource,
  namespace,
  name,
  subresource,
});

describe('authorize (RBAC authorizer)', () => {
  it('a ClusterRole bound by a RoleBinding applies only in the binding namespace', () => {
    expect(authorize(get(admin1, 'secrets', 'tenant-a', 'image-pull-secret-1'), rbac)).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "admin1/tenant-a" of ClusterRole "tenant-admin" to User "admin1"',
    });
    expect(authorize(get(admin2, 'secrets', 'tenant-a', 'image-pull-secret-1'), rbac).allowed).toBe(false);
    expect(authorize(get(admin2, 'secrets', 'tenant-b'), rbac).allowed).toBe(true);
    expect(authorize({ ...get(admin2, 'pods', 'tenant-b'), verb: 'create' }, rbac).allowed).toBe(true);
  });

  it('ClusterRoleBindings apply everywhere, including cluster-scoped requests', () => {
    expect(authorize({ user: admin1, verb: 'list', apiGroup: '', resource: 'nodes' }, rbac)).toEqual({
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "admin1-nodes" of ClusterRole "node-reader" to User "admin1"',
    });
    expect(authorize({ user: admin2, verb: 'list', apiGroup: '', resource: 'nodes' }, rbac).allowed).toBe(false);
  });

  it('resourceNames restrict to the named object; the API group must match', () => {
    expect(authorize(get(builder, 'secrets', 'tenant-a', 'image-pull-secret-1'), rbac).reason).toBe(
      'RBAC: allowed by RoleBinding "builder/tenant-a" of Role "one-secret" to ServiceAccount "builder/tenant-a"',
    );
    expect(authorize(get(builder, 'secrets', 'tenant-a', 'other'), rbac).allowed).toBe(false);
    expect(authorize(get(builder, 'secrets', 'tenant-a'), rbac).allowed).toBe(false);
    expect(authorize({ ...get(admin1, 'secrets', 'tenant-a'), apiGroup: 'apps' }, rbac).allowed).toBe(false);
  });

  it('subresources: "pods/log" must be granted as such, "*/log" matches any resource, "pods" does not grant "pods/exec"', () => {
    expect(authorize(get(admin1, 'pods', 'tenant-a', 'p', 'log'), rbac).allowed).toBe(true);
    expect(authorize({ ...get(admin1, 'pods', 'tenant-a', 'p', 'exec'), verb: 'create' }, rbac).allowed).toBe(false);
    // the builder service account gets */log through its system:serviceaccounts:tenant-a group
    expect(authorize(get(builder, 'pods', 'tenant-a', 'p', 'log'), rbac).reason).toBe(
      'RBAC: allowed by RoleBinding "sa-logs/tenant-a" of ClusterRole "log-reader" to Group "system:serviceaccounts:tenant-a"',
    );
    expect(authorize(get(builder, 'pods', 'tenant-a', 'p'), rbac).allowed).toBe(false);
  });

  it('non-resource URLs: exact and trailing-* prefix, for the system:authenticated group', () => {
    expect(authorize({ user: admin2, verb: 'get', path: '/healthz' }, rbac).allowed).toBe(true);
    expect(authorize({ user: admin2, verb: 'get', path: '/logs/kube-apiserver.log' }, rbac).allowed).toBe(true);
    expect(authorize({ user: admin2, verb: 'get', path: '/logs' }, rbac).allowed).toBe(false);
    expect(authorize({ user: admin2, verb: 'post', path: '/healthz' }, rbac).allowed).toBe(false);
    expect(authorize({ user: { name: 'anon', groups: [] }, verb: 'get', path: '/healthz' }, rbac).allowed).toBe(false);
  });

  it('a binding to a missing role denies with the error as reason', () => {
    expect(authorize(get(admin2, 'pods', 'tenant-c'), rbac)).toEqual({
      allowed: false,
      reason: 'RBAC: role.rbac.authorization.k8s.io "missing" not found',
    });
  });

  it('a ServiceAccount subject without namespace in a ClusterRoleBinding matches nobody', () => {
    const crb: RbacObjects = {
      ...rbac,
      clusterRoleBindings: [{ metadata: { name: 'x' }, subjects: [{ kind: 'ServiceAccount', name: 'builder' }], roleRef: { kind: 'ClusterRole', name: 'node-reader' } }],
    };
    expect(authorize({ user: builder, verb: 'get', apiGroup: '', resource: 'nodes' }, crb).allowed).toBe(false);
  });
});

describe('forbiddenMessage and forbiddenStatus', () => {
  it('namespaced, with the Status message kubectl prints (research §2.13)', () => {
    const request = get(admin2, 'secrets', 'tenant-a', 'image-pull-secret-1');
    expect(forbiddenMessage(request)).toBe('User "admin2" cannot get resource "secrets" in API group "" in the namespace "tenant-a"');
    expect(forbiddenStatus(request).status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'secrets "image-pull-secret-1" is forbidden: User "admin2" cannot get resource "secrets" in API group "" in the namespace "tenant-a"',
      reason: 'Forbidden',
      details: { name: 'image-pull-secret-1', kind: 'secrets' },
      code: 403,
    });
  });

  it('cluster scope, subresource and non-resource variants', () => {
    expect(forbiddenMessage({ user: admin2, verb: 'list', apiGroup: '', resource: 'nodes' })).toBe(
      'User "admin2" cannot list resource "nodes" in API group "" at the cluster scope',
    );
    expect(forbiddenMessage(get(admin2, 'pods', 'tenant-a', 'p', 'log'))).toBe('User "admin2" cannot get resource "pods/log" in API group "" in the namespace "tenant-a"');
    expect(forbiddenMessage({ user: admin2, verb: 'get', path: '/logs' })).toBe('User "admin2" cannot get path "/logs"');
    expect(forbiddenStatus({ user: admin2, verb: 'list', apiGroup: 'rbac.authorization.k8s.io', resource: 'roles', namespace: 'tenant-a' }).status.message).toBe(
      'roles.rbac.authorization.k8s.io is forbidden: User "admin2" cannot list resource "roles" in API group "rbac.authorization.k8s.io" in the namespace "tenant-a"',
    );
  });
});

describe('rulesFor (SelfSubjectRulesReview)', () => {
  it('lists cluster-wide and namespace rules for the user', () => {
    expect(rulesFor(admin1, 'tenant-a', rbac)).toEqual({
      resourceRules: [
        { verbs: ['get', 'list', 'watch'], apiGroups: [''], resources: ['nodes'] },
        { verbs: ['*'], apiGroups: [''], resources: ['pods', 'pods/log', 'secrets', 'events'] },
      ],
      nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/healthz', '/logs/*'] }],
      incomplete: false,
    });
  });

  it('admin2 has nothing in tenant-a beyond the cluster-wide rules; broken bindings show as evaluationError', () => {
    expect(rulesFor(admin2, 'tenant-a', rbac).resourceRules).toEqual([]);
    expect(rulesFor(admin2, 'tenant-c', rbac).evaluationError).toBe('role.rbac.authorization.k8s.io "missing" not found');
  });
});
