// VAP decisions and their texts (k8s.io/apiserver pkg/admission/plugin/policy/validating/validator.go,
// dispatcher.go; cel/activation.go for runtime errors).
import { describe, expect, it } from 'vitest';
import type { PolicyAttributes } from './activation.js';
import { evaluatePolicies, type PolicyLookups } from './evaluate.js';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding, ValidatingAdmissionPolicySpec, ValidationAction } from './types.js';

const attrs: PolicyAttributes = {
  operation: 'CREATE',
  group: '',
  version: 'v1',
  resource: 'pods',
  subresource: '',
  kind: 'Pod',
  name: '',
  namespace: 'tenant-b',
  object: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'web-', labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', image: 'i:1', imagePullPolicy: 'IfNotPresent' }] },
  },
  userInfo: { username: 'admin2', groups: ['tenants'] },
};
const lookups: PolicyLookups = {
  namespace: (n) => ({ metadata: { name: n, labels: { tier: 'tenant' } } }),
  namespaceLabels: () => ({ tier: 'tenant' }),
};
const RULES = { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE' as const], resources: ['pods'] }] };

function policy(spec: Partial<ValidatingAdmissionPolicySpec>, name = 'p'): ValidatingAdmissionPolicy {
  return { metadata: { name }, spec: { matchConstraints: RULES, ...spec } };
}
function binding(actions: ValidationAction[], name = 'b', policyName = 'p'): ValidatingAdmissionPolicyBinding {
  return { metadata: { name }, spec: { policyName, validationActions: actions } };
}
const run = (p: ValidatingAdmissionPolicy, b: ValidatingAdmissionPolicyBinding[] = [binding(['Deny'])], a = attrs) =>
  evaluatePolicies(a, { validatingPolicies: [p], validatingBindings: b }, lookups);

describe('validations', () => {
  it('a false validation denies with 422 Invalid by default, the message and the generateName', () => {
    const d = run(policy({ validations: [{ expression: "object.spec.containers.all(c, c.imagePullPolicy == 'Always')", message: 'must pull' }] }));
    expect(d.allowed).toBe(false);
    expect(d.status?.code).toBe(422);
    expect(d.status?.reason).toBe('Invalid');
    expect(d.status?.message).toBe(`pods "web-" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: must pull`);
    expect(d.status?.status.details?.causes).toEqual([{ message: `ValidatingAdmissionPolicy 'p' with binding 'b' denied request: must pull` }]);
  });

  it('reason sets code: Forbidden 403, Unauthorized 401, RequestEntityTooLarge 413', () => {
    for (const [reason, code] of [
      ['Forbidden', 403],
      ['Unauthorized', 401],
      ['RequestEntityTooLarge', 413],
    ] as const) {
      expect(run(policy({ validations: [{ expression: 'false', reason }] })).status?.code).toBe(code);
    }
  });

  it('message falls back: messageExpression, then message, then "failed expression: <expr>"', () => {
    const msg = (v: { expression: string; message?: string; messageExpression?: string }) => run(policy({ validations: [v] })).status?.message.split('denied request: ')[1];
    expect(msg({ expression: 'false', messageExpression: "'from ' + request.userInfo.username", message: 'static' })).toBe('from admin2');
    expect(msg({ expression: 'false', messageExpression: "'two\\nlines'", message: 'static' })).toBe('static');
    expect(msg({ expression: 'false', messageExpression: 'object.nope', message: 'static' })).toBe('static');
    expect(msg({ expression: ' false ', messageExpression: "'  '" })).toBe('failed expression: false');
  });

  it('a runtime error fails the request under Fail, with cel-go words, and is ignored under Ignore', () => {
    const v = [{ expression: 'object.spec.initContainers.size() == 0' }];
    expect(run(policy({ validations: v })).status?.message).toBe(
      `pods "web-" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: expression 'object.spec.initContainers.size() == 0' resulted in error: no such key: initContainers`,
    );
    expect(run(policy({ validations: v, failurePolicy: 'Ignore' })).allowed).toBe(true);
  });

  it('a compile error is reported at admission as "compilation error: compilation failed: …"', () => {
    const d = run(policy({ validations: [{ expression: 'nosuchvar == 1' }] }));
    expect(d.status?.message).toContain("denied request: compilation error: compilation failed: ERROR: <input>:1:1: undeclared reference to 'nosuchvar' (in container '')");
  });

  it('variables are evaluated lazily and may refer to earlier ones', () => {
    const p = policy({
      variables: [
        { name: 'names', expression: 'object.spec.containers.map(c, c.name)' },
        { name: 'count', expression: 'size(variables.names)' },
      ],
      validations: [{ expression: 'variables.count == 2', messageExpression: "'containers: ' + variables.names.join(',')" }],
    });
    expect(run(p).status?.message).toMatch(/denied request: containers: app$/);
  });
});

describe('request, as a real kube-apiserver hands it to CEL', () => {
  // the AdmissionRequest goes to unstructured first: an empty omitempty field is absent (found on kind v1.36.3)
  it('has no subResource, name or uid key where they are empty; has() tells, and reading one is "no such key"', () => {
    const checks = ['!has(request.subResource)', '!has(request.name)', '!has(request.userInfo.uid)', "request.userInfo.groups == ['tenants']", 'request.dryRun == false'];
    for (const expression of checks) expect(run(policy({ validations: [{ expression }] })).allowed, expression).toBe(true);
    const read = run(policy({ validations: [{ expression: "request.subResource != 'ephemeralcontainers'" }] }));
    expect(read.allowed).toBe(false);
    expect(read.status?.message).toContain('no such key: subResource');
  });
});

describe('validationActions', () => {
  const p = policy({ validations: [{ expression: 'false', message: 'nope' }] });
  it('Warn: a warning, no denial', () => {
    const d = run(p, [binding(['Warn'])]);
    expect(d.allowed).toBe(true);
    expect(d.warnings).toEqual(["Validation failed for ValidatingAdmissionPolicy 'p' with binding 'b': nope"]);
  });
  it('Audit: the validation_failure annotation', () => {
    const d = run(p, [binding(['Audit', 'Warn'])]);
    expect(d.allowed).toBe(true);
    expect(JSON.parse(d.auditAnnotations['validation.policy.admission.k8s.io/validation_failure']!)).toEqual([
      { message: 'nope', policy: 'p', binding: 'b', expressionIndex: 0, validationActions: ['Audit', 'Warn'] },
    ]);
  });
  it('bindings that do not name the policy, or do not match, do nothing', () => {
    expect(run(p, [binding(['Deny'], 'b', 'other')]).allowed).toBe(true);
    const scoped = { ...binding(['Deny']), spec: { ...binding(['Deny']).spec, matchResources: { namespaceSelector: { matchLabels: { tier: 'system' } } } } };
    expect(run(p, [scoped]).allowed).toBe(true);
  });
});

describe('matchConditions, auditAnnotations, cost', () => {
  it('a false matchCondition skips the policy; an error fails it under Fail', () => {
    const v = [{ expression: 'false' }];
    expect(run(policy({ matchConditions: [{ name: 'only-admin1', expression: "request.userInfo.username == 'admin1'" }], validations: v })).allowed).toBe(true);
    const d = run(policy({ matchConditions: [{ name: 'bad', expression: 'object.nope' }], validations: v }));
    expect(d.status?.message).toBe(
      `pods "web-" is forbidden: ValidatingAdmissionPolicy 'p' with binding 'b' denied request: expression 'object.nope' resulted in error: no such key: nope`,
    );
  });

  it('auditAnnotations publish <policy>/<key>; null or empty values are left out', () => {
    const d = run(
      policy({
        auditAnnotations: [
          { key: 'user', valueExpression: 'request.userInfo.username' },
          { key: 'none', valueExpression: 'null' },
        ],
      }),
    );
    expect(d.auditAnnotations).toEqual({ 'p/user': 'admin2' });
  });

  it("an expression past the per-call cost limit fails with cel-go's text", () => {
    const big =
      'object.spec.containers.map(c, [1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, [1,2,3,4,5,6,7,8,9,10].map(d, [1,2,3,4,5,6,7,8,9,10].map(e, [1,2,3,4,5,6,7,8,9,10].map(f, a + b + d + e + f))))))';
    const d = run(policy({ validations: [{ expression: `size(${big}) == 1` }] }));
    expect(d.status?.message).toContain('resulted in error: operation cancelled: actual cost limit exceeded');
  }, 120_000); // a million cost units take seconds on a loaded machine

  it('policies never judge the policy kinds themselves', () => {
    const own: PolicyAttributes = { ...attrs, group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicies', kind: 'ValidatingAdmissionPolicy', namespace: '' };
    const p = policy({
      matchConstraints: { resourceRules: [{ apiGroups: ['*'], apiVersions: ['*'], operations: ['*'], resources: ['*'] }] },
      validations: [{ expression: 'false' }],
    });
    expect(run(p, [binding(['Deny'])], own).allowed).toBe(true);
  });
});
