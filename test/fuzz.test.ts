// Property-based fuzzing of the tenant-facing servers (fast-check), bounded in time: FUZZ_SECONDS (default 60,
// split 2:1 between the API server and the registry) and FUZZ_SEED to replay a run. A failure prints its seed
// and the shrunk request. Properties, for every generated request as each tenant:
//   - no 5xx except the documented ones (docs/apiserver.md "Answers upstream gives as 5xx");
//   - admin2 never reads a tenant-a object (a marker planted in tenant-a never appears in admin2's answers);
//   - the server answers afterwards, and memory stays bounded (the store within its quota, the heap bounded).
import { randomBytes } from 'node:crypto';
import { request as httpRequest, Agent as HttpAgent } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fieldSchema, modelNameForKind } from '../src/embedded/apiserver/field-schema.js';
import { resources } from '../src/embedded/apiserver/resources.js';
import { admissionPluginsFor, startApiServer, type ApiServer } from '../src/embedded/apiserver/server.js';
import { basic, startTestRegistry, type TestRegistry } from './support/registry.js';
import { rawClient, type RawClient } from './support/api-client.js';

const seconds = Number(process.env['FUZZ_SECONDS'] ?? 60);
const seed = Number(process.env['FUZZ_SEED'] ?? Math.floor(Math.random() * 2 ** 31));
const marker = `tenant-a-marker-${randomBytes(8).toString('hex')}`;
const markerBase64 = Buffer.from(marker).toString('base64');

/** The 5xx answers upstream gives too (docs/apiserver.md). */
const documented5xx = ['etcdserver: mvcc: database space exceeded', 'etcdserver: request is too large'];

// ---------------------------------------------------------------------------------------------
// Bodies from the field schema, and mutations of valid objects

const scalar = fc.oneof(fc.string({ maxLength: 12 }), fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const anyJson = fc.jsonValue({ maxDepth: 3 });

/** A value for a client-node schema type: usually well typed, sometimes not (null, wrong type, unknown fields). */
function valueFor(type: string, depth: number): fc.Arbitrary<unknown> {
  const wrong = fc.oneof(scalar, fc.constant([]), fc.constant({}), fc.constant([null]));
  const array = /^Array<(.+)>$/.exec(type);
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  let good: fc.Arbitrary<unknown>;
  if (array) good = depth > 4 ? fc.constant([]) : fc.array(valueFor(array[1]!, depth + 1), { maxLength: 3 });
  else if (map)
    good = fc.dictionary(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('a', 'app', 'example.com/x', '__proto__')), valueFor(map[1]!, depth + 1), { maxKeys: 4 });
  else if (type === 'string')
    good = fc.oneof(
      fc.string({ maxLength: 16 }),
      fc.constantFrom('a', 'busybox:1.36', 'Always', 'IfNotPresent', 'User', 'Role', 'ClusterRole', 'rbac.authorization.k8s.io', 'TCP', ''),
    );
  else if (type === 'number') good = fc.oneof(fc.integer({ min: -5, max: 70000 }), fc.constantFrom(2 ** 31, 1.5, -0));
  else if (type === 'boolean') good = fc.boolean();
  else if (type === 'Date') good = fc.constantFrom('2026-01-01T00:00:00Z', 'yesterday', '');
  else if (type === 'IntOrString') good = fc.oneof(fc.integer(), fc.string({ maxLength: 6 }));
  else {
    const fields = fieldSchema()[type];
    if (!fields || depth > 5) good = anyJson;
    else {
      const entries = Object.entries(fields);
      good = fc.subarray(entries, { maxLength: Math.min(6, entries.length) }).chain((chosen) =>
        fc
          .record({
            known: fc.tuple(...chosen.map(([name, t]) => valueFor(t, depth + 1).map((v) => [name, v] as const))),
            unknown: fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 8 }), anyJson), { nil: undefined, freq: 4 }),
          })
          .map(({ known, unknown }) => Object.fromEntries([...known, ...(unknown ? [unknown] : [])])),
      );
    }
  }
  return fc.oneof({ arbitrary: good, weight: 8 }, { arbitrary: wrong, weight: 1 });
}

