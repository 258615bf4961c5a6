import { describe, expect, it } from 'vitest';
import { InvalidReferenceError, applyDefaultImageTag, parseNormalizedNamed, referenceString } from './image-reference.js';

const d64 = 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

describe('parseNormalizedNamed (distribution/reference normalize.go)', () => {
  it.each([
    ['nginx', 'docker.io', 'library/nginx', undefined],
    ['docker.io/nginx', 'docker.io', 'library/nginx', undefined],
    ['index.docker.io/foo/bar:1', 'docker.io', 'foo/bar', '1'],
    ['localhost/app', 'localhost', 'app', undefined],
    ['localhost:5000/app:v1', 'localhost:5000', 'app', 'v1'],
    ['127.0.0.1:5000/secure/app:v1', '127.0.0.1:5000', 'secure/app', 'v1'],
    ['[::1]:5000/app', '[::1]:5000', 'app', undefined],
    ['Registry/app', 'Registry', 'app', undefined], // an uppercase first element is taken as a domain
    ['a/b/c/d', 'docker.io', 'a/b/c/d', undefined],
    ['my_repo/a__b.c-d---e', 'docker.io', 'my_repo/a__b.c-d---e', undefined],
  ])('%s → domain %s, path %s, tag %s', (ref, domain, path, tag) => {
    const r = parseNormalizedNamed(ref);
    expect(r.domain).toBe(domain);
    expect(r.path).toBe(path);
    expect(r.name).toBe(`${domain}/${path}`);
    expect(r.tag).toBe(tag);
  });

  it.each([
    ['', 'invalid reference format'],
    ['nginx:', 'invalid reference format'],
    ['nginx@sha256:abc', 'invalid reference format'],
    ['a//b', 'invalid reference format'],
    ['-a/b', 'invalid reference format'],
    ['a/b_', 'invalid reference format'],
    ['a/b___c', 'invalid reference format'],
    ['foo/Bar', 'invalid reference format: repository name (foo/Bar) must be lowercase'],
    ['NGINX:1', 'invalid reference format: repository name (library/NGINX) must be lowercase'],
    ['nginx:-tag', 'invalid reference format'],
    [`nginx:${'t'.repeat(129)}`, 'invalid reference format'],
    [`nginx@${d64.toUpperCase().replace('SHA256', 'sha256')}`, 'invalid checksum digest format'],
    ['nginx@md5:0123456789abcdef0123456789abcdef', 'unsupported digest algorithm'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef', 'invalid checksum digest length'],
    [`a/${'b'.repeat(255)}`, 'repository name must not be more than 255 characters'],
  ])('%j is rejected with %j', (ref, message) => {
    let err: unknown;
    try {
      parseNormalizedNamed(ref);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InvalidReferenceError);
    expect((err as Error).message).toBe(message);
  });

  it('accepts the longest tag and a path of exactly 255 characters', () => {
    expect(parseNormalizedNamed(`nginx:${'t'.repeat(128)}`).tag).toHaveLength(128);
    expect(parseNormalizedNamed(`a/${'b'.repeat(253)}`).path).toHaveLength(255);
  });

  it('keeps both tag and digest, and prints them back', () => {
    const r = parseNormalizedNamed(`nginx:1.27@${d64}`);
    expect(referenceString(r)).toBe(`docker.io/library/nginx:1.27@${d64}`);
    expect(referenceString(parseNormalizedNamed('nginx'))).toBe('docker.io/library/nginx');
  });
});

describe('applyDefaultImageTag (pkg/kubelet/images/image_manager.go)', () => {
  it.each([
    ['busybox', 'busybox:latest'],
    ['busybox:1', 'busybox:1'],
    [`busybox@${d64}`, `busybox@${d64}`],
    [`busybox:latest@${d64}`, `busybox:latest@${d64}`],
    ['127.0.0.1:5000/app', '127.0.0.1:5000/app:latest'],
  ])('%s → %s', (image, want) => expect(applyDefaultImageTag(image)).toBe(want));

  it('throws for an invalid name', () => {
    expect(() => applyDefaultImageTag('FAILED_IMAGE')).toThrow(InvalidReferenceError);
  });
});
