// The authorizer library in policy expressions (k8s.io/apiserver pkg/cel/library/authz.go, cost.go).
import { describe, expect, it } from 'vitest';
import type { PolicyAttributes } from './activation.js';
import type { AuthorizationRequest } from './cel-authz.js';
import { evaluatePolicies, type PolicyLookups } from './evaluate.js';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './types.js';

const asked: AuthorizationRequest[] = [];
const lookups: PolicyLookups = {
  namespace: (n) => ({ metadata: { name: n } }),
  namespaceLabels: () => ({}),
  // admin1 may read tenant-a's secrets; nobody else may do anything
  authorize: (r) => {
    asked.push(r);
    const allowed = r.user.username === 'admin1' && r.resource === 'secrets' && r.namespace === 'tenant-a' && r.verb === 'get';
    return { decision: allowed ? 'Allow' : 'NoOpinion', reason: allowed ? 'RBAC: allowed by RoleBinding "admin1"' : '' };
  },
};
const request = (username: string): PolicyAttributes => ({
  operation: 'CREATE',
  group: '',
  version: 'v1',
  resource: 'pods',
  subresource: '',
  kind: 'Pod',
  name: 'p',
  namespace: 'tenant-a',
  object: { metadata: { name: 'p' }, spec: { containers: [] } },
  userInfo: { username, groups: ['system:authenticated'] },
});
const policy = (expression: string, messageExpression?: string): ValidatingAdmissionPolicy => ({
  metadata: { name: 'p' },
  spec: {
    matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] },
    validations: [{ expression, ...(messageExpression ? { messageExpression } : {}) }],
  },
});
const binding: ValidatingAdmissionPolicyBinding = { metadata: { name: 'b' }, spec: { policyName: 'p', validationActions: ['Deny'] } };
const run = (p: ValidatingAdmissionPolicy, user: string) => evaluatePolicies(request(user), { validatingPolicies: [p], validatingBindings: [binding] }, lookups);

describe('authorizer', () => {
  const canReadSecrets = "authorizer.group('').resource('secrets').namespace('tenant-a').check('get').allowed()";

  it('checks the requesting user with the API server authorizer', () => {
    expect(run(policy(canReadSecrets), 'admin1').allowed).toBe(true);
    expect(run(policy(canReadSecrets), 'admin2').allowed).toBe(false);
    expect(asked.at(-1)).toEqual({
      user: { username: 'admin2', uid: '', groups: ['system:authenticated'] },
      verb: 'get',
      resourceRequest: true,
      apiGroup: '',
      apiVersion: '*',
      resource: 'secrets',
      subresource: '',
      namespace: 'tenant-a',
      name: '',
    });
  });

  it('reason(), requestResource, serviceAccount() and path()', () => {
    expect(run(policy(`${canReadSecrets.replace('.allowed()', '.reason()')} == 'RBAC: allowed by RoleBinding "admin1"'`), 'admin1').allowed).toBe(true);
    run(policy("authorizer.requestResource.check('create').allowed() || true"), 'admin2');
    expect(asked.at(-1)).toMatchObject({ verb: 'create', resource: 'pods', namespace: 'tenant-a', name: 'p' });
    run(policy("authorizer.serviceAccount('tenant-a', 'builder').path('/healthz').check('get').allowed() || true"), 'admin2');
    expect(asked.at(-1)).toMatchObject({ user: { username: 'system:serviceaccount:tenant-a:builder' }, path: '/healthz', resourceRequest: false });
  });

  it('a check costs 350,000: a third check in one expression passes the per-call limit', () => {
    const three = [1, 2, 3].map(() => "authorizer.path('/x').check('get').allowed()").join(' || ');
    expect(run(policy(three), 'admin1').status?.message).toContain('operation cancelled: actual cost limit exceeded');
  });

  it('is not declared in messageExpression', () => {
    const d = run(policy('false', "authorizer.path('/x').check('get').reason()"), 'admin1');
    expect(d.status?.message).toMatch(/denied request: failed expression: false$/);
  });
});