const kinds = resources.filter((r) => r.verbs.includes('create'));
const namespacedKinds = kinds.filter((r) => r.namespaced);
const valid: Record<string, () => Record<string, unknown>> = {
  Pod: () => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', labels: { app: 'x' } },
    spec: { containers: [{ name: 'c', image: 'busybox:1.36', ports: [{ containerPort: 80 }] }], tolerations: [{ key: 'k', operator: 'Exists' }] },
  }),
  Secret: () => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, type: 'Opaque', data: { k: 'dmFsdWU=' } }),
  RoleBinding: () => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'rb' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'User', name: 'admin2' }],
  }),
  Role: () => ({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] }),
  Event: () => ({ apiVersion: 'v1', kind: 'Event', metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'p' }, reason: 'R', message: 'm' }),
};

/** A valid object with one thing changed: a field set to junk, removed, or the text cut, nested or repeated. */
function mutated(kind: string): fc.Arbitrary<string> {
  const base = valid[kind] ?? valid['Pod']!;
  return fc
    .tuple(fc.array(fc.string({ maxLength: 12 }), { minLength: 1, maxLength: 4 }), anyJson, fc.nat(), fc.constantFrom('set', 'delete', 'truncate', 'duplicate', 'nest'))
    .map(([path, junk, n, how]) => {
      const object = base();
      const text = JSON.stringify(object);
      if (how === 'truncate') return text.slice(0, n % text.length);
      // junk as text without String(): a generated object may have its own toString/valueOf
      if (how === 'duplicate') return text.replace('"metadata":{', `"metadata":{"name":${JSON.stringify(JSON.stringify(junk) ?? 'undefined')},`);
      if (how === 'nest') return text.replace('"metadata"', `"x":${'['.repeat(9_990 + (n % 20))}${']'.repeat(9_990 + (n % 20))},"metadata"`);
      let node: Record<string, unknown> = object;
      const keys = [...Object.keys(object), ...path];
      for (const key of path.slice(0, -1)) {
        const next = node[key] ?? node[keys[n % keys.length]!];
        if (typeof next !== 'object' || next === null) break;
        node = next as Record<string, unknown>;
      }
      const last = path[path.length - 1]!;
      const target = Object.keys(node)[n % Math.max(1, Object.keys(node).length)] ?? last;
      if (how === 'delete') delete node[target];
      else node[n % 2 === 0 ? target : last] = junk;
      return JSON.stringify(object);
    });
}

interface FuzzRequest {
  user: 'admin1' | 'admin2' | 'anonymous';
  method: string;
  path: string;
  body?: string;
  headers: Record<string, string>;
}

function requestArbitrary(): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      user: fc.constantFrom('admin1', 'admin2', 'admin2', 'admin2', 'admin2', 'anonymous'),
      // Mostly what a tenant may write (namespaced kinds); cluster-scoped ones are a tenant's 403.
      resource: fc.constantFrom(...namespacedKinds, ...namespacedKinds, ...namespacedKinds, ...kinds),
      namespace: fc.constantFrom('tenant-a', 'tenant-b', 'tenant-b', 'tenant-b', 'tenant-b', 'default'),
      name: fc.constantFrom('p', 's', 'rb', 'r', 'e', 'image-pull-secret-1', 'default', 'x%2Fy'),
      method: fc.constantFrom('POST', 'POST', 'POST', 'PUT', 'PATCH', 'GET', 'GET', 'DELETE'),
      patchType: fc.constantFrom('application/merge-patch+json', 'application/strategic-merge-patch+json', 'application/json-patch+json'),
      yaml: fc.boolean(),
      query: fc.subarray([
        'fieldValidation=Strict',
        'fieldValidation=Ignore',
        'fieldValidation=Bogus',
        'dryRun=All',
        'watch=true&timeoutSeconds=1',
        'labelSelector=a%3Db',
        'limit=1',
      ]),
      source: fc.constantFrom('schema', 'mutation', 'mutation'),
    })
    .chain((r) => {
      const body =
        r.source === 'schema'
          ? valueFor(modelNameForKind(r.resource.kind), 0).map((v) =>
              JSON.stringify(
                typeof v === 'object' && v !== null && !Array.isArray(v) ? { apiVersion: r.resource.group ? `${r.resource.group}/v1` : 'v1', kind: r.resource.kind, ...v } : v,
              ),
            )
          : mutated(r.resource.kind);
      return body.map((text): FuzzRequest => {
        const prefix = r.resource.group === '' ? '/api/v1' : `/apis/${r.resource.group}/${r.resource.version}`;
        const collection = r.resource.namespaced ? `${prefix}/namespaces/${r.namespace}/${r.resource.resource}` : `${prefix}/${r.resource.resource}`;
        const withName = r.method === 'POST' ? collection : `${collection}/${r.name}`;
        const path = `${r.method === 'GET' && r.query.some((q) => q.startsWith('watch')) ? collection : withName}${r.query.length ? `?${r.query.join('&')}` : ''}`;
        const sendsBody = r.method === 'POST' || r.method === 'PUT' || r.method === 'PATCH';
        const contentType = r.method === 'PATCH' ? r.patchType : r.yaml ? 'application/yaml' : 'application/json';
        return { user: r.user, method: r.method, path, ...(sendsBody ? { body: text } : {}), headers: sendsBody ? { 'Content-Type': contentType } : {} };
      });
    });
}

