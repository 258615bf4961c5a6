import { describe, expect, it } from 'vitest';
import { StatusError } from '../../../k8s/api-errors.js';
import { AdmissionChain, admissionPluginsFor } from '../admission.js';
import { findResource } from '../resources.js';
import { ObjectStore, type KubeObject } from '../store.js';

const namespaces = findResource('', 'v1', 'namespaces')!;
const user = { name: 'admin2', groups: ['system:authenticated'] };

function store(labels: Record<string, string>): ObjectStore {
  const s = new ObjectStore();
  s.create(namespaces, { metadata: { name: 'tenant-b', labels }, status: { phase: 'Active' } });
  return s;
}

const hostPathPod = {
  operation: 'CREATE' as const,
  group: '',
  resource: 'pods',
  subresource: '',
  name: 'node-reader',
  namespace: 'tenant-b',
  kind: 'Pod',
  object: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'node-reader', namespace: 'tenant-b' },
    spec: { containers: [{ name: 'reader', image: 'busybox' }], volumes: [{ name: 'containerd', hostPath: { path: '/var/lib/containerd' } }] },
  } as KubeObject,
};

describe('the PodSecurity plugin in the embedded admission chain (default-on, as kube-apiserver)', () => {
  const chain = new AdmissionChain(admissionPluginsFor([]));

  it('refuses a hostPath pod in an enforce=baseline namespace with a 403 Forbidden Status', () => {
    let error: unknown;
    try {
      chain.validate(hostPathPod, { store: store({ 'pod-security.kubernetes.io/enforce': 'baseline' }), user });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StatusError);
    expect((error as StatusError).status).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'pods "node-reader" is forbidden: violates PodSecurity "baseline:latest": hostPath volumes (volume "containerd")',
      details: { name: 'node-reader', kind: 'pods' },
    });
  });

  it('passes warnings to the request and allows the pod where only warn is set; ignores unlabelled namespaces', () => {
    const warnings: string[] = [];
    chain.validate(hostPathPod, { store: store({ 'pod-security.kubernetes.io/warn': 'baseline' }), user, warnings });
    expect(warnings).toEqual(['would violate PodSecurity "baseline:latest": hostPath volumes (volume "containerd")']);
    expect(() => chain.validate(hostPathPod, { store: store({}), user })).not.toThrow();
  });

  it('refuses an invalid namespace label as 422 Invalid', () => {
    const ns = { metadata: { name: 'x', labels: { 'pod-security.kubernetes.io/enforce': 'bogus' } } } as KubeObject;
    let error: unknown;
    try {
      chain.validate(
        { operation: 'CREATE', group: '', resource: 'namespaces', subresource: '', name: 'x', namespace: '', kind: 'Namespace', object: ns },
        { store: store({}), user },
      );
    } catch (err) {
      error = err;
    }
    // NewInvalid(Namespace, …): kubectl prints `The Namespace "x" is invalid: …` from the details (as the real server's).
    expect((error as StatusError).status).toMatchObject({
      code: 422,
      reason: 'Invalid',
      message: 'Namespace "x" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of privileged, baseline, restricted',
      details: {
        name: 'x',
        kind: 'Namespace',
        causes: [
          {
            reason: 'FieldValueInvalid',
            field: 'metadata.labels[pod-security.kubernetes.io/enforce]',
            message: 'Invalid value: "bogus": must be one of privileged, baseline, restricted',
          },
        ],
      },
    });
  });
});
