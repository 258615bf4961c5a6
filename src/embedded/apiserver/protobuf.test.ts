import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeKubernetesProtobuf, encodeKubernetesProtobuf, ProtobufDecodeError, ProtobufKindNotSupportedError } from './protobuf.js';

const fixture = (name: string): Buffer => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/protobuf/${name}`, import.meta.url)));

describe('decodeKubernetesProtobuf on bodies captured from kubectl 1.32 (test/fixtures/protobuf/README.md)', () => {
  it('kubectl create ns: a Namespace as `create ns --dry-run=client -o json` prints it', () => {
    expect(decodeKubernetesProtobuf(fixture('create-namespace.bin'))).toEqual({
      apiVersion: 'v1',
      kind: 'Namespace',
      object: { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'imgpullpolicy', creationTimestamp: null }, spec: {}, status: {} },
    });
  });

  it('kubectl create secret docker-registry: data bytes become base64 and the type is kept', () => {
    const { object } = decodeKubernetesProtobuf(fixture('create-secret-docker-registry.bin'));
    expect(object['type']).toBe('kubernetes.io/dockerconfigjson');
    expect(object['metadata']).toEqual({ name: 'image-pull-secret-1', namespace: 'tenant-a', creationTimestamp: null });
    const data = object['data'] as Record<string, string>;
    expect(Object.keys(data)).toEqual(['.dockerconfigjson']);
    const config = JSON.parse(Buffer.from(data['.dockerconfigjson'] ?? '', 'base64').toString('utf8'));
    expect(config.auths['127.0.0.1:5000'].username).toBe('admin1');
    expect(Buffer.from(config.auths['127.0.0.1:5000'].auth, 'base64').toString()).toBe('admin1:s3cret');
  });

  it('kubectl create secret generic: no type on the wire means no type in JSON', () => {
    expect(decodeKubernetesProtobuf(fixture('create-secret-generic.bin')).object).toEqual({
      kind: 'Secret',
      apiVersion: 'v1',
      metadata: { name: 'gen1', namespace: 'tenant-a', creationTimestamp: null },
      data: { k: Buffer.from('v').toString('base64') },
    });
  });

  it('kubectl create serviceaccount and configmap', () => {
    expect(decodeKubernetesProtobuf(fixture('create-serviceaccount.bin')).object).toEqual({
      kind: 'ServiceAccount',
      apiVersion: 'v1',
      metadata: { name: 'sa1', namespace: 'tenant-a', creationTimestamp: null },
    });
    expect(decodeKubernetesProtobuf(fixture('create-configmap.bin')).object).toEqual({
      kind: 'ConfigMap',
      apiVersion: 'v1',
      metadata: { name: 'cm1', namespace: 'tenant-a', creationTimestamp: null },
      data: { a: 'b' },
    });
  });

  it('kubectl create role with resource names and with a subresource', () => {
    expect(decodeKubernetesProtobuf(fixture('create-role.bin'))).toEqual({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      object: {
        kind: 'Role',
        apiVersion: 'rbac.authorization.k8s.io/v1',
        metadata: { name: 'pod-reader', namespace: 'tenant-a', creationTimestamp: null },
        rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', 'secrets'], resourceNames: ['x'] }],
      },
    });
    expect(decodeKubernetesProtobuf(fixture('create-role-subresource.bin')).object['rules']).toEqual([{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }]);
  });

  it('kubectl create clusterrole (resources and non-resource URLs)', () => {
    expect(decodeKubernetesProtobuf(fixture('create-clusterrole.bin')).object).toEqual({
      kind: 'ClusterRole',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'cr2', creationTimestamp: null },
      rules: [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['secrets'] }],
    });
    expect(decodeKubernetesProtobuf(fixture('create-clusterrole-nonresource.bin')).object['rules']).toEqual([{ verbs: ['get'], nonResourceURLs: ['/logs/*'] }]);
  });

  it('kubectl create rolebinding: User, Group and ServiceAccount subjects', () => {
    expect(decodeKubernetesProtobuf(fixture('create-rolebinding.bin')).object).toEqual({
      kind: 'RoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'rb1', namespace: 'tenant-a', creationTimestamp: null },
      subjects: [
        { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'admin2' },
        { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'g1' },
        { kind: 'ServiceAccount', name: 'sa1', namespace: 'tenant-a' },
      ],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'pod-reader' },
    });
  });

  it('kubectl create clusterrolebinding', () => {
    expect(decodeKubernetesProtobuf(fixture('create-clusterrolebinding.bin')).object).toEqual({
      kind: 'ClusterRoleBinding',
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: { name: 'crb1', creationTimestamp: null },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'admin2' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cr1' },
    });
  });

  it('kubectl auth can-i: resource, resource name, "pods/log" (sent as a name) and non-resource reviews', () => {
    const spec = (f: string): unknown => decodeKubernetesProtobuf(fixture(f)).object['spec'];
    expect(decodeKubernetesProtobuf(fixture('auth-can-i-get-secrets.bin'))).toEqual({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      object: {
        kind: 'SelfSubjectAccessReview',
        apiVersion: 'authorization.k8s.io/v1',
        metadata: { creationTimestamp: null },
        spec: { resourceAttributes: { namespace: 'tenant-a', verb: 'get', resource: 'secrets' } },
        status: { allowed: false },
      },
    });
    expect(spec('auth-can-i-resource-name.bin')).toEqual({
      resourceAttributes: { namespace: 'tenant-a', verb: 'get', resource: 'secrets', name: 'image-pull-secret-1' },
    });
    expect(spec('auth-can-i-subresource.bin')).toEqual({
      resourceAttributes: { namespace: 'tenant-a', verb: 'get', resource: 'pods', name: 'log' },
    });
    expect(spec('auth-can-i-nonresource.bin')).toEqual({ nonResourceAttributes: { path: '/logs', verb: 'get' } });
  });

  it('kubectl auth can-i --list: a SelfSubjectRulesReview for the namespace', () => {
    expect(decodeKubernetesProtobuf(fixture('auth-can-i-list.bin')).object).toEqual({
      kind: 'SelfSubjectRulesReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: { namespace: 'tenant-a' },
      status: { incomplete: false },
    });
  });
});

describe('decodeKubernetesProtobuf on encoded objects', () => {
  it('an Event keeps timestamps (RFC 3339; MicroTime with microseconds), count and nested references', () => {
    const event = {
      metadata: { name: 'e1', namespace: 'tenant-b', labels: { a: 'b' }, annotations: { c: 'd' }, creationTimestamp: '2026-11-27T05:00:00Z' },
      involvedObject: { kind: 'Pod', namespace: 'tenant-b', name: 'pod2', uid: 'u-2', apiVersion: 'v1', fieldPath: 'spec.containers{app}' },
      reason: 'Failed',
      message: 'Error: ErrImagePull',
      source: { component: 'kubelet', host: 'node-1' },
      firstTimestamp: '2026-11-27T05:00:01Z',
      lastTimestamp: '2026-11-27T05:00:09Z',
      count: 3,
      type: 'Warning',
      eventTime: '2026-11-27T05:00:01.123456Z',
      reportingComponent: 'kubelet',
      reportingInstance: 'node-1',
    };
    const decoded = decodeKubernetesProtobuf(encodeKubernetesProtobuf('v1', 'Event', event));
    expect(decoded.object).toEqual({ kind: 'Event', apiVersion: 'v1', ...event });
  });

  it('keeps a false *bool (Secret.immutable) and stringData, drops empty omitempty strings', () => {
    const decoded = decodeKubernetesProtobuf(
      encodeKubernetesProtobuf('v1', 'Secret', { metadata: { name: 's', namespace: '' }, immutable: false, stringData: { u: 'v' }, type: '' }),
    );
    expect(decoded.object).toEqual({ kind: 'Secret', apiVersion: 'v1', metadata: { name: 's' }, immutable: false, stringData: { u: 'v' } });
  });

  it('rejects a body without the k8s\\0 magic', () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from('{"kind":"Namespace"}'))).toThrow(ProtobufDecodeError);
    expect(() => decodeKubernetesProtobuf(Buffer.from([0x6b, 0x38]))).toThrow(/expected prefix \[107 56 115 0\]/);
  });

  it('rejects a truncated body with a clear error, not a crash', () => {
    const body = fixture('create-namespace.bin');
    expect(() => decodeKubernetesProtobuf(body.subarray(0, body.length - 10))).toThrow(ProtobufDecodeError);
  });

  it('rejects an envelope without a kind', () => {
    expect(() => decodeKubernetesProtobuf(Buffer.from([0x6b, 0x38, 0x73, 0x00, 0x0a, 0x04, 0x0a, 0x02, 0x76, 0x31]))).toThrow(/Kind' is missing/);
  });

  it('names an unserved kind so the server can answer 415', () => {
    // The fixture's envelope with TypeMeta rewritten to v1/Pod (same length as "Namespace" is not needed: re-encode).
    const envelope = Buffer.concat([
      Buffer.from([0x6b, 0x38, 0x73, 0x00]),
      Buffer.from([0x0a, 0x09, 0x0a, 0x02]),
      Buffer.from('v1'),
      Buffer.from([0x12, 0x03]),
      Buffer.from('Pod'),
      Buffer.from([0x12, 0x00]),
    ]);
    let caught: unknown;
    try {
      decodeKubernetesProtobuf(envelope);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ProtobufKindNotSupportedError);
    expect((caught as ProtobufKindNotSupportedError).kind).toBe('Pod');
    expect((caught as ProtobufKindNotSupportedError).message).toBe('no protobuf message definition for v1, Kind=Pod');
  });
});
