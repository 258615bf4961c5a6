// What `kubectl apply` of a bad policy object answers (pkg/apis/admissionregistration/validation/validation.go).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { policySetFromYaml } from './policy-set.js';
import type { MutatingAdmissionPolicy, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './types.js';
import {
  validateMutatingAdmissionPolicy,
  validateMutatingAdmissionPolicyBinding,
  validatePolicyObject,
  validateValidatingAdmissionPolicy,
  validateValidatingAdmissionPolicyBinding,
} from './validation.js';

const messages = (errs: { message: string }[]) => errs.map((e) => e.message);
const rules = { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE' as const], resources: ['pods'] }] };

describe('ValidatingAdmissionPolicy', () => {
  it('needs matchConstraints and validations or auditAnnotations', () => {
    expect(messages(validateValidatingAdmissionPolicy({ metadata: { name: 'p' }, spec: {} }))).toEqual([
      'spec.matchConstraints: Required value',
      'spec.validations: Required value: validations or auditAnnotations must contain at least one item',
      'spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item',
    ]);
  });

  it('reports a CEL expression that does not compile, with the expression as the value', () => {
    const p: ValidatingAdmissionPolicy = { metadata: { name: 'p' }, spec: { matchConstraints: rules, validations: [{ expression: 'object.spec.?x' }] } };
    const [err] = validateValidatingAdmissionPolicy(p);
    expect(err?.message).toMatch(/^spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.\?x": compilation failed: ERROR: <input>:1:\d+: Syntax error: /);
  });

  it('refuses an expression that cannot return its type, and authorizer in a messageExpression (as kube-apiserver v1.36.3 answers)', () => {
    const p: ValidatingAdmissionPolicy = {
      metadata: { name: 'p' },
      spec: {
        matchConstraints: rules,
        matchConditions: [{ name: 'm', expression: "'x'" }],
        validations: [
          { expression: 'size(object.spec.containers)' },
          { expression: 'true', messageExpression: '1 + 1' },
          { expression: 'true', messageExpression: "'may not: ' + authorizer.group('').resource('secrets').check('get').reason()" },
          // dyn operands stay allowed: 'x' + dyn is a string, object.a == 1 a bool
          { expression: 'object.spec.x == 1', messageExpression: "'bad ' + object.metadata.name" },
        ],
      },
    };
    expect(messages(validateValidatingAdmissionPolicy(p))).toEqual([
      `spec.matchConditions[0].expression: Invalid value: "'x'": must evaluate to bool but got string`,
      'spec.validations[0].expression: Invalid value: "size(object.spec.containers)": must evaluate to bool but got int',
      'spec.validations[1].messageExpression: Invalid value: "1 + 1": must evaluate to string but got int',
      `spec.validations[2].messageExpression: Invalid value: "'may not: ' + authorizer.group('').resource('secrets').check('get').reason()": compilation failed: ERROR: <input>:1:15: undeclared reference to 'authorizer' (in container '')\n | 'may not: ' + authorizer.group('').resource('secrets').check('get').reason()\n | ..............^`,
    ]);
  });

  it('a dyn result is not a bool or a string: object and params fields are dyn, request fields typed', () => {
    const p: ValidatingAdmissionPolicy = {
      metadata: { name: 'dyn' },
      spec: {
        matchConstraints: rules,
        paramKind: { apiVersion: 'v1', kind: 'ConfigMap' },
        validations: [{ expression: 'object.spec.nodeName' }, { expression: 'true', messageExpression: 'params.data.x' }, { expression: 'request.operation' }],
      },
    };
    // kube-apiserver v1.36.3's answer (fidelity/differential.test.ts)
    expect(messages(validateValidatingAdmissionPolicy(p))).toEqual([
      'spec.validations[0].expression: Invalid value: "object.spec.nodeName": must evaluate to bool but got dyn',
      'spec.validations[1].messageExpression: Invalid value: "params.data.x": must evaluate to string but got dyn',
      'spec.validations[2].expression: Invalid value: "request.operation": must evaluate to bool but got string',
    ]);
  });

  it('checks the rule grammar, operations and reasons', () => {
    const p: ValidatingAdmissionPolicy = {
      metadata: { name: 'p' },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['PATCH' as 'CREATE'], resources: ['*/*', 'pods'] }] },
        validations: [{ expression: 'true', reason: 'Teapot' as 'Invalid' }],
      },
    };
    expect(messages(validateValidatingAdmissionPolicy(p))).toEqual([
      'spec.matchConstraints.resourceRules[0].operations[0]: Unsupported value: "PATCH": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
      `spec.matchConstraints.resourceRules[0].resources: Invalid value: ["*/*","pods"]: if '*/*' is present, must not specify other resources`,
      'spec.validations[0].reason: Unsupported value: "Teapot": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge", "Unauthorized"',
    ]);
  });

  it('a variable may only use the variables before it', () => {
    const p: ValidatingAdmissionPolicy = {
      metadata: { name: 'p' },
      spec: {
        matchConstraints: rules,
        variables: [
          { name: 'a', expression: 'variables.b' },
          { name: 'b', expression: '1' },
        ],
        validations: [{ expression: 'variables.a == 1' }],
      },
    };
    expect(messages(validateValidatingAdmissionPolicy(p))[0]).toMatch(
      /^spec\.variables\[0\]\.expression: Invalid value: "variables\.b": compilation failed: ERROR: <input>:1:10: undefined field 'b'/,
    );
  });
});

