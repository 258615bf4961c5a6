import { gunzipSync } from 'node:zlib';
import { pack as tarPack, extract } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { sha256Digest } from '../registry/digest.js';
import { buildLayer, secretImageCmd } from '../registry/image-builder.js';
import { readLayer } from '../registry/layer-reader.js';
import { builtImageContent, ociArchive } from '../registry/oci-layout.js';
import { buildKindPublicImage, buildKindSecretImage, readDockerArchive } from './lab-images.js';

async function tarOf(files: Record<string, Buffer | string>): Promise<Buffer> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const [name, content] of Object.entries(files)) pack.entry({ name }, typeof content === 'string' ? Buffer.from(content) : content);
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

async function untar(data: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (h, stream, next) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => chunks.push(c as Buffer));
      stream.on('end', () => {
        files.set(h.name, Buffer.concat(chunks));
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', reject);
  });
  ex.end(data);
  await done;
  return files;
}

/**
 * A stand-in for `docker image save busybox` (no Docker engine here): the legacy layout with manifest.json,
 * an uncompressed layer tar and the config, as moby's image/tarexport writes it.
 */
async function dockerSaveLike(options: { corruptDiffId?: boolean } = {}) {
  const layer = await buildLayer([
    { path: 'bin', type: 'directory' },
    { path: 'bin/busybox', type: 'file', content: 'ELF…', mode: 0o755 },
    { path: 'bin/sh', type: 'symlink', target: 'busybox' },
  ]);
  const tar = gunzipSync(layer.data);
  const diffId = options.corruptDiffId ? sha256Digest(Buffer.from('other')) : sha256Digest(tar);
  const config = JSON.stringify({ architecture: 'arm64', os: 'linux', config: { Env: ['PATH=/bin'] }, rootfs: { type: 'layers', diff_ids: [diffId] } });
  const archive = await tarOf({
    'manifest.json': JSON.stringify([{ Config: 'blobs/sha256/cfg', RepoTags: ['busybox:1.37'], Layers: ['blobs/sha256/l1'] }]),
    'blobs/sha256/cfg': config,
    'blobs/sha256/l1': tar,
  });
  return { archive, tar };
}

describe('the base image from docker image save', () => {
  it('reads layers (re-gzipped, diff_id checked), env and architecture', async () => {
    const { archive, tar } = await dockerSaveLike();
    const base = await readDockerArchive(archive);
    expect(base.architecture).toBe('arm64');
    expect(base.env).toEqual(['PATH=/bin']);
    expect(base.layers).toHaveLength(1);
    expect(base.layers[0]!.diffId).toBe(sha256Digest(tar));
    expect(gunzipSync(base.layers[0]!.data).equals(tar)).toBe(true);
    expect(base.layers[0]!.digest).toBe(sha256Digest(base.layers[0]!.data));
  });

  it('refuses a layer that does not match the config, and archives that are not docker images', async () => {
    await expect(readDockerArchive((await dockerSaveLike({ corruptDiffId: true })).archive)).rejects.toThrow(/diff_id/);
    await expect(readDockerArchive(await tarOf({ 'index.json': '{}' }))).rejects.toThrow(/manifest\.json is missing/);
  });
});

describe('SuperSecretImage1 on the base', () => {
  it('is the base layers plus one layer with /flag.txt, prints the flag and keeps the base platform', async () => {
    const base = await readDockerArchive((await dockerSaveLike()).archive);
    const image = await buildKindSecretImage(base, 'FLAG{abc}');
    expect(image.layers.slice(0, -1).map((l) => l.digest)).toEqual(base.layers.map((l) => l.digest));
    const top = await readLayer(image.layers.at(-1)!.data);
    expect(top).toEqual([expect.objectContaining({ path: 'flag.txt', content: Buffer.from('FLAG{abc}\n') })]);
    const config = JSON.parse(image.config.toString()) as { architecture: string; config: { Cmd: string[]; Env: string[] } };
    expect(config.architecture).toBe('arm64');
    expect(config.config.Cmd).toEqual(secretImageCmd);
    expect(config.config.Env).toEqual(['PATH=/bin']);
    const other = await buildKindSecretImage(base, 'FLAG{def}');
    expect(other.digest).not.toBe(image.digest); // a new flag, a new image ID: no record from an earlier run matches
    expect((await buildKindPublicImage(base)).digest).not.toBe(image.digest);
  });
});

describe('OCI archive for ctr import', () => {
  it('is an OCI layout whose index names the image for containerd and holds every blob under its digest', async () => {
    const base = await readDockerArchive((await dockerSaveLike()).archive);
    const image = await buildKindSecretImage(base, 'FLAG{abc}');
    const ref = 'image-heist-registry:5000/secure/super-secret-image:1';
    const files = await untar(await ociArchive(builtImageContent(image), ref));
    expect(JSON.parse(files.get('oci-layout')!.toString())).toEqual({ imageLayoutVersion: '1.0.0' });
    const index = JSON.parse(files.get('index.json')!.toString()) as { manifests: { digest: string; annotations: Record<string, string> }[] };
    expect(index.manifests).toHaveLength(1);
    expect(index.manifests[0]!.digest).toBe(image.digest);
    expect(index.manifests[0]!.annotations).toEqual({ 'io.containerd.image.name': ref, 'org.opencontainers.image.ref.name': '1' });
    const blobs = [...files].filter(([n]) => n.startsWith('blobs/sha256/'));
    expect(blobs).toHaveLength(2 + image.layers.length); // manifest, config, layers
    for (const [name, data] of blobs) expect(`sha256:${name.slice('blobs/sha256/'.length)}`).toBe(sha256Digest(data));
  });
});