// ---------------------------------------------------------------------------------------------

describe('fuzz: the embedded API server', () => {
  let api: ApiServer;
  let clients: Record<FuzzRequest['user'], RawClient>;
  const quota = 48 * 1024 * 1024;
  beforeAll(async () => {
    api = await startApiServer({ admissionPlugins: admissionPluginsFor(['AlwaysPullImages']), storeLimits: { quotaBytes: quota } });
    const token = (n: string) => api.users.find((u) => u.name === n)!.token;
    clients = {
      admin1: rawClient(api.url, api.caPem, token('admin1')),
      admin2: rawClient(api.url, api.caPem, token('admin2')),
      anonymous: rawClient(api.url, api.caPem, undefined),
    };
    const planted = await clients.admin1(
      'POST',
      '/api/v1/namespaces/tenant-a/secrets',
      JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'marker', labels: { marker } }, data: { marker: markerBase64 } }),
    );
    expect(planted.code).toBe(201);
  });
  afterAll(async () => {
    await api?.close();
  });

  /** A RoleBinding in tenant-a that could name admin2 (as the user, or through a group). */
  async function tenantAGrantsAdmin2(): Promise<boolean> {
    const list = await clients.admin1('GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/tenant-a/rolebindings');
    const items = (JSON.parse(list.body) as { items?: { subjects?: ({ kind?: string; name?: string } | null)[] | null }[] }).items ?? [];
    return items.some((b) => (b.subjects ?? []).some((s) => s?.kind === 'Group' || (s?.kind === 'User' && s.name === 'admin2')));
  }

  it(
    `answers every generated request within the documented codes (seed ${seed})`,
    async () => {
      let requests = 0;
      const codes = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(requestArbitrary(), async (r) => {
          const reply = await clients[r.user](r.method, r.path, r.body, r.headers).catch((e: Error) => ({ code: -1, headers: {}, body: e.message }));
          requests++;
          codes.set(reply.code, (codes.get(reply.code) ?? 0) + 1);
          if (reply.code === -1) return; // a connection the server closed after answering 413 early
          if (reply.code >= 500) {
            const message = (JSON.parse(reply.body) as { message?: string }).message ?? '';
            expect(documented5xx, `${r.method} ${r.path} → ${reply.code} ${reply.body.slice(0, 300)}`).toContain(message);
          }
          const readMarker = reply.body.includes(marker) || reply.body.includes(markerBase64);
          const intoTenantA = r.path.includes('/namespaces/tenant-a/') && reply.code !== 400 && reply.code !== 403;
          // admin1 may bind a role in tenant-a to admin2 (its Role includes rbac's bind, as upstream's admin does):
          // then admin2's access is granted, not a leak
          if (r.user === 'admin2' && (readMarker || intoTenantA) && !(await tenantAGrantsAdmin2())) {
            expect(readMarker, `admin2 read tenant-a's marker: ${r.method} ${r.path}`).toBe(false);
            expect(reply.code, `${r.method} ${r.path}`).toBe(403);
          }
        }),
        { seed, numRuns: 1_000_000, interruptAfterTimeLimit: (seconds * 1000 * 2) / 3, markInterruptAsFailure: false, endOnFailure: true },
      );
      console.log(
        `apiserver fuzz: seed ${seed}, ${requests} requests, codes ${[...codes]
          .sort(([a], [b]) => a - b)
          .map(([c, n]) => `${c}:${n}`)
          .join(' ')}`,
      );
      expect(requests).toBeGreaterThan(50);
      // Still serving, and within its limits.
      expect((await clients.admin1('GET', '/api/v1/namespaces/tenant-a/secrets/marker')).code).toBe(200);
      expect((await clients.anonymous('GET', '/healthz')).code).toBe(200);
      expect(api.store.bytesUsed()).toBeLessThanOrEqual(quota);
      expect(process.memoryUsage().heapUsed).toBeLessThan(1.5 * 1024 * 1024 * 1024);
    },
    (seconds + 60) * 1000,
  );
});

