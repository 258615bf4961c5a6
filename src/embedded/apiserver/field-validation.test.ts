import { describe, expect, it } from 'vitest';
import {
  findUnknownFields,
  hasFieldSchema,
  newStrictDecodingError,
  newStrictPatchError,
  strictDecodingErrorMessage,
  unknownFieldWarnings,
  warningHeaderValue,
} from './field-validation.js';

// The body `kubectl apply` POSTs (research §2.2), with typos a user makes.
const appliedPod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}\n' },
    name: 'test-image-pull-policy',
    namespace: 'imgpullpolicy',
    creationTimestamp: null,
  },
  spec: { containers: [{ image: 'nginx:1.13', imagePullPolicy: 'IfNotPresent', name: 'nginx' }] },
};

describe('findUnknownFields (schema from @kubernetes/client-node model metadata)', () => {
  it('finds nothing in a valid pod, a docker-registry secret, a namespace, an event and RBAC objects', () => {
    expect(findUnknownFields('Pod', appliedPod)).toEqual([]);
    expect(
      findUnknownFields('Secret', {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: 's' },
        type: 'kubernetes.io/dockerconfigjson',
        data: { '.dockerconfigjson': 'e30=' },
        stringData: { a: 'b' },
      }),
    ).toEqual([]);
    expect(findUnknownFields('Namespace', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' }, spec: {}, status: {} })).toEqual([]);
    expect(
      findUnknownFields('Event', {
        involvedObject: { kind: 'Pod', name: 'p' },
        reason: 'Pulled',
        source: { component: 'kubelet' },
        eventTime: '2026-11-27T05:00:00.000000Z',
        count: 1,
      }),
    ).toEqual([]);
    expect(
      findUnknownFields('RoleBinding', {
        subjects: [{ kind: 'User', name: 'admin2', apiGroup: 'rbac.authorization.k8s.io' }],
        roleRef: { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' },
      }),
    ).toEqual([]);
  });

  it('names unknown fields with the decoder path, in document order', () => {
    const pod = {
      ...appliedPod,
      spec: {
        foo: 1,
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', image: 'y', imagePullPolcy: 'Always', ports: [{ containerPort: 80, protcol: 'TCP' }], resources: { limits: { cpu: '1' } } },
        ],
        volumes: [{ name: 'v', emptyDir: { medium: 'Memory', sizzeLimit: '1Gi' } }],
      },
      stauts: {},
    };
    expect(findUnknownFields('Pod', pod)).toEqual([
      'spec.foo',
      'spec.containers[1].imagePullPolcy',
      'spec.containers[1].ports[0].protcol',
      'spec.volumes[0].emptyDir.sizzeLimit',
      'stauts',
    ]);
  });

  it('does not crash on wrong JSON types (those are other decode errors)', () => {
    expect(findUnknownFields('Pod', { spec: { containers: 'nope' }, metadata: [] })).toEqual([]);
    expect(findUnknownFields('Pod', 'not an object')).toEqual([]);
  });

  it('knows which kinds have a schema', () => {
    expect(hasFieldSchema('Pod')).toBe(true);
    expect(hasFieldSchema('Event')).toBe(true);
    expect(hasFieldSchema('SelfSubjectAccessReview')).toBe(true);
    expect(hasFieldSchema('Frobnicator')).toBe(false);
    expect(() => findUnknownFields('Frobnicator', {})).toThrow('no field schema for kind "Frobnicator"');
  });
});

describe('strict decoding errors and warnings', () => {
  it('create: the BadRequest Status kubectl prints after "Error from server (BadRequest): error when creating …"', () => {
    const err = newStrictDecodingError('Pod', 'v1', ['spec.foo']);
    expect(err.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      code: 400,
      reason: 'BadRequest',
      message: 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"',
    });
    expect(newStrictDecodingError('Role', 'rbac.authorization.k8s.io/v1', ['rules[0].verb']).status.message).toBe(
      'Role in version "v1" cannot be handled as a Role: strict decoding error: unknown field "rules[0].verb"',
    );
  });

  it('several unknown fields are joined with ", "', () => {
    expect(strictDecodingErrorMessage(['spec.foo', 'spec.containers[0].bar'])).toBe('strict decoding error: unknown field "spec.foo", unknown field "spec.containers[0].bar"');
    expect(newStrictPatchError(['spec.foo']).status.message).toBe('strict decoding error: unknown field "spec.foo"');
  });

  it('Warn mode: one warning per field and a 299 Warning header with quotes escaped', () => {
    expect(unknownFieldWarnings(['spec.foo', 'x'])).toEqual(['unknown field "spec.foo"', 'unknown field "x"']);
    expect(warningHeaderValue('unknown field "spec.foo"')).toBe('299 - "unknown field \\"spec.foo\\""');
  });
});