describe('bindings', () => {
  it('Deny and Warn together, no actions, a paramRef with both name and selector', () => {
    const b = (spec: ValidatingAdmissionPolicyBinding['spec']): ValidatingAdmissionPolicyBinding => ({ metadata: { name: 'b' }, spec: { policyName: 'p', ...spec } });
    expect(messages(validateValidatingAdmissionPolicyBinding(b({ validationActions: ['Deny', 'Warn'] })))).toEqual([
      'spec.validationActions: Invalid value: ["Deny","Warn"]: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
    ]);
    expect(messages(validateValidatingAdmissionPolicyBinding(b({})))).toEqual(['spec.validationActions: Required value: at least one validation action is required']);
    expect(messages(validateValidatingAdmissionPolicyBinding(b({ validationActions: ['Deny'], paramRef: { name: 'x', selector: {} } })))).toEqual([
      'spec.paramRef.name: Forbidden: name and selector are mutually exclusive',
      'spec.paramRef.selector: Forbidden: name and selector are mutually exclusive',
      'spec.paramRef.parameterNotFoundAction: Required value',
    ]);
    expect(messages(validateMutatingAdmissionPolicyBinding({ metadata: { name: 'b' }, spec: {} }))).toEqual(['spec.policyName: Required value']);
  });
});

describe('selectors', () => {
  it('operators and their values, as ValidateLabelSelector', () => {
    const b: ValidatingAdmissionPolicyBinding = {
      metadata: { name: 'b' },
      spec: {
        policyName: 'p',
        validationActions: ['Deny'],
        matchResources: {
          namespaceSelector: {
            matchExpressions: [
              { key: 'a', operator: 'Within' as 'In', values: ['x'] },
              { key: 'b', operator: 'In' },
              { key: 'c', operator: 'Exists', values: ['y'] },
            ],
          },
        },
      },
    };
    expect(messages(validateValidatingAdmissionPolicyBinding(b))).toEqual([
      'spec.matchResouces.namespaceSelector.matchExpressions[0].operator: Invalid value: "Within": not a valid selector operator',
      "spec.matchResouces.namespaceSelector.matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
      "spec.matchResouces.namespaceSelector.matchExpressions[2].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    ]);
  });
});

describe('MutatingAdmissionPolicy', () => {
  it('needs mutations with a body for their patchType, a reinvocationPolicy, and never matches DELETE', () => {
    const p: MutatingAdmissionPolicy = {
      metadata: { name: 'm' },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['DELETE'], resources: ['pods'] }] },
        mutations: [{ patchType: 'JSONPatch', applyConfiguration: { expression: 'Object{}' } }],
      },
    };
    expect(messages(validateMutatingAdmissionPolicy(p))).toEqual([
      'spec.matchConstraints.resourceRules[0].operations[0]: Unsupported value: "DELETE": supported values: "*", "CONNECT", "CREATE", "UPDATE"',
      'spec.mutations[0].jsonPatch: Required value: must be specified when patchType is JSONPatch',
      'spec.mutations[0].applyConfiguration: Invalid value: "{applyConfiguration}": must not be specified when patchType is JSONPatch',
      'spec.reinvocationPolicy: Required value',
    ]);
  });
});

describe('the answer to kubectl apply', () => {
  it('is a 422 naming the kind and the object', () => {
    const status = validatePolicyObject('ValidatingAdmissionPolicyBinding', { metadata: { name: 'b' }, spec: { policyName: 'p' } });
    expect(status?.code).toBe(422);
    expect(status?.message).toBe(
      'ValidatingAdmissionPolicyBinding.admissionregistration.k8s.io "b" is invalid: spec.validationActions: Required value: at least one validation action is required',
    );
  });

  it("the lab's own policies are valid", () => {
    const dir = new URL('../../../../../cluster-configs/policies/', import.meta.url);
    for (const file of readdirSync(dir)) {
      const set = policySetFromYaml(readFileSync(new URL(file, dir), 'utf8'));
      const errs = [
        ...(set.validatingPolicies ?? []).flatMap(validateValidatingAdmissionPolicy),
        ...(set.validatingBindings ?? []).flatMap(validateValidatingAdmissionPolicyBinding),
        ...(set.mutatingPolicies ?? []).flatMap(validateMutatingAdmissionPolicy),
        ...(set.mutatingBindings ?? []).flatMap(validateMutatingAdmissionPolicyBinding),
      ];
      expect(messages(errs), file).toEqual([]);
    }
  });
});
