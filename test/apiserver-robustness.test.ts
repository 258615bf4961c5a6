// Bad input never crashes the embedded API server: malformed JSON/YAML/protobuf, wrong kinds,
// oversized bodies, unknown paths and verbs all get a proper Status, and a randomized request storm
// leaves the server up and its store consistent.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionPluginsFor, startApiServer, type ApiServer } from '../src/embedded/apiserver/server.js';
import { findResource } from '../src/embedded/apiserver/resources.js';

let api: ApiServer;
let token: string;
const limit = 64 * 1024;

interface Reply {
  code: number;
  contentType: string;
  body: string;
}

function call(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, auth = true): Promise<Reply> {
  const url = new URL(path, api.url);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: api.caPem,
        headers: {
          ...(auth ? { Authorization: `Bearer ${token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

function status(reply: Reply): { kind: string; code: number; reason?: string; message: string } {
  expect(reply.contentType).toBe('application/json');
  const parsed = JSON.parse(reply.body) as { kind: string; code: number; reason?: string; message: string };
  expect(parsed.kind).toBe('Status');
  expect(parsed.code).toBe(reply.code);
  return parsed;
}

beforeAll(async () => {
  api = await startApiServer({ admissionPlugins: admissionPluginsFor(['AlwaysPullImages']), maxRequestBodyBytes: limit });
  token = api.users.find((u) => u.name === 'admin')!.token;
});
afterAll(async () => {
  await api?.close();
});

describe('bad requests get a Status, never a crash', () => {
  it('malformed JSON is 400 BadRequest in upstream words', async () => {
    const s = status(await call('POST', '/api/v1/namespaces/tenant-a/pods', '{"kind": "Pod", '));
    expect(s).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(s.message).toMatch(/^the object provided is unrecognized \(must be of type Pod\): couldn't get version\/kind; json parse error: /);
  });

  it('malformed YAML is 400 BadRequest', async () => {
    const s = status(await call('POST', '/api/v1/namespaces/tenant-a/pods', 'kind: Pod\n  bad: [indent', { 'Content-Type': 'application/yaml' }));
    expect(s).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('a YAML body is accepted like JSON', async () => {
    const reply = await call(
      'POST',
      '/api/v1/namespaces/tenant-a/pods',
      'apiVersion: v1\nkind: Pod\nmetadata: {name: from-yaml}\nspec:\n  containers: [{name: a, image: "busybox:1.36"}]\n',
      { 'Content-Type': 'application/yaml' },
    );
    expect(reply.code).toBe(201);
    expect(JSON.parse(reply.body).spec.containers[0].imagePullPolicy).toBe('Always');
  });

  it('garbage protobuf is 400, never 415', async () => {
    const s = status(await call('POST', '/api/v1/namespaces', Buffer.from([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff]), { 'Content-Type': 'application/vnd.kubernetes.protobuf' }));
    expect(s).toMatchObject({ code: 400, reason: 'BadRequest' });
  });

  it('a body of the wrong kind is 400', async () => {
    const s = status(await call('POST', '/api/v1/namespaces/tenant-a/pods', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'x' } })));
    expect(s).toMatchObject({ code: 400, reason: 'BadRequest' });
    expect(s.message).toContain('cannot be handled as a Pod');
  });

  it('an invalid pod is 422 Invalid with field causes', async () => {
    const s = status(
      await call('POST', '/api/v1/namespaces/tenant-a/pods', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'Bad_Name' }, spec: { containers: [] } })),
    );
    expect(s).toMatchObject({ code: 422, reason: 'Invalid' });
    expect(s.message).toMatch(/^Pod "Bad_Name" is invalid: /);
    expect(JSON.parse(JSON.stringify(s)).details.causes.length).toBeGreaterThan(0);
  });

  it('an oversized body is 413 RequestEntityTooLarge', async () => {
    const big = JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'big' }, stringData: { x: 'a'.repeat(limit) } });
    const s = status(await call('POST', '/api/v1/namespaces/tenant-a/secrets', big));
    expect(s).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      code: 413,
      reason: 'RequestEntityTooLarge',
      message: `Request entity too large: limit is ${limit}`,
    });
  });

  it('an unsupported media type is 415', async () => {
    const s = status(await call('POST', '/api/v1/namespaces/tenant-a/pods', 'x', { 'Content-Type': 'text/plain' }));
    expect(s).toMatchObject({ code: 415, reason: 'UnsupportedMediaType' });
  });

  it('unknown paths are 404, unknown verbs 405', async () => {
    expect(status(await call('GET', '/nope'))).toMatchObject({ code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
    expect(status(await call('GET', '/api/v1/widgets'))).toMatchObject({ code: 404 });
    expect(status(await call('GET', '/api/v1/namespaces/tenant-a/pods/x/y/z'))).toMatchObject({ code: 404 });
    expect(status(await call('PUT', '/api/v1/namespaces/tenant-a/pods', '{}'))).toMatchObject({ code: 405, reason: 'MethodNotAllowed' });
    expect(status(await call('DELETE', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews'))).toMatchObject({ code: 405 });
    // Namespaced resources have no cluster-wide create or item routes.
    expect(status(await call('POST', '/api/v1/pods', '{}'))).toMatchObject({ code: 405 });
    expect(status(await call('GET', '/api/v1/pods/x'))).toMatchObject({ code: 404 });
    expect(status(await call('GET', '/api/v1/namespaces/tenant-a/nodes'))).toMatchObject({ code: 404 });
  });

  it('a wrong token is 401, no token is the anonymous user (403 except public info)', async () => {
    expect(status(await call('GET', '/api/v1/namespaces', undefined, { Authorization: 'Bearer nope' }, false))).toMatchObject({ code: 401, reason: 'Unauthorized' });
    const anon = status(await call('GET', '/api/v1/namespaces', undefined, {}, false));
    expect(anon).toMatchObject({ code: 403, message: 'namespaces is forbidden: User "system:anonymous" cannot list resource "namespaces" in API group "" at the cluster scope' });
    expect((await call('GET', '/version', undefined, {}, false)).code).toBe(200);
  });

  it('bad selectors and bad patches are 400', async () => {
    expect(status(await call('GET', '/api/v1/pods?fieldSelector=spec.nope%3Dx'))).toMatchObject({ code: 400, message: 'field label not supported: spec.nope' });
    expect(status(await call('PATCH', '/api/v1/namespaces/tenant-a/pods/from-yaml', '{not json', { 'Content-Type': 'application/merge-patch+json' }))).toMatchObject({ code: 400 });
    expect(status(await call('PATCH', '/api/v1/namespaces/tenant-a/pods/from-yaml', '{}', { 'Content-Type': 'application/json-patch+json' }))).toMatchObject({ code: 400 });
  });
});

describe('randomized requests', () => {
  it('keeps the server up and the store consistent', async () => {
    let seed = 42;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = <T>(list: readonly T[]): T => list[rand(list.length)] as T;
    const names = ['a', 'b', 'c', 'Bad_Name', ''];
    const namespaces = ['tenant-a', 'tenant-b', 'missing', ''];
    const resources = ['pods', 'secrets', 'serviceaccounts', 'events', 'roles', 'nodes', 'bogus'];
    const bodies = [
      () =>
        JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: pick(names) }, spec: { containers: [{ name: 'c', image: pick(['nginx', 'nginx:1.13', '', 'x y']) }] } }),
      () => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: pick(names) }, type: pick(['Opaque', 'kubernetes.io/dockerconfigjson']), data: { a: 'Zm9v' } }),
      () => JSON.stringify({ metadata: { labels: { x: String(rand(5)) } } }),
      () => JSON.stringify([{ op: pick(['add', 'remove', 'replace', 'bogus']), path: pick(['/metadata/labels', '/spec', '/x']), value: rand(3) }]),
      () => '{"truncated": ',
      () => 'null',
      () => '[]',
      () => '"string"',
      () => Buffer.from(Array.from({ length: rand(40) }, () => rand(256))).toString('latin1'),
    ];
    const contentTypes = [
      'application/json',
      'application/merge-patch+json',
      'application/json-patch+json',
      'application/strategic-merge-patch+json',
      'application/yaml',
      'application/vnd.kubernetes.protobuf',
      'text/plain',
    ];
    const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    // A watcher from the start must be able to rebuild exactly what the store ends up holding.
    const podsResource = findResource('', 'v1', 'pods')!;
    const replayed = new Map<string, string>();
    const stop = api.store.watch(podsResource, { resourceVersion: api.store.resourceVersion() }, (e) => {
      const key = `${e.object.metadata.namespace}/${e.object.metadata.name}`;
      if (e.type === 'DELETED') replayed.delete(key);
      else replayed.set(key, e.object.metadata.resourceVersion ?? '');
    });
    for (const o of api.store.list(podsResource).items) replayed.set(`${o.metadata.namespace}/${o.metadata.name}`, o.metadata.resourceVersion ?? '');
    for (let i = 0; i < 400; i++) {
      const ns = pick(namespaces);
      const resource = pick(resources);
      const name = pick(names);
      const path = `/api/v1/${ns ? `namespaces/${ns}/` : ''}${resource}${name ? `/${name}` : ''}${rand(4) === 0 ? '/status' : ''}`;
      const method = pick(methods);
      const body = method === 'GET' ? undefined : pick(bodies)();
      const headers: Record<string, string> = method === 'GET' ? {} : { 'Content-Type': pick(contentTypes) };
      const reply = await call(method, path, body, headers).catch((e: unknown) => {
        throw new Error(`${method} ${path} ${JSON.stringify(headers)} ${JSON.stringify(body)}: ${String(e)}`);
      });
      expect(reply.code, `${method} ${path}: ${reply.body}`).toBeLessThan(500);
      expect(() => JSON.parse(reply.body), `${method} ${path}`).not.toThrow();
    }
    // Still up, and what the API lists is what the store holds, with distinct resourceVersions.
    const list = JSON.parse((await call('GET', '/api/v1/pods')).body) as { items: { metadata: { name: string; resourceVersion: string } }[] };
    const stored = api.store.list(findResource('', 'v1', 'pods')!).items;
    expect(list.items.map((p) => p.metadata.name)).toEqual(stored.map((p) => p.metadata.name));
    stop();
    expect(stored.length, 'the storm created some pods').toBeGreaterThan(0);
    expect([...replayed].sort()).toEqual(stored.map((o) => [`${o.metadata.namespace}/${o.metadata.name}`, o.metadata.resourceVersion ?? '']).sort());
    const versions = list.items.map((p) => p.metadata.resourceVersion);
    expect(new Set(versions).size).toBe(versions.length);
    expect((await call('GET', '/version')).code).toBe(200);
  }, 30_000);
});
