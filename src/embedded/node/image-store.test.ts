import { describe, expect, it } from 'vitest';
import { ImageStore, ImageStoreError, parseDockerRef } from './image-store.js';
import { buildImage, buildLayer, busyboxEntries } from '../../../test/support/node-images.js';

async function twoImages() {
  const base = await buildLayer(busyboxEntries());
  const flagA = await buildLayer([{ type: 'file', path: 'flag.txt', content: 'FLAG{a}\n' }]);
  const flagB = await buildLayer([{ type: 'file', path: 'flag.txt', content: 'FLAG{b}\n' }]);
  const a = buildImage([base, flagA], { Cmd: ['cat', '/flag.txt'] });
  const b = buildImage([base, flagB], { Cmd: ['cat', '/flag.txt'] });
  return { base, a, b };
}

describe('parseDockerRef (containerd normalization)', () => {
  it.each([
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['127.0.0.1:5000/secure/app', '127.0.0.1:5000/secure/app:latest'],
    [`busybox:1.36@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`],
  ])('%s → %s', (input, want) => {
    expect(parseDockerRef(input).string).toBe(want);
  });
});

describe('ImageStore', () => {
  it('reports id = config digest, normalized repoTags and repoDigests, and size', async () => {
    const { a } = await twoImages();
    const store = new ImageStore();
    const img = store.addImage('busybox-flag:v1', a);
    expect(img.id).toBe(a.configDigest);
    expect(img.repoTags).toEqual(['docker.io/library/busybox-flag:v1']);
    expect(img.repoDigests).toEqual([`docker.io/library/busybox-flag@${a.manifestDigest}`]);
    const layerBytes = a.layers.reduce((n, l) => n + l.byteLength, 0);
    expect(img.size).toBe(a.manifest.byteLength + a.config.byteLength + layerBytes);
    expect(img.config.Cmd).toEqual(['cat', '/flag.txt']);
    expect(img.diffIds).toHaveLength(2);
  });

  it('resolves by short tag ref, full ref, digest ref, id and unique id prefix, as CRI LocalResolve does', async () => {
    const { a } = await twoImages();
    const store = new ImageStore();
    store.addImage('127.0.0.1:5000/secure/app:v1', a);
    const id = a.configDigest;
    expect(store.getImageRef('127.0.0.1:5000/secure/app:v1')).toBe(id);
    expect(store.getImageRef(`127.0.0.1:5000/secure/app@${a.manifestDigest}`)).toBe(id);
    expect(store.getImageRef(`127.0.0.1:5000/secure/app:other@${a.manifestDigest}`)).toBe(id);
    expect(store.getImageRef(id)).toBe(id);
    expect(store.getImageRef(id.slice('sha256:'.length, 'sha256:'.length + 12))).toBe(id);
    expect(store.getImageRef('127.0.0.1:5000/secure/app')).toBeUndefined(); // :latest was never pulled
    expect(store.getImageRef('127.0.0.1:5000/secure/app:v2')).toBeUndefined();
    expect(store.getImageRef(`127.0.0.1:5000/other@${a.manifestDigest}`)).toBeUndefined();
    expect(store.getImageRef('NOT-A-REF')).toBeUndefined();
    expect(store.getImageRef('')).toBeUndefined();
  });

  it('normalizes docker.io names both ways', async () => {
    const { a } = await twoImages();
    const store = new ImageStore();
    store.addImage('docker.io/library/busybox:latest', a);
    expect(store.getImageRef('busybox')).toBe(a.configDigest);
    expect(store.getImageRef('library/busybox:latest')).toBe(a.configDigest);
    expect(store.getImageRef('index.docker.io/library/busybox')).toBe(a.configDigest);
  });

  it('pulling by digest gives a repo digest but no tag', async () => {
    const { a } = await twoImages();
    const store = new ImageStore();
    const img = store.addImage(`registry.local/app@${a.manifestDigest}`, a);
    expect(img.repoTags).toEqual([]);
    expect(img.repoDigests).toEqual([`registry.local/app@${a.manifestDigest}`]);
  });

  it('shares blobs between images of one node and stores each once', async () => {
    const { base, a, b } = await twoImages();
    const store = new ImageStore();
    store.addImage('app:a', a);
    expect(store.hasBlob(base.digest)).toBe(true);
    // The base layer is already here, so a pull may skip it (null).
    store.addImage('app:b', { ...b, layers: [null, b.layers[1] ?? null] });
    expect(store.blobDigests()).toHaveLength(2 /*manifests*/ + 2 /*configs*/ + 3 /*layers*/);
    expect(() => new ImageStore().addImage('app:b', { ...b, layers: [null, null] })).toThrow(/not in this node's store/);
  });

  it('verifies blobs on insert', async () => {
    const { a } = await twoImages();
    const store = new ImageStore();
    const tampered = Uint8Array.from(a.layers[1] ?? []);
    tampered[tampered.length - 1] = (tampered.at(-1) ?? 0) ^ 0xff;
    expect(() => store.addImage('app:x', { ...a, layers: [a.layers[0] ?? null, tampered] })).toThrow(/digest sha256:\w+ does not match/);
    expect(() => store.addImage('app:x', { ...a, layers: [a.layers[0] ?? null] })).toThrow(/lists 2 layers but 1 were given/);
    expect(() => store.addImage(`app@sha256:${'0'.repeat(64)}`, a)).toThrow(/does not match the reference/);
    expect(() => store.addImage('app:x', { ...a, manifest: new Uint8Array(Buffer.from('{')) })).toThrow(/manifest is not valid JSON/);
    expect(() => store.addImage('UPPER:x', a)).toThrow(ImageStoreError);
    expect(store.listImages()).toEqual([]);
    expect(store.blobDigests()).toEqual([]);
  });

  it('moves a tag to the new image on re-pull and leaves the old one dangling', async () => {
    const { a, b } = await twoImages();
    const store = new ImageStore();
    store.addImage('app:v1', a);
    store.addImage('app:v1', b);
    expect(store.getImageRef('app:v1')).toBe(b.configDigest);
    const old = store.imageStatus(a.configDigest);
    expect(old?.repoTags).toEqual([]);
    expect(old?.repoDigests).toEqual([`docker.io/library/app@${a.manifestDigest}`]);
  });

  it('removeImage removes every reference of the image and collects unused blobs (crictl rmi)', async () => {
    const { base, a, b } = await twoImages();
    const store = new ImageStore();
    store.addImage('app:a', a);
    store.addImage('app:also-a', a);
    store.addImage('app:b', b);
    expect(store.listImages().map((i) => i.repoTags)).toEqual([['docker.io/library/app:a', 'docker.io/library/app:also-a'], ['docker.io/library/app:b']]);
    const removed = store.removeImage('app:a');
    expect(removed?.repoTags).toEqual(['docker.io/library/app:a', 'docker.io/library/app:also-a']);
    expect(store.getImageRef('app:also-a')).toBeUndefined();
    expect(store.getImageRef(a.configDigest)).toBeUndefined();
    expect(store.hasBlob(a.manifestDigest)).toBe(false);
    expect(store.hasBlob(base.digest)).toBe(true); // still used by app:b
    expect(store.removeImage('app:a')).toBeUndefined(); // not found is not an error upstream
    store.removeImage(b.configDigest);
    expect(store.listImages()).toEqual([]);
    expect(store.blobDigests()).toEqual([]);
  });

  it('refuses an image index and an ambiguous short id', async () => {
    const store = new ImageStore();
    const index = new Uint8Array(Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] })));
    const { a } = await twoImages();
    expect(() => store.addImage('app:i', { ...a, manifest: index })).toThrow(/image index/);
    store.addImage('app:a', a);
    const first = a.configDigest.charAt('sha256:'.length);
    // Find a second image whose id shares the first hex digit (1 in 16 chance per try).
    for (let i = 0; ; i++) {
      const other = buildImage([], {}, { comment: `variant ${i}` });
      if (other.configDigest.charAt('sha256:'.length) !== first) continue;
      store.addImage(`app:v${i}`, other);
      break;
    }
    expect(() => store.getImageRef(first)).toThrow(/ambiguous digest string/);
  });
});
