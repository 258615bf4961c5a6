// The embedded API server driven through @kubernetes/client-node 1.4.0, the client the scenario
// engine uses for every backend: TLS verified against the lab CA, bearer tokens, CRUD, patches,
// watch, and errors as ApiException with the upstream Status body.
import { ApiException, CoreV1Api, KubeConfig, PatchStrategy, RbacAuthorizationV1Api, setHeaderOptions, Watch, type V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionPluginsFor, startApiServer, type ApiServer } from '../src/embedded/apiserver/server.js';

let api: ApiServer;
const clients = (context: string) => {
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfig());
  kc.setCurrentContext(context);
  return { kc, core: kc.makeApiClient(CoreV1Api), rbac: kc.makeApiClient(RbacAuthorizationV1Api) };
};

const pod = (name: string, image = 'nginx:1.13'): V1Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'app', image }] } });

/** The Status body of a failed call. */
async function statusOf(call: Promise<unknown>): Promise<{ code: number; reason?: string; message: string }> {
  try {
    await call;
  } catch (error) {
    expect(error).toBeInstanceOf(ApiException);
    const e = error as ApiException<string>;
    const body = (typeof e.body === 'string' ? JSON.parse(e.body) : e.body) as { code: number; reason?: string; message: string };
    expect(body.code).toBe(e.code);
    return body;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  api = await startApiServer({ admissionPlugins: admissionPluginsFor(['NodeRestriction']) });
});
afterAll(async () => {
  await api?.close();
});

