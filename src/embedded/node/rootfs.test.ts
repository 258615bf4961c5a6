import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { ImageStore } from './image-store.js';
import { FsError, RootfsCache, RootfsError, unpackRootfs } from './rootfs.js';
import { buildImage, buildLayer, busyboxEntries, type BuiltLayer } from '../../../test/support/node-images.js';

const text = (b: Uint8Array): string => Buffer.from(b).toString('utf8');

async function imageOf(layers: BuiltLayer[], ref = 'app:v1') {
  const store = new ImageStore();
  const image = store.addImage(ref, buildImage(layers));
  return { store, image };
}

describe('unpackRootfs', () => {
  it('unpacks gzip and plain tar layers in order, later layers winning', async () => {
    const { store, image } = await imageOf([
      await buildLayer([...busyboxEntries(), { type: 'file', path: 'etc/motd', content: 'lower\n' }]),
      await buildLayer(
        [
          { type: 'file', path: 'etc/motd', content: 'upper\n' },
          { type: 'file', path: 'flag.txt', content: 'FLAG{x}\n', mode: 0o600 },
        ],
        'none',
      ),
    ]);
    const fs = await unpackRootfs(image, store);
    expect(text(fs.readFile('/etc/motd'))).toBe('upper\n');
    expect(text(fs.readFile('flag.txt'))).toBe('FLAG{x}\n');
    expect(fs.stat('/flag.txt')).toMatchObject({ type: 'file', mode: 0o600 });
    expect(fs.readdir('/')).toEqual(['bin', 'etc', 'flag.txt']);
  });

  it('follows busybox-style symlinks to the file they name', async () => {
    const { store, image } = await imageOf([await buildLayer(busyboxEntries())]);
    const fs = await unpackRootfs(image, store);
    expect(fs.lstat('/bin/cat')).toMatchObject({ type: 'symlink', target: 'busybox' });
    expect(fs.stat('/bin/cat')).toMatchObject({ type: 'file', mode: 0o755 });
    expect(fs.resolve('/bin/sh').path).toBe('/bin/busybox');
  });

  it('applies .wh. whiteouts and opaque directories from upper layers only', async () => {
    const { store, image } = await imageOf([
      await buildLayer([
        { type: 'file', path: 'secret/a', content: 'a' },
        { type: 'file', path: 'secret/sub/b', content: 'b' },
        { type: 'file', path: 'keep/gone', content: 'x' },
        { type: 'file', path: 'keep/stays', content: 'y' },
      ]),
      await buildLayer([
        { type: 'dir', path: 'secret/' },
        { type: 'file', path: 'secret/.wh..wh..opq', content: '' },
        { type: 'file', path: 'secret/new', content: 'n' },
        { type: 'file', path: 'keep/.wh.gone', content: '' },
      ]),
    ]);
    const fs = await unpackRootfs(image, store);
    expect(fs.readdir('/secret')).toEqual(['new']);
    expect(fs.readdir('/keep')).toEqual(['stays']);
    expect(() => fs.readFile('/keep/gone')).toThrow(FsError);
    expect(() => fs.readFile('/secret/sub/b')).toThrow(/no such file or directory/);
  });

  it('gives POSIX errors for missing files, directories and loops', async () => {
    const { store, image } = await imageOf([
      await buildLayer([
        { type: 'file', path: 'f', content: 'f' },
        { type: 'symlink', path: 'loop', target: 'loop' },
        { type: 'symlink', path: 'up', target: '../../../f' },
      ]),
    ]);
    const fs = await unpackRootfs(image, store);
    expect(() => fs.readFile('/x')).toThrow(expect.objectContaining({ code: 'ENOENT', text: 'no such file or directory' }));
    expect(() => fs.readFile('/')).toThrow(expect.objectContaining({ code: 'EISDIR' }));
    expect(() => fs.readFile('/f/g')).toThrow(expect.objectContaining({ code: 'ENOTDIR' }));
    expect(() => fs.stat('/loop')).toThrow(expect.objectContaining({ code: 'ELOOP' }));
    expect(text(fs.readFile('/up'))).toBe('f'); // symlinks cannot climb out of the root
  });

  it('shares content for hard links', async () => {
    const { store, image } = await imageOf([
      await buildLayer([
        { type: 'file', path: 'bin/busybox', content: 'bb', mode: 0o755 },
        { type: 'link', path: 'bin/cat', target: 'bin/busybox' },
      ]),
    ]);
    const fs = await unpackRootfs(image, store);
    expect(fs.lstat('/bin/cat')).toMatchObject({ type: 'file', mode: 0o755 });
  });

  it('stops at the size limit', async () => {
    const { store, image } = await imageOf([await buildLayer([{ type: 'file', path: 'big', content: Buffer.alloc(64 * 1024) }])]);
    await expect(unpackRootfs(image, store, { maxBytes: 10_000 })).rejects.toThrow(/larger than the lab runtime allows/);
    await expect(unpackRootfs(image, store, { maxBytes: 100_000 })).resolves.toBeDefined();
  });

  it('rejects a layer that is not a tar, and a diff_id mismatch', async () => {
    const junk = new Uint8Array(gzipSync(Buffer.from('this is not a tar archive, just some text that goes on '.repeat(20))));
    const fake: BuiltLayer = { ...(await buildLayer([])), bytes: junk };
    const { digestOf } = await import('./image-store.js');
    fake.digest = digestOf(junk);
    const { store, image } = await imageOf([fake]);
    await expect(unpackRootfs(image, store)).rejects.toThrow(RootfsError);

    const real = await buildLayer([{ type: 'file', path: 'a', content: 'a' }]);
    const wrong: BuiltLayer = { ...real, diffId: `sha256:${'1'.repeat(64)}` };
    const second = await imageOf([wrong]);
    await expect(unpackRootfs(second.image, second.store)).rejects.toThrow(/does not match the config's diff_id/);
  });
});

describe('RootfsCache', () => {
  it('unpacks once per image id', async () => {
    const { store, image } = await imageOf([await buildLayer(busyboxEntries())]);
    const cache = new RootfsCache(store);
    const [a, b] = await Promise.all([cache.get(image), cache.get(image)]);
    expect(a).toBe(b);
    cache.evict(image.id);
    expect(cache.has(image.id)).toBe(false);
    expect(await cache.get(image)).not.toBe(a);
  });
});
