// Issue 13's reproductions, as admin2 (namespace admin of tenant-b only) would send them: each answers as
// kube-apiserver v1.36 does, and the server keeps serving everyone afterwards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManualClock, type ManualClock } from '../src/embedded/clock.js';
import { admissionPluginsFor, startApiServer, type ApiServer } from '../src/embedded/apiserver/server.js';
import { findResource } from '../src/embedded/apiserver/resources.js';
import { rawClient, statusOf, type RawClient } from './support/api-client.js';

let api: ApiServer;
let clock: ManualClock;
let admin: RawClient;
let admin1: RawClient;
let admin2: RawClient;
let anonymous: RawClient;
const quota = 24 * 1024 * 1024;

const pod = (name: string, spec: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }], ...spec }, ...extra });

beforeAll(async () => {
  clock = createManualClock({ start: Date.parse('2026-12-07T00:00:00Z') });
  api = await startApiServer({ admissionPlugins: admissionPluginsFor([]), clock, storeLimits: { quotaBytes: quota } });
  const token = (name: string) => api.users.find((u) => u.name === name)!.token;
  admin = rawClient(api.url, api.caPem, token('admin'));
  admin1 = rawClient(api.url, api.caPem, token('admin1'));
  admin2 = rawClient(api.url, api.caPem, token('admin2'));
  anonymous = rawClient(api.url, api.caPem, undefined);
});
afterAll(async () => {
  await api?.close();
  clock?.dispose();
});

describe('1. a tenant cannot exhaust the store', () => {
  it("900 KiB secrets are refused with etcd's quota error once the quota is reached; deletes give the space back", async () => {
    const data = Buffer.alloc(900 * 1024, 7).toString('base64');
    const base = api.store.bytesUsed();
    let created = 0;
    let refused: ReturnType<typeof statusOf> | undefined;
    for (let i = 0; i < 100 && !refused; i++) {
      const reply = await admin2(
        'POST',
        '/api/v1/namespaces/tenant-b/secrets',
        JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: `s${i}` }, data: { d: data } }),
      );
      if (reply.code === 201) created++;
      else refused = statusOf(reply);
    }
    // kube-apiserver passes etcd's error on as a 500 without a reason (kubernetes/kubernetes#112152).
    expect(refused).toEqual({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'etcdserver: mvcc: database space exceeded', code: 500 });
    expect(created).toBeGreaterThan(10);
    expect(api.store.bytesUsed()).toBeLessThanOrEqual(quota);
    expect((await admin1('GET', '/api/v1/namespaces/tenant-a/secrets')).code).toBe(200);
    expect((await admin2('DELETE', '/api/v1/namespaces/tenant-b/secrets')).code).toBe(200);
    expect(api.store.bytesUsed()).toBe(base);
    expect(
      (await admin2('POST', '/api/v1/namespaces/tenant-b/secrets', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'after' }, data: { d: data } }))).code,
    ).toBe(201);
  });

  it('an object larger than etcd takes is refused as etcd refuses it', async () => {
    const labels = Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, 'v']));
    const reply = await admin2('POST', '/api/v1/namespaces/tenant-b/pods', pod('big', {}, { metadata: { name: 'big', labels } }));
    expect(statusOf(reply)).toMatchObject({ code: 500, message: 'etcdserver: request is too large' });
    expect((await admin1('GET', '/api/v1/namespaces/tenant-a/pods')).code).toBe(200);
  });
});