describe('fuzz: the registry', () => {
  let lab: TestRegistry;
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 4 });
  beforeAll(async () => {
    lab = await startTestRegistry('basic', { limits: { maxBlobBytes: 1024 * 1024, maxManifestBytes: 64 * 1024, maxUploadSessions: 8, uploadSessionTtlMs: 1000 } });
  });
  afterAll(() => lab?.registry.close());

  const raw = (method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<{ status: number; body: Buffer }> => {
    const [host, port] = lab.registry.host.split(':');
    return new Promise((resolve) => {
      // a body goes framed (Content-Length), as every real client frames it: Node sends an unframed GET/DELETE body
      // raw, and the kept-alive socket then reads it as the next request (the final check's 400, seed 1038198266)
      const framed = body ? { ...headers, 'Content-Length': String(body.length) } : headers;
      const req = httpRequest({ host, port: Number(port), method, path, headers: framed, agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
        res.on('error', () => resolve({ status: -1, body: Buffer.alloc(0) }));
      });
      req.on('error', () => resolve({ status: -1, body: Buffer.alloc(0) }));
      req.end(body);
    });
  };

  it(
    `answers every generated request with a spec status (seed ${seed})`,
    async () => {
      let requests = 0;
      const segment = fc.oneof(
        fc.constantFrom(
          'v2',
          'secure',
          'public',
          'app',
          'hello',
          'manifests',
          'blobs',
          'uploads',
          'tags',
          'list',
          '..',
          '%2F',
          '%zz',
          'sha256:' + '0'.repeat(64),
          '1',
          'latest',
          '',
        ),
        fc.string({ maxLength: 8 }),
      );
      const arbitrary = fc.record({
        method: fc.constantFrom('GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'),
        path: fc.array(segment, { minLength: 1, maxLength: 7 }).map((s) => `/${s.join('/')}`.replace(/[^\x21-\x7e]/g, (c) => encodeURIComponent(c))),
        query: fc.option(fc.constantFrom('?digest=sha256:' + '1'.repeat(64), '?n=-1', '?last=%zz', '?mount=x&from=secure/app', '?service=x&scope=repository:secure/app:pull'), {
          nil: '',
        }),
        auth: fc.constantFrom('none', 'pusher', 'admin1', 'garbage'),
        body: fc.option(fc.uint8Array({ maxLength: 2048 }), { nil: undefined }),
        contentType: fc.constantFrom('application/vnd.oci.image.manifest.v1+json', 'application/octet-stream', 'application/json', ''),
      });
      let requestsFailed = 0;
      await fc.assert(
        fc.asyncProperty(arbitrary, async (r) => {
          const auth = r.auth === 'pusher' ? basic(lab.users.pusher) : r.auth === 'admin1' ? basic(lab.users.admin1) : r.auth === 'garbage' ? 'Basic !!!' : undefined;
          const headers: Record<string, string> = { ...(auth ? { Authorization: auth } : {}), ...(r.contentType ? { 'Content-Type': r.contentType } : {}) };
          const reply = await raw(
            r.method,
            `${r.path.startsWith('/v2') || r.path.startsWith('/token') ? '' : '/v2'}${r.path}${r.query}`,
            headers,
            r.body ? Buffer.from(r.body) : undefined,
          );
          requests++;
          if (reply.status === -1) requestsFailed++;
          expect(reply.status, `${r.method} ${r.path}${r.query}`).toBeLessThan(500);
        }),
        { seed, numRuns: 1_000_000, interruptAfterTimeLimit: (seconds * 1000) / 3, markInterruptAsFailure: false, endOnFailure: true },
      );
      console.log(`registry fuzz: seed ${seed}, ${requests} requests (${requestsFailed} connections closed by the server)`);
      expect(requests).toBeGreaterThan(50);
      const check = await raw('GET', '/v2/', { Authorization: basic(lab.users.pusher) });
      expect(check.status).toBe(200);
      expect(lab.registry.storage.uploadCount).toBeLessThanOrEqual(8);
    },
    (seconds + 60) * 1000,
  );
});
