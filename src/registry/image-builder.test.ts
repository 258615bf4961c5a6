import { describe, expect, it } from 'vitest';
import { sha256Digest } from './digest.js';
import { buildPublicImage, buildSecretImage, createFlag, secretImageCmd } from './image-builder.js';
import { readLayer } from './layer-reader.js';
import { parseManifest } from './manifest.js';

describe('buildSecretImage', () => {
  it('gives the same digests for the same flag and different ones for another flag', async () => {
    const flag = createFlag();
    const a = await buildSecretImage({ flag });
    const b = await buildSecretImage({ flag });
    const c = await buildSecretImage({ flag: createFlag() });
    expect(a.digest).toBe(b.digest);
    expect(a.layers.map((l) => l.digest)).toEqual(b.layers.map((l) => l.digest));
    expect(c.digest).not.toBe(a.digest);
    expect(c.layers[0]!.digest).toBe(a.layers[0]!.digest); // the base layer is shared
    expect(c.layers[1]!.digest).not.toBe(a.layers[1]!.digest);
  });

  it('is a valid OCI image whose layers hold /flag.txt and busybox-style applets', async () => {
    const flag = createFlag();
    const image = await buildSecretImage({ flag });
    const parsed = parseManifest(image.manifestBytes, image.mediaType);
    expect(parsed.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');
    expect(image.manifest.config.digest).toBe(sha256Digest(image.config));
    const config = JSON.parse(image.config.toString()) as { config: { Cmd: string[]; Env: string[] }; rootfs: { diff_ids: string[] } };
    expect(config.config.Cmd).toEqual(secretImageCmd);
    expect(config.config.Env[0]).toMatch(/^PATH=.*\/bin/);
    expect(config.rootfs.diff_ids).toEqual(image.layers.map((l) => l.diffId));
    image.layers.forEach((l, i) => expect(image.manifest.layers[i]).toMatchObject({ digest: l.digest, size: l.data.length }));

    const base = await readLayer(image.layers[0]!.data);
    expect(base.find((e) => e.path === 'bin/busybox')).toMatchObject({ type: 'file' });
    for (const applet of ['sh', 'cat', 'sleep', 'echo']) {
      expect(base.find((e) => e.path === `bin/${applet}`)).toMatchObject({ type: 'symlink', target: '/bin/busybox' });
    }
    const top = await readLayer(image.layers[1]!.data);
    expect(top).toHaveLength(1);
    expect(top[0]!.path).toBe('flag.txt');
    expect(top[0]!.content?.toString()).toBe(`${flag}\n`);
  });

  it('builds a public image without a flag', async () => {
    const image = await buildPublicImage();
    const layers = await Promise.all(image.layers.map((l) => readLayer(l.data)));
    expect(layers.flat().some((e) => e.path === 'flag.txt')).toBe(false);
    expect(layers.flat().some((e) => e.path === 'message.txt')).toBe(true);
  });
});
