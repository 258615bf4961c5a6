import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { isLoopbackHost, parseChallenge, pullImage, pushImage, RegistryClientError } from './client.js';
import { makeDockerConfigJson, parseDockerConfigJson } from './docker-config.js';
import { sha256Digest } from './digest.js';
import { assembleImage, buildBaseLayer, buildLayer, buildSecretImage, createFlag, imageBlobs, type BuiltImage } from './image-builder.js';
import { readLayer } from './layer-reader.js';
import { OCI_INDEX } from './media-types.js';
import { startTestRegistry, type TestRegistry } from '../../test/support/registry.js';

const flagOf = async (layers: Buffer[]) => {
  for (const l of layers) {
    const f = (await readLayer(l)).find((e) => e.path === 'flag.txt');
    if (f) return f.content?.toString().trim();
  }
  return undefined;
};

describe.each(['basic', 'token'] as const)('client against the registry with %s auth', (mode) => {
  let lab: TestRegistry;
  let image: BuiltImage;
  let flag: string;
  beforeAll(async () => {
    lab = await startTestRegistry(mode);
    flag = createFlag();
    image = await buildSecretImage({ flag });
    const pushed = await pushImage(
      `${lab.registry.host}/secure/app:1`,
      { manifestBytes: image.manifestBytes, mediaType: image.mediaType, blobs: imageBlobs(image) },
      { credentials: lab.users.pusher },
    );
    expect(pushed.digest).toBe(image.digest);
  });
  afterAll(() => lab.registry.close());

  it('pulls with the credentials of a .dockerconfigjson and gets the flag', async () => {
    const secret = makeDockerConfigJson(lab.registry.host, lab.users.admin1.username, lab.users.admin1.password);
    const pulled = await pullImage(`${lab.registry.host}/secure/app:1`, { dockerConfigs: [parseDockerConfigJson(secret)] });
    expect(pulled.digest).toBe(image.digest);
    expect(pulled.configDigest).toBe(image.configDigest);
    expect(await flagOf(pulled.layers)).toBe(flag);
  });

  it('is refused without credentials, and the error names no secret', async () => {
    const error = await pullImage(`${lab.registry.host}/secure/app:1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryClientError);
    expect((error as RegistryClientError).kind).toBe('unauthorized');
    const wrong = { auths: { [lab.registry.host]: { auth: Buffer.from(`${lab.users.admin1.username}:guess-${lab.users.pusher.password}`).toString('base64') } } };
    const error2 = (await pullImage(`${lab.registry.host}/secure/app:1`, { dockerConfigs: [parseDockerConfigJson(JSON.stringify(wrong))] }).catch((e: unknown) => e)) as Error;
    expect(error2).toBeInstanceOf(RegistryClientError);
    expect(error2.message).not.toContain(lab.users.pusher.password);
  });

  it('tries every matching credential in the keyring order until one works', async () => {
    const configs = [
      parseDockerConfigJson(makeDockerConfigJson(`${lab.registry.host}/secure`, lab.users.admin1.username, 'wrong')),
      parseDockerConfigJson(makeDockerConfigJson(lab.registry.host, lab.users.admin1.username, lab.users.admin1.password)),
    ];
    expect((await pullImage(`${lab.registry.host}/secure/app:1`, { dockerConfigs: configs })).digest).toBe(image.digest);
  });

  it('ignores credentials for another port of the same host', async () => {
    const port = Number(lab.registry.host.split(':')[1]);
    const other = parseDockerConfigJson(makeDockerConfigJson(`127.0.0.1:${port === 1 ? 2 : port - 1}`, lab.users.admin1.username, lab.users.admin1.password));
    await expect(pullImage(`${lab.registry.host}/secure/app:1`, { dockerConfigs: [other] })).rejects.toMatchObject({ kind: 'unauthorized' });
  });

  it('picks the platform from an index', async () => {
    const base = await buildBaseLayer();
    const arm = assembleImage([base, await buildLayer([{ path: 'flag.txt', type: 'file', content: 'FLAG{arm64}\n' }])], { architecture: 'arm64', cmd: ['sh'] });
    const amd = assembleImage([base, await buildLayer([{ path: 'flag.txt', type: 'file', content: 'FLAG{amd64}\n' }])], { architecture: 'amd64', cmd: ['sh'] });
    for (const img of [arm, amd]) {
      await pushImage(
        `${lab.registry.host}/secure/multi@${img.digest}`,
        { manifestBytes: img.manifestBytes, mediaType: img.mediaType, blobs: imageBlobs(img) },
        { credentials: lab.users.pusher },
      );
    }
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [
          { mediaType: amd.mediaType, digest: amd.digest, size: amd.manifestBytes.length, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: arm.mediaType, digest: arm.digest, size: arm.manifestBytes.length, platform: { os: 'linux', architecture: 'arm64' } },
        ],
      }),
    );
    await pushImage(`${lab.registry.host}/secure/multi:1`, { manifestBytes: index, mediaType: OCI_INDEX, blobs: new Map() }, { credentials: lab.users.pusher });
    const pulled = await pullImage(`${lab.registry.host}/secure/multi:1`, { credentials: lab.users.admin1, platform: { os: 'linux', architecture: 'arm64' } });
    expect(pulled.digest).toBe(sha256Digest(index));
    expect(pulled.manifestDigest).toBe(arm.digest);
    expect(await flagOf(pulled.layers)).toBe('FLAG{arm64}');
    await expect(pullImage(`${lab.registry.host}/secure/multi:1`, { credentials: lab.users.admin1, platform: { os: 'windows', architecture: 'amd64' } })).rejects.toMatchObject({
      kind: 'no-matching-platform',
    });
  });

  it('pulls by digest', async () => {
    const pulled = await pullImage(`${lab.registry.host}/secure/app@${image.digest}`, { credentials: lab.users.admin1 });
    expect(pulled.manifestDigest).toBe(image.digest);
  });

  it('reports a missing tag as not-found with the spec code', async () => {
    await expect(pullImage(`${lab.registry.host}/secure/app:nope`, { credentials: lab.users.admin1 })).rejects.toMatchObject({ kind: 'not-found', code: 'MANIFEST_UNKNOWN' });
  });
});

describe('client host guard', () => {
  afterEach(() => vi.restoreAllMocks());

  it('refuses non-loopback registries at once, with no network attempt', async () => {
    const spy = vi.spyOn(globalThis, 'fetch');
    for (const image of ['nginx', 'docker.io/library/nginx:1.27', 'registry.example.com:5000/secure/app:1', '10.0.0.1:5000/a:1']) {
      const error = (await pullImage(image).catch((e: unknown) => e)) as RegistryClientError;
      expect(error.kind).toBe('host-not-allowed');
      expect(error.message).toMatch(/offline lab does not contact/);
    }
    await expect(pushImage('docker.io/library/x:1', { manifestBytes: Buffer.from('{}'), mediaType: OCI_INDEX, blobs: new Map() })).rejects.toMatchObject({
      kind: 'host-not-allowed',
    });
    expect(spy).not.toHaveBeenCalled();
  });

  it('knows loopback hosts', () => {
    expect(['127.0.0.1:5000', '127.1.2.3', 'localhost:5001', '[::1]:5000'].map(isLoopbackHost)).toEqual([true, true, true, true]);
    expect(['docker.io', '10.0.0.1:5000', 'localhost.example.com', '128.0.0.1'].map(isLoopbackHost)).toEqual([false, false, false, false]);
  });

  it('reports an invalid reference clearly', async () => {
    await expect(pullImage('UPPER/Case:1')).rejects.toMatchObject({ kind: 'invalid' });
  });

  it('parses challenges', () => {
    expect(parseChallenge('Bearer realm="http://127.0.0.1:1/token",service="s",scope="repository:a/b:pull,push"')).toEqual({
      scheme: 'bearer',
      params: { realm: 'http://127.0.0.1:1/token', service: 's', scope: 'repository:a/b:pull,push' },
    });
    expect(parseChallenge('Basic realm="r"')).toEqual({ scheme: 'basic', params: { realm: 'r' } });
  });
});

describe('client against a registry that lies', () => {
  let server: Server;
  let host = '';
  let image: BuiltImage;
  beforeAll(async () => {
    image = await buildSecretImage({ flag: createFlag() });
    server = createServer((req, res) => {
      if (req.url?.includes('/manifests/')) {
        res.writeHead(200, { 'Content-Type': image.mediaType, 'Docker-Content-Digest': image.digest }).end(image.manifestBytes);
      } else if (req.url?.includes('/blobs/')) {
        res.writeHead(200).end('these are not the bytes you are looking for');
      } else res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('rejects blobs whose content does not match their digest', async () => {
    await expect(pullImage(`${host}/public/app:1`)).rejects.toMatchObject({ kind: 'digest-mismatch' });
  });

  it('rejects a manifest that does not hash to the digest asked for', async () => {
    const other = sha256Digest(Buffer.from('another manifest'));
    await expect(pullImage(`${host}/public/app@${other}`)).rejects.toMatchObject({ kind: 'digest-mismatch' });
  });
});
