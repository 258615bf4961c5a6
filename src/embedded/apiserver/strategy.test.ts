import { describe, expect, it } from 'vitest';
import { findResource } from './resources.js';
import { dropUnknownFields, unknownFieldsError } from './strategy.js';

const pods = findResource('', 'v1', 'pods')!;

describe('unknown fields', () => {
  const pod = () => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', annotations: { 'a.b/c': 'kept' } },
    spec: { foo: 1, containers: [{ name: 'c', image: 'x', imagePullPolcy: 'Never' }] },
  });

  it('reports them with the strict decoding error for create and for patch', () => {
    const create = unknownFieldsError(pods, pod(), 'create');
    expect(create?.fields).toEqual(['spec.foo', 'spec.containers[0].imagePullPolcy']);
    expect(create?.error.status.message).toBe('Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo", unknown field "spec.containers[0].imagePullPolcy"');
    expect(unknownFieldsError(pods, pod(), 'patch')?.error.status.message).toBe('strict decoding error: unknown field "spec.foo", unknown field "spec.containers[0].imagePullPolcy"');
  });

  it('drops them in place (Warn/Ignore), keeping everything known', () => {
    const p = pod();
    dropUnknownFields(p, unknownFieldsError(pods, p, 'create')!.fields);
    expect(p).toEqual({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', annotations: { 'a.b/c': 'kept' } }, spec: { containers: [{ name: 'c', image: 'x' }] } });
    expect(unknownFieldsError(pods, p, 'create')).toBeUndefined();
  });
});
