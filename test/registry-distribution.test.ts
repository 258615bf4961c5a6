// The project's client against a registry nobody here wrote: Debian's docker-registry (distribution 2.8.2)
// behind htpasswd auth made by Debian's `htpasswd -Bbn`.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { htpasswdLine } from '../src/registry/auth.js';
import { pullImage, pushImage } from '../src/registry/client.js';
import { makeDockerConfigJson, parseDockerConfigJson } from '../src/registry/docker-config.js';
import { buildSecretImage, createFlag, imageBlobs, type BuiltImage } from '../src/registry/image-builder.js';
import { readLayer } from '../src/registry/layer-reader.js';
import { DOCKER_MANIFEST } from '../src/registry/media-types.js';
import { debianHtpasswdLine, startDistribution, type DistributionRegistry } from './support/docker-registry.js';

describe('client ↔ Debian docker-registry (distribution 2.8.2) with htpasswd', () => {
  let registry: DistributionRegistry;
  const alice = { username: 'alice', password: randomBytes(12).toString('base64url') };
  const bob = { username: 'bob', password: randomBytes(12).toString('base64url') };
  let image: BuiltImage;
  let flag: string;

  beforeAll(async () => {
    // alice's line from Debian's htpasswd; bob's from our own bcrypt writer, to show distribution accepts it.
    registry = await startDistribution([await debianHtpasswdLine(alice.username, alice.password), htpasswdLine(bob.username, bob.password)]);
    flag = createFlag();
    image = await buildSecretImage({ flag });
  });
  afterAll(() => registry?.stop());

  it('pushes the lab image with credentials', async () => {
    const pushed = await pushImage(
      `${registry.host}/secure/app:1`,
      { manifestBytes: image.manifestBytes, mediaType: image.mediaType, blobs: imageBlobs(image) },
      { credentials: alice },
    );
    expect(pushed.digest).toBe(image.digest);
  });

  it('pulls it back with a .dockerconfigjson and finds the flag', async () => {
    const config = parseDockerConfigJson(makeDockerConfigJson(registry.host, alice.username, alice.password));
    const pulled = await pullImage(`${registry.host}/secure/app:1`, { dockerConfigs: [config] });
    expect(pulled.digest).toBe(image.digest);
    const top = await readLayer(pulled.layers[1]!);
    expect(
      top
        .find((e) => e.path === 'flag.txt')
        ?.content?.toString()
        .trim(),
    ).toBe(flag);
  });

  it('is refused without or with wrong credentials', async () => {
    await expect(pullImage(`${registry.host}/secure/app:1`)).rejects.toMatchObject({ kind: 'unauthorized', status: 401 });
    await expect(pullImage(`${registry.host}/secure/app:1`, { credentials: { username: alice.username, password: 'wrong' } })).rejects.toMatchObject({ kind: 'unauthorized' });
    await expect(pushImage(`${registry.host}/secure/other:1`, { manifestBytes: image.manifestBytes, mediaType: image.mediaType, blobs: imageBlobs(image) })).rejects.toMatchObject({
      kind: 'unauthorized',
    });
  });

  it('accepts htpasswd lines written by our bcrypt writer', async () => {
    expect((await pullImage(`${registry.host}/secure/app:1`, { credentials: bob })).digest).toBe(image.digest);
  });

  it('pushes and pulls a Docker schema2 manifest', async () => {
    const docker = Buffer.from(JSON.stringify({ ...image.manifest, mediaType: DOCKER_MANIFEST }));
    await pushImage(`${registry.host}/secure/docker:1`, { manifestBytes: docker, mediaType: DOCKER_MANIFEST, blobs: imageBlobs(image) }, { credentials: alice });
    const pulled = await pullImage(`${registry.host}/secure/docker:1`, { credentials: alice });
    expect(pulled.mediaType).toBe(DOCKER_MANIFEST);
    expect(pulled.configDigest).toBe(image.configDigest);
  });
});