describe('client-node against the embedded API server', () => {
  it('verifies TLS with the lab CA and refuses a client that does not trust it', async () => {
    const { core } = clients('admin');
    expect((await core.readNamespace({ name: 'tenant-a' })).status?.phase).toBe('Active');
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig().replace(/certificate-authority-data: .*/, 'certificate-authority-data: ""'));
    await expect(kc.makeApiClient(CoreV1Api).readNamespace({ name: 'tenant-a' })).rejects.toThrow(/certificate/);
  });

  it('rejects an unknown token with 401 Unauthorized', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(api.kubeconfig().replace(/token: .*/g, 'token: not-a-real-token'));
    // client-node reports 401 itself (it does not parse the Status body of a 401).
    const error = await kc
      .makeApiClient(CoreV1Api)
      .listNamespace()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    expect((error as ApiException<unknown>).code).toBe(401);
  });

  it('creates, reads and lists pods with defaults, uid, resourceVersion and generation', async () => {
    const { core } = clients('admin1');
    const created = await core.createNamespacedPod({ namespace: 'tenant-a', body: pod('web') });
    expect(created.metadata?.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(created.metadata?.generation).toBe(1);
    expect(created.spec?.containers[0]?.imagePullPolicy).toBe('IfNotPresent');
    expect(created.spec?.serviceAccountName).toBe('default');
    expect(created.status?.phase).toBe('Pending');
    const read = await core.readNamespacedPod({ name: 'web', namespace: 'tenant-a' });
    expect(read.metadata?.resourceVersion).toBe(created.metadata?.resourceVersion);
    await core.createNamespacedPod({ namespace: 'tenant-a', body: { ...pod('db'), metadata: { name: 'db', labels: { tier: 'data' } } } });
    const list = await core.listNamespacedPod({ namespace: 'tenant-a' });
    expect(list.items.map((p) => p.metadata?.name)).toEqual(['db', 'web']);
    const selected = await core.listNamespacedPod({ namespace: 'tenant-a', labelSelector: 'tier=data' });
    expect(selected.items.map((p) => p.metadata?.name)).toEqual(['db']);
    const byName = await core.listNamespacedPod({ namespace: 'tenant-a', fieldSelector: 'metadata.name=web' });
    expect(byName.items.map((p) => p.metadata?.name)).toEqual(['web']);
    expect(Number(list.metadata?.resourceVersion)).toBeGreaterThanOrEqual(Number(read.metadata?.resourceVersion));
  });

  it('answers errors with the upstream Status: NotFound, AlreadyExists, Forbidden', async () => {
    const { core } = clients('admin1');
    expect(await statusOf(core.readNamespacedPod({ name: 'x', namespace: 'tenant-a' }))).toMatchObject({ code: 404, reason: 'NotFound', message: 'pods "x" not found' });
    expect(await statusOf(core.createNamespacedPod({ namespace: 'tenant-a', body: pod('web') }))).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'pods "web" already exists',
    });
    expect(await statusOf(clients('admin2').core.listNamespacedPod({ namespace: 'tenant-a' }))).toMatchObject({
      code: 403,
      reason: 'Forbidden',
      message: 'pods is forbidden: User "admin2" cannot list resource "pods" in API group "" in the namespace "tenant-a"',
    });
  });

  it('rejects a stale update with 409 Conflict and accepts a fresh one', async () => {
    const { core } = clients('admin1');
    const first = await core.readNamespacedPod({ name: 'web', namespace: 'tenant-a' });
    const updated = await core.replaceNamespacedPod({
      name: 'web',
      namespace: 'tenant-a',
      body: { ...first, spec: { ...first.spec!, containers: [{ ...first.spec!.containers[0]!, image: 'nginx:1.14' }] } },
    });
    expect(updated.spec?.containers[0]?.image).toBe('nginx:1.14');
    expect(updated.metadata?.generation).toBe(2);
    expect(Number(updated.metadata?.resourceVersion)).toBeGreaterThan(Number(first.metadata?.resourceVersion));
    const stale = await statusOf(core.replaceNamespacedPod({ name: 'web', namespace: 'tenant-a', body: first }));
    expect(stale).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('patches with merge, JSON and strategic merge patches', async () => {
    const { core } = clients('admin1');
    const merged = await core.patchNamespacedPod(
      { name: 'web', namespace: 'tenant-a', body: { metadata: { labels: { app: 'web' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.metadata?.labels).toEqual({ app: 'web' });
    const json = await core.patchNamespacedPod(
      { name: 'web', namespace: 'tenant-a', body: [{ op: 'replace', path: '/spec/containers/0/image', value: 'nginx:1.15' }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(json.spec?.containers[0]?.image).toBe('nginx:1.15');
    const smp = await core.patchNamespacedPod(
      { name: 'web', namespace: 'tenant-a', body: { spec: { containers: [{ name: 'app', image: 'nginx:1.16' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(smp.spec?.containers.map((c) => [c.name, c.image, c.imagePullPolicy])).toEqual([['app', 'nginx:1.16', 'IfNotPresent']]);
  });

  it("copies the ServiceAccount's imagePullSecrets into new pods that name none (ServiceAccount admission)", async () => {
    const { core } = clients('admin1');
    await core.patchNamespacedServiceAccount(
      { name: 'default', namespace: 'tenant-a', body: { imagePullSecrets: [{ name: 'image-pull-secret-1' }] } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const inherited = await core.createNamespacedPod({ namespace: 'tenant-a', body: pod('inherits') });
    expect(inherited.spec?.imagePullSecrets).toEqual([{ name: 'image-pull-secret-1' }]);
    const own = await core.createNamespacedPod({ namespace: 'tenant-a', body: { ...pod('own'), spec: { ...pod('own').spec!, imagePullSecrets: [{ name: 'mine' }] } } });
    expect(own.spec?.imagePullSecrets).toEqual([{ name: 'mine' }]);
  });

  it('pods/status changes only the status; the main resource cannot change it', async () => {
    const { core } = clients('admin');
    const current = await core.readNamespacedPod({ name: 'web', namespace: 'tenant-a' });
    const running = await core.replaceNamespacedPodStatus({
      name: 'web',
      namespace: 'tenant-a',
      body: { ...current, spec: { ...current.spec!, containers: [{ name: 'app', image: 'evil:1' }] }, status: { ...current.status, phase: 'Running' } },
    });
    expect(running.status?.phase).toBe('Running');
    expect(running.spec?.containers[0]?.image).toBe(current.spec?.containers[0]?.image);
    const back = await core.replaceNamespacedPod({ name: 'web', namespace: 'tenant-a', body: { ...running, status: { phase: 'Failed' } } });
    expect(back.status?.phase).toBe('Running');
  });

  it('serves nodes and events cluster-wide to the admin', async () => {
    const { core } = clients('admin');
    await core.createNode({ body: { apiVersion: 'v1', kind: 'Node', metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' } } } });
    expect((await core.listNode()).items.map((n) => n.metadata?.name)).toEqual(['node-1']);
    await core.createNamespacedEvent({
      namespace: 'tenant-a',
      body: { metadata: { name: 'e1' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'tenant-a' }, reason: 'Pulled', type: 'Normal', message: 'ok' },
    });
    const found = await core.listEventForAllNamespaces({ fieldSelector: 'involvedObject.name=web,reason=Pulled' });
    expect(found.items.map((e) => e.metadata?.name)).toEqual(['e1']);
  });

  it('dry-run creates answer the admitted object and store nothing', async () => {
    const { core } = clients('admin1');
    const dry = await core.createNamespacedPod({ namespace: 'tenant-a', body: pod('ghost'), dryRun: 'All' });
    expect(dry.spec?.serviceAccountName).toBe('default');
    expect(await statusOf(core.readNamespacedPod({ name: 'ghost', namespace: 'tenant-a' }))).toMatchObject({ code: 404 });
  });

  it('watches: ADDED, MODIFIED and DELETED, in order, from a list resourceVersion', async () => {
    const { kc, core } = clients('admin2');
    const start = await core.listNamespacedPod({ namespace: 'tenant-b' });
    const events: string[] = [];
    const watch = new Watch(kc);
    const controller = await watch.watch(
      '/api/v1/namespaces/tenant-b/pods',
      { resourceVersion: start.metadata?.resourceVersion },
      (type, object: V1Pod) => events.push(`${type} ${object.metadata?.name}`),
      () => undefined,
    );
    await core.createNamespacedPod({ namespace: 'tenant-b', body: pod('w1') });
    await core.patchNamespacedPod({ name: 'w1', namespace: 'tenant-b', body: { metadata: { labels: { a: 'b' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await core.deleteNamespacedPod({ name: 'w1', namespace: 'tenant-b' });
    const deadline = Date.now() + 5000;
    while (events.length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    expect(events).toEqual(['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
  });

  it('serves the RBAC objects the lab starts with, and authorizes from them', async () => {
    const { rbac } = clients('admin');
    const bindings = await rbac.listNamespacedRoleBinding({ namespace: 'tenant-a' });
    expect(bindings.items.map((b) => [b.metadata?.name, b.subjects?.[0]?.name])).toEqual([['admin1-tenant-admin', 'admin1']]);
    const admins = await rbac.readClusterRoleBinding({ name: 'admin-cluster-admin' });
    expect(admins.roleRef.name).toBe('cluster-admin');
    // Deleting admin1's binding takes its rights away at once.
    await rbac.deleteNamespacedRoleBinding({ name: 'admin1-tenant-admin', namespace: 'tenant-a' });
    expect((await statusOf(clients('admin1').core.listNamespacedPod({ namespace: 'tenant-a' }))).code).toBe(403);
  });
});

describe('graceful pod deletion (for the kubelet to finish)', () => {
  let graceful: ApiServer;
  beforeAll(async () => {
    graceful = await startApiServer({ admissionPlugins: admissionPluginsFor([]), gracefulPodDeletion: true });
  });
  afterAll(async () => {
    await graceful?.close();
  });

  it('marks a pod on a node with deletionTimestamp and keeps it; unscheduled pods and grace 0 go at once', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(graceful.kubeconfig());
    const core = kc.makeApiClient(CoreV1Api);
    const onNode: V1Pod = { ...pod('bound'), spec: { ...pod('bound').spec!, nodeName: 'node-1', terminationGracePeriodSeconds: 20 } };
    await core.createNamespacedPod({ namespace: 'tenant-a', body: onNode });
    const before = Date.now();
    const answer = await core.deleteNamespacedPod({ name: 'bound', namespace: 'tenant-a' });
    expect(answer.metadata?.deletionGracePeriodSeconds).toBe(20);
    const marked = await core.readNamespacedPod({ name: 'bound', namespace: 'tenant-a' });
    const at = new Date(marked.metadata?.deletionTimestamp ?? 0).getTime();
    expect(at).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 19_000);
    // A client cannot clear it with an update.
    const cleared = await core.replaceNamespacedPod({ name: 'bound', namespace: 'tenant-a', body: { ...marked, metadata: { ...marked.metadata, deletionTimestamp: undefined } } });
    expect(cleared.metadata?.deletionTimestamp).toEqual(marked.metadata?.deletionTimestamp);
    // --grace-period=0 --force removes it; so does the kubelet with store.delete.
    await core.deleteNamespacedPod({ name: 'bound', namespace: 'tenant-a', gracePeriodSeconds: 0 });
    expect((await statusOf(core.readNamespacedPod({ name: 'bound', namespace: 'tenant-a' }))).code).toBe(404);
    await core.createNamespacedPod({ namespace: 'tenant-a', body: pod('unscheduled') });
    await core.deleteNamespacedPod({ name: 'unscheduled', namespace: 'tenant-a' });
    expect((await statusOf(core.readNamespacedPod({ name: 'unscheduled', namespace: 'tenant-a' }))).code).toBe(404);
  });
});