describe('2. one bad RoleBinding cannot lock a namespace', () => {
  it('subjects:[null] is 422 as upstream, and tenant-b keeps working for everyone', async () => {
    const reply = await admin2(
      'POST',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/tenant-b/rolebindings',
      JSON.stringify({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'bad' },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'tenant-admin' },
        subjects: [null],
      }),
    );
    const s = statusOf(reply);
    expect(s.code).toBe(422);
    expect(s.message).toBe(
      'RoleBinding.rbac.authorization.k8s.io "bad" is invalid: [subjects[0].name: Required value, subjects[0].kind: Unsupported value: "": supported values: "ServiceAccount", "User", "Group"]',
    );
    expect((await admin2('GET', '/api/v1/namespaces/tenant-b/pods')).code).toBe(200);
  });

  it('the authorizer ignores a malformed binding that reached the store some other way', async () => {
    const rolebindings = findResource('rbac.authorization.k8s.io', 'v1', 'rolebindings')!;
    api.store.create(rolebindings, { metadata: { name: 'junk', namespace: 'tenant-b' }, roleRef: null, subjects: [null, 1, { kind: 7 }] } as never);
    api.store.create(rolebindings, {
      metadata: { name: 'junk2', namespace: 'tenant-b' },
      roleRef: { kind: 'Role', name: 'tenant-admin' },
      subjects: [null, { kind: 'User', name: 'admin1' }],
    } as never);
    expect((await admin2('GET', '/api/v1/namespaces/tenant-b/pods')).code).toBe(200);
    expect((await admin('DELETE', '/apis/rbac.authorization.k8s.io/v1/namespaces/tenant-b/rolebindings/junk')).code).toBe(200);
    expect((await admin('DELETE', '/apis/rbac.authorization.k8s.io/v1/namespaces/tenant-b/rolebindings/junk2')).code).toBe(200);
  });

  it('roleRef and rules are validated as upstream', async () => {
    const binding = (roleRef: unknown) =>
      admin2(
        'POST',
        '/apis/rbac.authorization.k8s.io/v1/namespaces/tenant-b/rolebindings',
        JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'r' }, roleRef, subjects: [{ kind: 'User', name: 'x' }] }),
      );
    expect(statusOf(await binding({ kind: 'Secret', name: 'x' })).message).toBe(
      'RoleBinding.rbac.authorization.k8s.io "r" is invalid: roleRef.kind: Unsupported value: "Secret": supported values: "Role", "ClusterRole"',
    );
    expect(statusOf(await binding(null)).message).toContain('roleRef.name: Required value');
    const role = await admin2(
      'POST',
      '/apis/rbac.authorization.k8s.io/v1/namespaces/tenant-b/roles',
      JSON.stringify({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r' }, rules: [null] }),
    );
    expect(statusOf(role).message).toBe(
      'Role.rbac.authorization.k8s.io "r" is invalid: [rules[0].verbs: Required value: verbs must contain at least one value, rules[0].apiGroups: Required value: resource rules must supply at least one api group, rules[0].resources: Required value: resource rules must supply at least one resource]',
    );
  });
});

describe("3. bodies are decoded against the kind's types", () => {
  const cases: [string, string, string][] = [
    [
      'ports:"x"',
      pod('p', { containers: [{ name: 'c', image: 'i', ports: 'x' }] }),
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field Container.spec.containers.ports of type []v1.ContainerPort',
    ],
    [
      'imagePullSecrets:[1]',
      pod('p', { imagePullSecrets: [1] }),
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field PodSpec.spec.imagePullSecrets of type v1.LocalObjectReference',
    ],
    [
      'containers:"x"',
      pod('p', { containers: 'x' }),
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field PodSpec.spec.containers of type []v1.Container',
    ],
    [
      'metadata.name:1',
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 1 } }),
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string',
    ],
    [
      'containerPort:1.5',
      pod('p', { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 1.5 }] }] }),
      'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal number 1.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    ],
    [
      'apiVersion:1',
      '{"apiVersion":1,"kind":"Pod","metadata":{"name":"p"}}',
      'the object provided is unrecognized (must be of type Pod): couldn\'t get version/kind; json parse error: json: cannot unmarshal number into Go struct field .apiVersion of type string ({"apiVersion":1,"kind":"Pod"," ...)',
    ],
  ];
  for (const [label, body, message] of cases) {
    it(`${label} is 400 with Go's unmarshal wording`, async () => {
      const s = statusOf(await admin2('POST', '/api/v1/namespaces/tenant-b/pods?fieldValidation=Strict', body));
      expect(s).toMatchObject({ code: 400, reason: 'BadRequest', message });
    });
  }

  it("a secret whose data is not base64 is 400 as Go's base64 decoder says", async () => {
    const s = statusOf(
      await admin2('POST', '/api/v1/namespaces/tenant-b/secrets', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b64' }, data: { k: 'no!' } })),
    );
    expect(s).toMatchObject({ code: 400, message: 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 2' });
  });

  it('null list elements become zero values, which validation refuses (422, never 500)', async () => {
    const containers = statusOf(await admin2('POST', '/api/v1/namespaces/tenant-b/pods', pod('p', { containers: [null] })));
    expect(containers.code).toBe(422);
    expect(containers.message).toContain('spec.containers[0].name: Required value');
    const tolerations = statusOf(await admin2('POST', '/api/v1/namespaces/tenant-b/pods', pod('p', { tolerations: [null] })));
    expect(tolerations.code).toBe(422);
    expect(tolerations.message).toContain(
      'spec.tolerations[0].operator: Invalid value: "": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    );
  });

  it("nesting deeper than Go's 10000 is 400; 10000 deep is read", async () => {
    const deep = (n: number) => `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"deep"},"x":${'['.repeat(n)}${']'.repeat(n)}}`;
    const tooDeep = statusOf(await admin2('POST', '/api/v1/namespaces/tenant-b/pods', deep(10_000)));
    expect(tooDeep).toMatchObject({ code: 400, message: expect.stringContaining("json parse error: invalid character '[' exceeded max depth") });
    // 9998 arrays + the root object = 9999 levels: valid JSON; the unknown field is then dropped (Warn).
    expect((await admin2('POST', '/api/v1/namespaces/tenant-b/pods?dryRun=All', deep(9_998))).code).toBe(422);
  });

  it('duplicate keys are a strict decoding error', async () => {
    const body = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"dup","name":"dup2"},"spec":{"containers":[{"name":"c","image":"i"}]}}';
    const strict = statusOf(await admin2('POST', '/api/v1/namespaces/tenant-b/pods?fieldValidation=Strict&dryRun=All', body));
    expect(strict).toMatchObject({ code: 400, message: 'Pod in version "v1" cannot be handled as a Pod: strict decoding error: duplicate field "metadata.name"' });
    const warn = await admin2('POST', '/api/v1/namespaces/tenant-b/pods?dryRun=All', body);
    expect(warn.code).toBe(201);
    expect(warn.headers['warning']).toBe('299 - "duplicate field \\"metadata.name\\""');
    expect(JSON.parse(warn.body).metadata.name).toBe('dup2');
  });

  it('a YAML alias bomb is 400 and cheap', async () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...'bcdefghi'.split('').map((l, i) => `${l}: &${l} [${Array(9).fill(`*${'abcdefghi'[i]}`).join(',')}]`)].join(
      '\n',
    );
    const s = statusOf(await admin2('POST', '/api/v1/namespaces/tenant-b/pods', bomb, { 'Content-Type': 'application/yaml' }));
    expect(s).toMatchObject({ code: 400, message: expect.stringContaining('yaml: document contains excessive aliasing') });
  });

  it("a malformed escape in the path is Go's plain 400, even unauthenticated", async () => {
    for (const client of [anonymous, admin2]) {
      const reply = await client('GET', '/api/v1/namespaces/%zz/secrets');
      expect(reply.code).toBe(400);
      expect(reply.body).toBe('400 Bad Request');
    }
  });
});

