import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobPool } from './blob-pool.js';
import { pushImage } from './client.js';
import { sha256Digest } from './digest.js';
import { buildPublicImage, buildSecretImage, createFlag, imageBlobs, type BuiltImage } from './image-builder.js';
import { createRegistryUsers, labAccessRules, type RegistryUsers } from './lab-users.js';
import { startRegistry, type RunningRegistry } from './server.js';

describe('the blob pool', () => {
  it('pools only bytes that hash to their digest', () => {
    const pool = new BlobPool();
    const bytes = Buffer.from('layer');
    const digest = sha256Digest(bytes);
    expect(pool.intern(digest, Buffer.from('other'))).toEqual(Buffer.from('other')); // not pooled under a lie
    expect(pool.size).toBe(0);
    expect(pool.intern(digest, bytes)).toBe(bytes);
    expect(pool.intern(digest, Buffer.from('layer'))).toBe(bytes); // the pooled copy, not a second one
  });
});

describe('two lab registries sharing a pool', () => {
  const pool = new BlobPool();
  const labs: { users: RegistryUsers; registry: RunningRegistry; secret: BuiltImage }[] = [];
  let publicImage: BuiltImage;
  beforeAll(async () => {
    publicImage = await buildPublicImage();
    for (let i = 0; i < 2; i++) {
      const users = createRegistryUsers();
      const registry = await startRegistry({ users: [users.admin1, users.pusher], access: labAccessRules(users), auth: 'basic', blobPool: pool });
      const secret = await buildSecretImage({ flag: createFlag() });
      await pushImage(
        `${registry.host}/secure/super-secret-image:1`,
        { manifestBytes: secret.manifestBytes, mediaType: secret.mediaType, blobs: imageBlobs(secret) },
        { credentials: users.pusher },
      );
      labs.push({ users, registry, secret });
    }
    // the public image to lab 1 only
    await pushImage(
      `${labs[0]!.registry.host}/public/hello:1`,
      { manifestBytes: publicImage.manifestBytes, mediaType: publicImage.mediaType, blobs: imageBlobs(publicImage) },
      { credentials: labs[0]!.users.pusher },
    );
  });
  afterAll(async () => {
    for (const lab of labs) await lab.registry.close();
  });

  const get = (lab: (typeof labs)[number], path: string, user?: { username: string; password: string }) =>
    fetch(`${lab.registry.url}${path}`, user ? { headers: { Authorization: `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}` } } : {});

  it('holds a layer both pushed once', async () => {
    const [one, two] = labs as [(typeof labs)[number], (typeof labs)[number]];
    const base = one.secret.layers[0]!.digest;
    expect(two.secret.layers[0]!.digest).toBe(base); // the same base layer…
    expect(await one.registry.storage.readBlob(base)).toBe(await two.registry.storage.readBlob(base)); // …held once
    expect(one.secret.layers[1]!.digest).not.toBe(two.secret.layers[1]!.digest); // each flag its own
  });

  it('serves a blob only where that registry links it, to whom its rules allow', async () => {
    const [one, two] = labs as [(typeof labs)[number], (typeof labs)[number]];
    const flagOfOne = one.secret.layers[1]!.digest;
    const messageLayer = publicImage.layers[1]!.digest;
    // lab 2's own Admin1 asks lab 2 for lab 1's flag layer: lab 2 never had it
    expect((await get(two, `/v2/secure/super-secret-image/blobs/${flagOfOne}`, two.users.admin1)).status).toBe(404);
    // the public layer lab 1 holds is not in lab 2's public repository either
    expect((await get(two, `/v2/public/hello/blobs/${messageLayer}`)).status).toBe(404);
    expect((await get(one, `/v2/public/hello/blobs/${messageLayer}`)).status).toBe(200);
    // a shared base layer, through lab 1's secure repository: anonymous and lab 2's Admin1 are refused
    const base = one.secret.layers[0]!.digest;
    expect((await get(one, `/v2/secure/super-secret-image/blobs/${base}`)).status).toBe(401);
    expect((await get(one, `/v2/secure/super-secret-image/blobs/${base}`, two.users.admin1)).status).toBe(401);
    expect((await get(one, `/v2/secure/super-secret-image/blobs/${base}`, one.users.admin1)).status).toBe(200);
  });
});
