import { describe, expect, it } from 'vitest';
import { StatusError } from '../../k8s/api-errors.js';
import { AdmissionChain, admissionPluginsFor } from './admission.js';
import { findResource } from './resources.js';
import { ObjectStore, type KubeObject } from './store.js';

const user = { name: 'admin', groups: [] };
const sa = findResource('', 'v1', 'serviceaccounts')!;
const ns = findResource('', 'v1', 'namespaces')!;

function setup(): ObjectStore {
  const store = new ObjectStore();
  store.create(ns, { metadata: { name: 'tenant-a' }, status: { phase: 'Active' } });
  store.create(sa, { metadata: { name: 'default', namespace: 'tenant-a' }, imagePullSecrets: [{ name: 'image-pull-secret-1' }] });
  return store;
}

const createPod = (spec: Record<string, unknown>, namespace = 'tenant-a') => ({
  operation: 'CREATE' as const,
  group: '',
  resource: 'pods',
  subresource: '',
  name: 'p',
  namespace,
  kind: 'Pod',
  object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace }, spec } as KubeObject,
});

describe('admission chain', () => {
  it('orders plugins as upstream and always includes the defaults', () => {
    expect(admissionPluginsFor(['AlwaysPullImages', 'NodeRestriction'])).toEqual([
      'NamespaceLifecycle',
      'ServiceAccount',
      'NodeRestriction',
      'AlwaysPullImages',
      'PodSecurity',
      'DefaultTolerationSeconds',
      'MutatingAdmissionPolicy',
      'ValidatingAdmissionPolicy',
    ]);
    expect(() => admissionPluginsFor(['Bogus'])).toThrow('unknown admission plugin "Bogus"');
  });

  it('ServiceAccount defaults the account and copies its imagePullSecrets; AlwaysPullImages forces Always', () => {
    const store = setup();
    const chain = new AdmissionChain(admissionPluginsFor(['AlwaysPullImages']));
    const out = chain.admit(createPod({ containers: [{ name: 'c', image: 'x:1', imagePullPolicy: 'IfNotPresent' }] }), { store, user });
    expect(out['spec']).toMatchObject({ serviceAccountName: 'default', imagePullSecrets: [{ name: 'image-pull-secret-1' }], containers: [{ imagePullPolicy: 'Always' }] });
  });

  it('keeps the pod’s own imagePullSecrets, and leaves the policy alone without AlwaysPullImages', () => {
    const store = setup();
    const chain = new AdmissionChain(admissionPluginsFor([]));
    const out = chain.admit(createPod({ imagePullSecrets: [{ name: 'own' }], containers: [{ name: 'c', image: 'x:1', imagePullPolicy: 'IfNotPresent' }] }), { store, user });
    expect(out['spec']).toMatchObject({ imagePullSecrets: [{ name: 'own' }], containers: [{ imagePullPolicy: 'IfNotPresent' }] });
  });

  it('DefaultTolerationSeconds adds the two 300 s tolerations unless the pod has them', () => {
    const store = setup();
    const chain = new AdmissionChain(admissionPluginsFor([]));
    const out = chain.admit(createPod({ tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }], containers: [] }), { store, user });
    expect(out['spec']).toMatchObject({
      tolerations: [
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists' },
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
  });

  it('rejects a pod whose service account is missing, and content in a missing namespace', () => {
    const store = setup();
    const chain = new AdmissionChain(admissionPluginsFor([]));
    const missingSa = (() => {
      try {
        chain.admit(createPod({ serviceAccountName: 'ghost', containers: [] }), { store, user });
      } catch (e) {
        return (e as StatusError).status;
      }
    })();
    expect(missingSa).toMatchObject({ code: 403, message: 'pods "p" is forbidden: error looking up service account tenant-a/ghost: serviceaccount "ghost" not found' });
    expect(() => chain.admit(createPod({ containers: [] }, 'nowhere'), { store, user })).toThrow('namespaces "nowhere" not found');
  });

  it('AlwaysPullImages validation rejects a policy changed back after admission', () => {
    const store = setup();
    const chain = new AdmissionChain(admissionPluginsFor(['AlwaysPullImages']));
    expect(() => chain.validate(createPod({ containers: [{ name: 'c', image: 'x:1', imagePullPolicy: 'Never' }] }), { store, user })).toThrow(/Unsupported value: "Never"/);
  });
});
