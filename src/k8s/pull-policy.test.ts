import { describe, expect, it } from 'vitest';
import { alwaysPullImages } from './always-pull-images.js';
import { setPodDefaults } from './pull-policy.js';
import { visitContainersWithPath, type Pod } from './pod.js';

const pod: Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { generateName: 'web-' },
  spec: {
    initContainers: [{ name: 'i', image: 'busybox' }],
    containers: [
      { name: 'c', image: 'nginx:1.27' },
      { name: 'd', image: 'nginx', imagePullPolicy: 'Never' },
    ],
    ephemeralContainers: [{ name: 'e', image: 'busybox:1.36' }],
    volumes: [
      { name: 'v', image: { reference: 'registry.k8s.io/kube-proxy:latest' } },
      { name: 'cfg', configMap: { name: 'x' } },
    ],
  },
};

describe('setPodDefaults', () => {
  it('fills empty policies in all container lists and image volumes, never touches set ones or the input', () => {
    const out = setPodDefaults(pod);
    const seen: string[] = [];
    visitContainersWithPath(out.spec, (c, path) => (seen.push(`${path}=${c.imagePullPolicy}`), true));
    expect(seen).toEqual(['spec.initContainers[0]=Always', 'spec.containers[0]=IfNotPresent', 'spec.containers[1]=Never', 'spec.ephemeralContainers[0]=IfNotPresent']);
    expect(out.spec?.volumes?.[0]?.image?.pullPolicy).toBe('Always');
    expect(out.spec?.volumes?.[1]).toBe(pod.spec?.volumes?.[1]);
    expect(pod.spec?.containers?.[0]?.imagePullPolicy).toBeUndefined();
    expect(setPodDefaults(pod, { imageVolume: false }).spec?.volumes?.[0]?.image?.pullPolicy).toBeUndefined();
  });
});

describe('AlwaysPullImages names in errors', () => {
  it('falls back to generateName, then Unknown (extractResourceName)', () => {
    const base = { operation: 'CREATE' as const, group: '', resource: 'pods', subresource: '', name: '', namespace: 'tenant-b', kind: 'Pod' };
    const err = alwaysPullImages.validate({ ...base, object: setPodDefaults(pod) });
    expect(err?.message).not.toContain('spec.initContainers[0]'); // defaulted to Always: no error for it
    expect(err?.message).toContain('pods "web-" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresent": supported values: "Always"');
    const anon = alwaysPullImages.validate({ ...base, object: { spec: { containers: [{ name: 'a', image: 'x', imagePullPolicy: 'Never' }] } } });
    expect(anon?.message).toBe('pods "Unknown" is forbidden: spec.containers[0].imagePullPolicy: Unsupported value: "Never": supported values: "Always"');
    expect(alwaysPullImages.handles('CREATE') && alwaysPullImages.handles('UPDATE')).toBe(true);
    expect(alwaysPullImages.handles('DELETE') || alwaysPullImages.handles('CONNECT')).toBe(false);
  });

  it('admitted pods pass validation and the input pod is untouched', () => {
    const base = { operation: 'CREATE' as const, group: '', resource: 'pods', subresource: '', name: 'p', namespace: 'n', kind: 'Pod' };
    const admitted = alwaysPullImages.admit({ ...base, object: pod }) as Pod;
    expect(alwaysPullImages.validate({ ...base, object: admitted })).toBeUndefined();
    expect(admitted.spec?.ephemeralContainers?.[0]?.imagePullPolicy).toBe('Always');
    expect(admitted.spec?.volumes?.[0]?.image?.pullPolicy).toBe('Always');
    expect(pod.spec?.containers?.[1]?.imagePullPolicy).toBe('Never');
  });
});
