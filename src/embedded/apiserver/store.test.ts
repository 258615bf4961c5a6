import { describe, expect, it } from 'vitest';
import { StatusError } from '../../k8s/api-errors.js';
import { findResource } from './resources.js';
import { ObjectStore, type WatchEvent } from './store.js';

const pods = findResource('', 'v1', 'pods')!;
const namespaces = findResource('', 'v1', 'namespaces')!;
const pod = (name: string, namespace = 'ns') => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'c', image: 'x' }] } });

function statusOf(fn: () => unknown): StatusError['status'] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(StatusError);
    return (e as StatusError).status;
  }
  throw new Error('expected a StatusError');
}

describe('ObjectStore', () => {
  it('fills uid, a monotonic resourceVersion, creationTimestamp and generation', () => {
    const store = new ObjectStore();
    const a = store.create(pods, pod('a'));
    const b = store.create(pods, pod('b'));
    expect(a.metadata.uid).not.toBe(b.metadata.uid);
    expect(Number(b.metadata.resourceVersion)).toBeGreaterThan(Number(a.metadata.resourceVersion));
    expect(a.metadata.generation).toBe(1);
    expect(a.metadata.creationTimestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const ns = store.create(namespaces, { metadata: { name: 'x', namespace: 'ignored' } });
    expect(ns.metadata.namespace).toBeUndefined();
    expect(ns.metadata.generation).toBeUndefined();
  });

  it('AlreadyExists, NotFound and Conflict in upstream words', () => {
    const store = new ObjectStore();
    const a = store.create(pods, pod('a'));
    expect(statusOf(() => store.create(pods, pod('a')))).toMatchObject({ code: 409, reason: 'AlreadyExists', message: 'pods "a" already exists' });
    expect(statusOf(() => store.mustGet(pods, 'ns', 'zz'))).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "zz" not found' });
    const updated = store.update(pods, { ...a, spec: { containers: [{ name: 'c', image: 'y' }] } });
    expect(updated.metadata.generation).toBe(2);
    expect(statusOf(() => store.update(pods, a))).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on pods "a": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('a no-op update keeps the resourceVersion; dry runs store nothing', () => {
    const store = new ObjectStore();
    const a = store.create(pods, pod('a'));
    expect(store.update(pods, a).metadata.resourceVersion).toBe(a.metadata.resourceVersion);
    const before = store.resourceVersion();
    store.create(pods, pod('dry'), { dryRun: true });
    store.delete(pods, 'ns', 'a', { dryRun: true });
    expect(store.get(pods, 'ns', 'dry')).toBeUndefined();
    expect(store.get(pods, 'ns', 'a')).toBeDefined();
    expect(store.resourceVersion()).toBe(before);
  });

  it('hands out copies', () => {
    const store = new ObjectStore();
    const a = store.create(pods, pod('a'));
    a.metadata.name = 'changed';
    store.get(pods, 'ns', 'a')!.metadata.labels = { x: 'y' };
    expect(store.get(pods, 'ns', 'a')!.metadata).toMatchObject({ name: 'a' });
    expect(store.get(pods, 'ns', 'a')!.metadata.labels).toBeUndefined();
  });

  it('mutate shares what a status write leaves alone, and never changes the version before it', () => {
    const store = new ObjectStore();
    const labels = Object.fromEntries(Array.from({ length: 100 }, (_, i) => [`k${i}`, 'v']));
    store.create(pods, { ...pod('big'), metadata: { name: 'big', namespace: 'ns', labels }, status: { conditions: [{ type: 'Ready', status: 'False' }] } });
    const events: WatchEvent[] = [];
    store.watch(pods, { resourceVersion: store.resourceVersion(), shared: true }, (e) => events.push(e));
    const before = store.get(pods, 'ns', 'big', { shared: true })!;
    store.mutate(pods, 'ns', 'big', (p) => {
      (p['status'] as { conditions: { status: string }[] }).conditions[0]!.status = 'True'; // an edit deep in status
      (p['spec'] as Record<string, unknown>)['nodeName'] = 'node-1';
    });
    const after = store.get(pods, 'ns', 'big', { shared: true })!;
    expect(after.metadata.labels).toBe(before.metadata.labels); // shared, not copied
    expect((after['spec'] as { containers: unknown }).containers).toBe((before['spec'] as { containers: unknown }).containers);
    expect(after['status']).toEqual({ conditions: [{ type: 'Ready', status: 'True' }] });
    expect(before['status']).toEqual({ conditions: [{ type: 'Ready', status: 'False' }] }); // the version before is intact
    expect((before['spec'] as Record<string, unknown>)['nodeName']).toBeUndefined();
    expect(events.map((e) => e.type)).toEqual(['MODIFIED']);
    expect(store.encoded(after)).toBe(JSON.stringify(after));
  });

  it('watches from a resourceVersion, per namespace and filter, and stops', () => {
    const store = new ObjectStore();
    store.create(pods, pod('old'));
    const from = store.resourceVersion();
    store.create(pods, pod('a'));
    const seen: string[] = [];
    const stop = store.watch(pods, { namespace: 'ns', resourceVersion: from, filter: (o) => o.metadata.name !== 'skip' }, (e: WatchEvent) =>
      seen.push(`${e.type} ${e.object.metadata.name}`),
    );
    store.create(pods, pod('b'));
    store.create(pods, pod('skip'));
    store.create(pods, pod('other-ns', 'elsewhere'));
    store.mutate(pods, 'ns', 'b', (o) => (o['status'] = { phase: 'Running' }));
    store.delete(pods, 'ns', 'a');
    stop();
    store.create(pods, pod('after'));
    expect(seen).toEqual(['ADDED a', 'ADDED b', 'MODIFIED b', 'DELETED a']);
  });

  it('a watch without resourceVersion starts with the current objects', () => {
    const store = new ObjectStore();
    store.create(pods, pod('a'));
    const seen: string[] = [];
    store.watch(pods, {}, (e) => seen.push(`${e.type} ${e.object.metadata.name}`))();
    expect(seen).toEqual(['ADDED a']);
  });

  it('delete preconditions are checked', () => {
    const store = new ObjectStore();
    store.create(pods, pod('a'));
    expect(statusOf(() => store.delete(pods, 'ns', 'a', { uid: 'nope' })).code).toBe(409);
  });
});