describe('5. impersonation is authorized with the impersonate verb', () => {
  it("the cluster admin may act as admin2, and then gets admin2's 403", async () => {
    const s = statusOf(await admin('GET', '/api/v1/namespaces/tenant-a/secrets', undefined, { 'Impersonate-User': 'admin2' }));
    expect(s).toMatchObject({ code: 403, message: 'secrets is forbidden: User "admin2" cannot list resource "secrets" in API group "" in the namespace "tenant-a"' });
    expect((await admin('GET', '/api/v1/namespaces/tenant-b/secrets', undefined, { 'Impersonate-User': 'admin2' })).code).toBe(200);
  });

  it('a tenant may not impersonate', async () => {
    const s = statusOf(await admin2('GET', '/api/v1/namespaces/tenant-a/secrets', undefined, { 'Impersonate-User': 'admin1' }));
    expect(s).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'users "admin1" is forbidden: User "admin2" cannot impersonate resource "users" in API group "" at the cluster scope',
    });
    const group = statusOf(await admin2('GET', '/api/v1/namespaces/tenant-a/secrets', undefined, { 'Impersonate-User': 'admin2', 'Impersonate-Group': 'system:masters' }));
    expect(group.code).toBe(403);
  });
});

describe('6. names, events, watch history', () => {
  it('generateName is filled before validation', async () => {
    const reply = await admin2(
      'POST',
      '/api/v1/namespaces/tenant-b/pods',
      JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'gen-' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } }),
    );
    expect(reply.code).toBe(201);
    expect(JSON.parse(reply.body).metadata.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('events expire one hour of lab time after their last write', async () => {
    const event = {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e1' },
      involvedObject: { kind: 'Pod', name: 'x', namespace: 'tenant-b' },
      reason: 'Test',
      message: 'm',
      type: 'Normal',
    };
    expect((await admin2('POST', '/api/v1/namespaces/tenant-b/events', JSON.stringify(event))).code).toBe(201);
    await clock.advance(59 * 60_000);
    expect((await admin2('GET', '/api/v1/namespaces/tenant-b/events/e1')).code).toBe(200);
    await clock.advance(2 * 60_000);
    expect((await admin2('GET', '/api/v1/namespaces/tenant-b/events/e1')).code).toBe(404);
  });

  it('a watch from a compacted resourceVersion gets 410 Expired', async () => {
    const first = JSON.parse((await admin2('GET', '/api/v1/namespaces/tenant-b/pods')).body).metadata.resourceVersion as string;
    await admin2('POST', '/api/v1/namespaces/tenant-b/pods', pod('w1'));
    await clock.advance(6 * 60_000); // past kube-apiserver's 5-minute compaction
    await admin2('POST', '/api/v1/namespaces/tenant-b/pods', pod('w2'));
    const reply = await admin2('GET', `/api/v1/namespaces/tenant-b/pods?watch=true&resourceVersion=${first}&timeoutSeconds=1`);
    const event = JSON.parse(reply.body.split('\n')[0]!) as { type: string; object: { code: number; reason: string } };
    expect(event).toMatchObject({ type: 'ERROR', object: { code: 410, reason: 'Expired' } });
  });
});
