import { describe, expect, it } from 'vitest';
import { fillPlaceholders, findPlaceholders, isKnownPlaceholder } from './placeholders.js';

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
