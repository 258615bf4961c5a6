import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullImage } from './client.js';
import { sha256Digest } from './digest.js';
import { buildSecretImage, createFlag, imageBlobs, type BuiltImage } from './image-builder.js';
import { DOCKER_MANIFEST, OCI_INDEX } from './media-types.js';
import { pushImage } from './client.js';
import { authorizationFor, basic, startTestRegistry, type TestRegistry } from '../../test/support/registry.js';

describe.each(['basic', 'token'] as const)('registry with %s auth', (mode) => {
  let lab: TestRegistry;
  let image: BuiltImage;
  let pusherPull: string;
  const req = async (method: string, path: string, authorization?: string, init: { headers?: Record<string, string>; body?: Buffer | string } = {}) =>
    fetch(`${lab.registry.url}${path}`, {
      method,
      headers: { ...(authorization ? { Authorization: authorization } : {}), ...init.headers },
      ...(init.body !== undefined ? { body: init.body as string } : {}),
    });

  beforeAll(async () => {
    lab = await startTestRegistry(mode);
    image = await buildSecretImage({ flag: createFlag() });
    const content = { manifestBytes: image.manifestBytes, mediaType: image.mediaType, blobs: imageBlobs(image) };
    await pushImage(`${lab.registry.host}/secure/app:1`, content, { credentials: lab.users.pusher });
    await pushImage(`${lab.registry.host}/public/app:1`, content, { credentials: lab.users.pusher });
    pusherPull = (await authorizationFor(lab.registry, lab.users.pusher, 'repository:secure/app:pull'))!;
  });
  afterAll(() => lab.registry.close());

  it('answers the ping with 401 and the challenge when anonymous', async () => {
    const res = await req('GET', '/v2/');
    expect(res.status).toBe(401);
    expect(res.headers.get('docker-distribution-api-version')).toBe('registry/2.0');
    const challenge = res.headers.get('www-authenticate') ?? '';
    if (mode === 'basic') expect(challenge).toBe('Basic realm="image-heist"');
    else expect(challenge).toMatch(new RegExp(`^Bearer realm="${lab.registry.url}/token",service="image-heist-registry"`));
    expect(await res.json()).toEqual({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required', detail: null }] });
  });

  it('serves secure/* to Admin1 only: anonymous → 401 with scope, wrong password → 401, other user → 403 DENIED', async () => {
    const anonymous = await req('GET', '/v2/secure/app/manifests/1');
    expect(anonymous.status).toBe(401);
    if (mode === 'token') expect(anonymous.headers.get('www-authenticate')).toContain('scope="repository:secure/app:pull"');
    expect(((await anonymous.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('UNAUTHORIZED');

    const wrong = { username: lab.users.admin1.username, password: 'not-the-password' };
    if (mode === 'basic') {
      expect((await req('GET', '/v2/secure/app/manifests/1', basic(wrong))).status).toBe(401);
    } else {
      await expect(authorizationFor(lab.registry, wrong, 'repository:secure/app:pull')).rejects.toThrow('401');
      expect((await req('GET', '/v2/secure/app/manifests/1', 'Bearer forged.token')).status).toBe(401);
    }

    const admin1 = await authorizationFor(lab.registry, lab.users.admin1, 'repository:secure/app:pull');
    const ok = await req('GET', '/v2/secure/app/manifests/1', admin1, { headers: { Accept: image.mediaType } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('docker-content-digest')).toBe(image.digest);
    expect(ok.headers.get('content-type')).toBe(image.mediaType);
    expect(Number(ok.headers.get('content-length'))).toBe(image.manifestBytes.length);
    expect(Buffer.from(await ok.arrayBuffer()).equals(image.manifestBytes)).toBe(true);

    // Admin1 may pull but not push: authenticated without the right → 403 DENIED.
    const push = await authorizationFor(lab.registry, lab.users.admin1, 'repository:secure/app:pull,push');
    const denied = await req('POST', '/v2/secure/app/blobs/uploads/', push);
    expect(denied.status).toBe(403);
    expect(((await denied.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('DENIED');
  });

  it.skipIf(mode === 'basic')('asks for a wider token (401 insufficient_scope) when a token lacks an action the user holds', async () => {
    const pullOnly = await authorizationFor(lab.registry, lab.users.pusher, 'repository:secure/app:pull');
    const res = await req('POST', '/v2/secure/app/blobs/uploads/', pullOnly);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('scope="repository:secure/app:pull,push",error="insufficient_scope"');
    const wider = await authorizationFor(lab.registry, lab.users.pusher, 'repository:secure/app:pull,push');
    expect((await req('POST', '/v2/secure/app/blobs/uploads/', wider)).status).toBe(202);
    // A token for one repository does not open another.
    expect((await req('GET', '/v2/secure/tags/tags/list', pullOnly)).status).toBe(401);
  });

  it('serves public/* anonymously but refuses anonymous pushes', async () => {
    const anon = await authorizationFor(lab.registry, undefined, 'repository:public/app:pull');
    const res = await req('GET', '/v2/public/app/manifests/1', anon);
    expect(res.status).toBe(200);
    const push = await req('POST', '/v2/public/app/blobs/uploads/', await authorizationFor(lab.registry, undefined, 'repository:public/app:pull,push'));
    expect(push.status).toBe(401);
  });

  it('does not serve a blob through a repository it was not pushed to', async () => {
    const layer = image.layers[1]!.digest;
    const admin1 = await authorizationFor(lab.registry, lab.users.admin1, 'repository:public/other:pull');
    expect((await req('GET', `/v2/public/other/blobs/${layer}`, admin1)).status).toBe(404);
  });

  it('serves blobs with HEAD and Range', async () => {
    const layer = image.layers[0]!;
    const head = await req('HEAD', `/v2/secure/app/blobs/${layer.digest}`, pusherPull);
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(layer.data.length);
    expect(head.headers.get('docker-content-digest')).toBe(layer.digest);
    const part = await req('GET', `/v2/secure/app/blobs/${layer.digest}`, pusherPull, { headers: { Range: 'bytes=10-19' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 10-19/${layer.data.length}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(layer.data.subarray(10, 20))).toBe(true);
    const beyond = await req('GET', `/v2/secure/app/blobs/${layer.digest}`, pusherPull, { headers: { Range: `bytes=${layer.data.length}-` } });
    expect(beyond.status).toBe(416);
  });

  it('takes chunked uploads in order, refuses out-of-order chunks, and verifies the digest', async () => {
    const push = await authorizationFor(lab.registry, lab.users.pusher, 'repository:secure/chunked:pull,push');
    const data = Buffer.from('0123456789abcdefghij');
    const start = await req('POST', '/v2/secure/chunked/blobs/uploads/', push);
    expect(start.status).toBe(202);
    const location = start.headers.get('location')!;
    const p1 = await req('PATCH', location, push, { headers: { 'Content-Range': '0-9', 'Content-Type': 'application/octet-stream' }, body: data.subarray(0, 10) });
    expect(p1.status).toBe(202);
    expect(p1.headers.get('range')).toBe('0-9');
    const bad = await req('PATCH', location, push, { headers: { 'Content-Range': '5-9' }, body: data.subarray(5, 10) });
    expect(bad.status).toBe(416);
    const status = await req('GET', location, push);
    expect(status.status).toBe(204);
    expect(status.headers.get('range')).toBe('0-9');
    const wrongDigest = sha256Digest(Buffer.from('other'));
    const mismatch = await req('PUT', `${location}?digest=${wrongDigest}`, push, { body: data.subarray(10) });
    expect(mismatch.status).toBe(400);
    expect(((await mismatch.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('DIGEST_INVALID');

    const again = (await req('POST', '/v2/secure/chunked/blobs/uploads/', push)).headers.get('location')!;
    await req('PATCH', again, push, { body: data.subarray(0, 10) });
    const done = await req('PUT', `${again}?digest=${sha256Digest(data)}`, push, { body: data.subarray(10) });
    expect(done.status).toBe(201);
    expect(done.headers.get('docker-content-digest')).toBe(sha256Digest(data));
    const get = await req('GET', `/v2/secure/chunked/blobs/${sha256Digest(data)}`, push);
    expect(Buffer.from(await get.arrayBuffer()).toString()).toBe(data.toString());
  });

  it('takes a monolithic POST with digest', async () => {
    const push = await authorizationFor(lab.registry, lab.users.pusher, 'repository:secure/mono:pull,push');
    const data = Buffer.from('monolithic blob');
    const res = await req('POST', `/v2/secure/mono/blobs/uploads/?digest=${sha256Digest(data)}`, push, { body: data });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v2/secure/mono/blobs/${sha256Digest(data)}`);
  });

  it('stores Docker schema2 manifests and OCI indexes, rejects manifests with unknown blobs or media types', async () => {
    const push = await authorizationFor(lab.registry, lab.users.pusher, 'repository:secure/app:pull,push,delete');
    const docker = Buffer.from(JSON.stringify({ ...image.manifest, mediaType: DOCKER_MANIFEST }));
    const put = await req('PUT', '/v2/secure/app/manifests/docker', push, { headers: { 'Content-Type': DOCKER_MANIFEST }, body: docker });
    expect(put.status).toBe(201);
    expect(put.headers.get('docker-content-digest')).toBe(sha256Digest(docker));
    const index = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: OCI_INDEX,
        manifests: [{ mediaType: image.mediaType, digest: image.digest, size: image.manifestBytes.length, platform: { os: 'linux', architecture: 'amd64' } }],
      }),
    );
    expect((await req('PUT', '/v2/secure/app/manifests/multi', push, { headers: { 'Content-Type': OCI_INDEX }, body: index })).status).toBe(201);
    const got = await req('HEAD', '/v2/secure/app/manifests/multi', push);
    expect(got.headers.get('content-type')).toBe(OCI_INDEX);

    const missing = { ...image.manifest, layers: [{ ...image.manifest.layers[0]!, digest: sha256Digest(Buffer.from('nope')) }] };
    const res = await req('PUT', '/v2/secure/app/manifests/broken', push, { headers: { 'Content-Type': image.mediaType }, body: JSON.stringify(missing) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('MANIFEST_BLOB_UNKNOWN');
    const unknownType = await req('PUT', '/v2/secure/app/manifests/odd', push, { headers: { 'Content-Type': 'application/vnd.example+json' }, body: '{"schemaVersion":2}' });
    expect(unknownType.status).toBe(400);
    expect(((await unknownType.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('MANIFEST_INVALID');
    const byWrongDigest = await req('PUT', `/v2/secure/app/manifests/${sha256Digest(Buffer.from('x'))}`, push, {
      headers: { 'Content-Type': image.mediaType },
      body: image.manifestBytes,
    });
    expect(byWrongDigest.status).toBe(400);

    expect((await req('DELETE', '/v2/secure/app/manifests/docker', push)).status).toBe(202);
    const gone = await req('GET', '/v2/secure/app/manifests/docker', push);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe('MANIFEST_UNKNOWN');
  });

  it('lists tags with pagination and the catalog for known users', async () => {
    const push = await authorizationFor(lab.registry, lab.users.pusher, 'repository:secure/tags:pull,push');
    for (const tag of ['c', 'a', 'b']) {
      const content = { manifestBytes: image.manifestBytes, mediaType: image.mediaType, blobs: imageBlobs(image) };
      await pushImage(`${lab.registry.host}/secure/tags:${tag}`, content, { credentials: lab.users.pusher });
    }
    const page = await req('GET', '/v2/secure/tags/tags/list?n=2', push);
    expect(await page.json()).toEqual({ name: 'secure/tags', tags: ['a', 'b'] });
    expect(page.headers.get('link')).toBe('</v2/secure/tags/tags/list?n=2&last=b>; rel="next"');
    expect(await (await req('GET', '/v2/secure/tags/tags/list?n=2&last=b', push)).json()).toEqual({ name: 'secure/tags', tags: ['c'] });
    const unknown = await req('GET', '/v2/secure/none/tags/list', await authorizationFor(lab.registry, lab.users.pusher, 'repository:secure/none:pull'));
    expect(unknown.status).toBe(404);

    const catalogAuth = await authorizationFor(lab.registry, lab.users.pusher, 'registry:catalog:*');
    const catalog = (await (await req('GET', '/v2/_catalog', catalogAuth)).json()) as { repositories: string[] };
    expect(catalog.repositories).toEqual(expect.arrayContaining(['public/app', 'secure/app', 'secure/tags']));
    expect((await req('GET', '/v2/_catalog')).status).toBe(401);
  });
});

describe('registry storage in a directory, and its access log', () => {
  it('keeps blobs on disk, serves them back, and logs no credential', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'image-heist-registry-'));
    const lines: string[] = [];
    const lab = await startTestRegistry('token', { storageDir: dir, log: (l) => lines.push(l) });
    try {
      const image = await buildSecretImage({ flag: createFlag() });
      await pushImage(
        `${lab.registry.host}/secure/app:1`,
        { manifestBytes: image.manifestBytes, mediaType: image.mediaType, blobs: imageBlobs(image) },
        { credentials: lab.users.pusher },
      );
      const files = await readdir(path.join(dir, 'blobs', 'sha256'));
      expect(files.sort()).toEqual([image.configDigest, ...image.layers.map((l) => l.digest)].map((d) => d.slice(7)).sort());
      const pulled = await pullImage(`${lab.registry.host}/secure/app:1`, { credentials: lab.users.admin1 });
      expect(pulled.layers.map((l) => sha256Digest(l))).toEqual(image.layers.map((l) => l.digest));
      const layer = image.layers[1]!;
      const auth = (await authorizationFor(lab.registry, lab.users.admin1, 'repository:secure/app:pull'))!;
      const part = await fetch(`${lab.registry.url}/v2/secure/app/blobs/${layer.digest}`, { headers: { Authorization: auth, Range: 'bytes=1-4' } });
      expect(part.status).toBe(206);
      expect(Buffer.from(await part.arrayBuffer()).equals(layer.data.subarray(1, 5))).toBe(true);
      const log = lines.join('\n');
      expect(log).toMatch(/GET \/v2\/secure\/app\/manifests\/1 200 user#[0-9a-f]{8}/);
      for (const secret of [lab.users.admin1.password, lab.users.pusher.password, lab.users.admin1.username, lab.users.pusher.username]) expect(log).not.toContain(secret);
    } finally {
      await lab.registry.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
