import { describe, expect, it } from 'vitest';
import { fillPlaceholders, findPlaceholders, isKnownPlaceholder, labPlaceholders } from './placeholders.js';

describe('placeholders', () => {
  it('finds every placeholder with its path', () => {
    const manifest = { spec: { nodeName: '{{ nodes.0 }}', containers: [{ image: '{{images.secret}}' }] } };
    expect(findPlaceholders(manifest)).toEqual([
      { path: ['spec', 'nodeName'], name: 'nodes.0' },
      { path: ['spec', 'containers', 0, 'image'], name: 'images.secret' },
    ]);
  });

  it('knows the lab names and refuses others', () => {
    for (const name of ['images.secret', 'images.publicDigest', 'registry', 'pullSecret', 'nodes.1', 'nodeOf.pod1', 'namespaces.admin2']) {
      expect(isKnownPlaceholder(name), name).toBe(true);
    }
    for (const name of ['images.secrte', 'flag', 'nodes.x', 'nodeOf.Pod1', '']) expect(isKnownPlaceholder(name), name).toBe(false);
  });

  it('fills a copy and leaves the original alone', () => {
    const manifest = { image: '{{ registry }}/secure/app:1', n: 3, list: ['{{ nodes.0 }}'] };
    const filled = fillPlaceholders(manifest, (name) => ({ registry: '127.0.0.1:5000', 'nodes.0': 'node-a' })[name]);
    expect(filled).toEqual({ image: '127.0.0.1:5000/secure/app:1', n: 3, list: ['node-a'] });
    expect(manifest.image).toBe('{{ registry }}/secure/app:1');
  });

  it('names a placeholder that has no value', () => {
    expect(() => fillPlaceholders({ a: '{{ nodeOf.pod9 }}' }, () => undefined)).toThrow('placeholder {{ nodeOf.pod9 }} has no value in this lab');
  });
});

describe('labPlaceholders', () => {
  const lab = {
    info: {
      images: { secret: '127.0.0.1:5000/secure/super-secret-image:1', public: '127.0.0.1:5000/public/hello:1' },
      registry: { host: '127.0.0.1:5000' },
      tenants: { admin1: { namespace: 'tenant-a', pullSecret: 'image-pull-secret-1' }, admin2: { namespace: 'tenant-b' } },
      nodes: ['worker', 'worker2'],
    },
    imageDigests: { secret: 'sha256:aaa', public: 'sha256:bbb' },
    nodeOf: (pod: string) => (pod === 'pod1' ? 'worker2' : undefined),
  };

  it('fills every documented name from the lab', () => {
    const value = labPlaceholders(lab, 'admin2');
    expect(value('images.secretDigest')).toBe('127.0.0.1:5000/secure/super-secret-image@sha256:aaa');
    expect(value('images.public')).toBe('127.0.0.1:5000/public/hello:1');
    expect(value('registry')).toBe('127.0.0.1:5000');
    expect(value('pullSecret')).toBe('image-pull-secret-1');
    expect(value('namespace')).toBe('tenant-b');
    expect(value('namespaces.admin1')).toBe('tenant-a');
    expect(value('nodes.1')).toBe('worker2');
    expect(value('nodeOf.pod1')).toBe('worker2');
    expect(value('nodeOf.pod9')).toBeUndefined();
    expect(value('nodes.7')).toBeUndefined();
    expect(labPlaceholders(lab, 'admin')('namespace')).toBe('default');
  });

  it('leaves digests unknown when the lab does not know them', () => {
    expect(labPlaceholders({ ...lab, imageDigests: undefined }, 'admin1')('images.secretDigest')).toBeUndefined();
  });
});
