// The one stage and reset, against a real API server (the embedded one, through client-node over HTTPS).
import { createServer, connect, type AddressInfo } from 'node:net';
import { CoreV1Api, KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { scenarioPolicyManifests } from './admission-policies.js';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionPluginsFor } from '../embedded/apiserver/admission.js';
import { startApiServer, type ApiServer } from '../embedded/apiserver/server.js';
import { parseDockerConfigJson } from '../registry/docker-config.js';
import {
  LAB_NAMESPACE,
  PULL_SECRET_NAME,
  TENANT_A,
  TENANT_B,
  admissionPolicyManifests,
  applyManifests,
  pullSecretManifest,
  resetStage,
  serviceAccountManifests,
  serviceAccountSubject,
  tenantManifests,
  userSubject,
  waitForAdmissionPolicies,
} from './stage.js';

describe('stage manifests', () => {
  const objects = [...serviceAccountManifests(), ...tenantManifests('none', serviceAccountSubject)] as unknown as {
    kind: string;
    metadata: { name: string; namespace?: string };
    roleRef?: { name: string };
    subjects?: { kind: string; name: string; namespace: string }[];
  }[];

  it('binds admin to cluster-admin and each tenant admin in its own namespace only', () => {
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding');
    const who = (name: string) => bindings.filter((b) => b.subjects?.some((s) => s.kind === 'ServiceAccount' && s.name === name && s.namespace === LAB_NAMESPACE));
    expect(who('admin').map((b) => [b.kind, b.roleRef?.name])).toEqual([['ClusterRoleBinding', 'cluster-admin']]);
    expect(who('admin1').map((b) => [b.kind, b.metadata.namespace])).toEqual([['RoleBinding', TENANT_A]]);
    expect(who('admin2').map((b) => [b.kind, b.metadata.namespace])).toEqual([['RoleBinding', TENANT_B]]);
    expect(objects.filter((o) => o.kind === 'ServiceAccount').map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([
      `${LAB_NAMESPACE}/admin`,
      `${LAB_NAMESPACE}/admin1`,
      `${LAB_NAMESPACE}/admin2`,
    ]);
    // namespaces come before what lives in them, so a server-side apply in order succeeds
    const order = objects.map((o) => (o.kind === 'Namespace' ? `ns:${o.metadata.name}` : (o.metadata.namespace ?? '')));
    for (const ns of [LAB_NAMESPACE, TENANT_A, TENANT_B]) expect(order.indexOf(`ns:${ns}`)).toBeLessThan(order.indexOf(ns));
  });

  it('ImagePullSecret1 holds the login for the in-network registry host, as kubectl create secret docker-registry does', () => {
    const secret = pullSecretManifest('image-heist-registry:5000', 'admin1-abc', 'p@ss') as unknown as {
      type: string;
      metadata: { name: string; namespace: string };
      data: Record<string, string>;
    };
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    expect(secret.metadata).toEqual({ name: PULL_SECRET_NAME, namespace: TENANT_A });
    const config = parseDockerConfigJson(Buffer.from(secret.data['.dockerconfigjson']!, 'base64'));
    expect(Object.keys(config)).toEqual(['image-heist-registry:5000']);
    expect(config['image-heist-registry:5000']).toMatchObject({ username: 'admin1-abc', password: 'p@ss' });
  });
});

describe('the stage and the reset through the API', () => {
  let api: ApiServer;
  let admin: string;
  let core: CoreV1Api;
  const pullSecret = pullSecretManifest('127.0.0.1:5000', 'admin1-abc', 'p@ss');

  beforeAll(async () => {
    api = await startApiServer({ admissionPlugins: [], tenants: [] });
    const config = parse(api.kubeconfig()) as Record<string, unknown>;
    config['current-context'] = 'admin';
    admin = stringify(config);
    const kc = new KubeConfig();
    kc.loadFromString(admin);
    core = kc.makeApiClient(CoreV1Api);
  });
  afterAll(async () => {
    await api?.close();
  });

  it('sets the stage, twice without error, and Admin2 is bound in tenant-b only', async () => {
    const stage = [...tenantManifests('none', userSubject), pullSecret];
    await applyManifests(admin, stage);
    await applyManifests(admin, stage);
    const names = (await core.listNamespace()).items.map((n) => n.metadata?.name);
    expect(names).toEqual(expect.arrayContaining([TENANT_A, TENANT_B]));
    expect((await core.readNamespacedSecret({ name: PULL_SECRET_NAME, namespace: TENANT_A })).type).toBe('kubernetes.io/dockerconfigjson');
  });

  it('reset removes pods, extra secrets and service accounts and added pull secrets, and restores ImagePullSecret1', async () => {
    const pod = (name: string, namespace: string) => ({ metadata: { name, namespace }, spec: { containers: [{ name: 'c', image: '127.0.0.1:5000/public/hello:1' }] } });
    await core.createNamespacedPod({ namespace: TENANT_A, body: pod('pod1', TENANT_A) });
    await core.createNamespacedPod({ namespace: TENANT_B, body: pod('pod2', TENANT_B) });
    await core.createNamespacedSecret({ namespace: TENANT_B, body: { metadata: { name: 'stolen' }, type: 'Opaque', stringData: { a: 'b' } } });
    await core.createNamespacedServiceAccount({ namespace: TENANT_B, body: { metadata: { name: 'extra' } } });
    await core.deleteNamespacedSecret({ name: PULL_SECRET_NAME, namespace: TENANT_A });
    await core.createNamespacedSecret({ namespace: TENANT_A, body: { metadata: { name: PULL_SECRET_NAME }, type: 'Opaque', stringData: { tampered: 'yes' } } });

    await resetStage(admin, { profile: 'none', pullSecret });

    for (const ns of [TENANT_A, TENANT_B]) expect((await core.listNamespacedPod({ namespace: ns })).items).toEqual([]);
    expect((await core.listNamespacedSecret({ namespace: TENANT_B })).items.map((s) => s.metadata?.name)).not.toContain('stolen');
    expect((await core.listNamespacedServiceAccount({ namespace: TENANT_B })).items.map((s) => s.metadata?.name)).not.toContain('extra');
    const restored = await core.readNamespacedSecret({ name: PULL_SECRET_NAME, namespace: TENANT_A });
    expect(restored.type).toBe('kubernetes.io/dockerconfigjson');
    expect(Object.keys(parseDockerConfigJson(Buffer.from(restored.data!['.dockerconfigjson']!, 'base64')))).toEqual(['127.0.0.1:5000']);
  });
  it('a reset cut short by lost connections runs again and completes (a kind API server restarting under load)', async () => {
    const kubeconfig = parse(admin) as { clusters: { cluster: { server: string } }[] };
    const upstream = Number(new URL(kubeconfig.clusters[0]!.cluster.server).port);
    // a TCP proxy that drops the first connections, as a kube-apiserver going down and coming back does
    let drops = 3;
    const proxy = createServer((socket) => {
      if (drops-- > 0) return void socket.destroy();
      const up = connect(upstream, '127.0.0.1');
      socket.pipe(up).pipe(socket);
      up.on('error', () => socket.destroy());
      socket.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      for (const c of kubeconfig.clusters) c.cluster.server = `https://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      await core.createNamespacedPod({ namespace: TENANT_B, body: { metadata: { name: 'late' }, spec: { containers: [{ name: 'c', image: '127.0.0.1:5000/public/hello:1' }] } } });
      await resetStage(stringify(kubeconfig), { profile: 'none', pullSecret });
      expect(drops).toBeLessThan(0);
      expect((await core.listNamespacedPod({ namespace: TENANT_B })).items).toEqual([]);
    } finally {
      proxy.close();
    }
  });
  it("reset removes the policies and RBAC a scenario applied, keeps the profile's, and restores the tenant namespaces' labels", async () => {
    await applyManifests(admin, admissionPolicyManifests('validating-admission-policy'));
    await applyManifests(admin, [...scenarioPolicyManifests('gap-containers-only'), ...scenarioPolicyManifests('gap-tenants-may-label-namespaces')]);
    const ns = await core.readNamespace({ name: TENANT_B });
    await core.replaceNamespace({ name: TENANT_B, body: { ...ns, metadata: { ...ns.metadata, labels: { ...ns.metadata?.labels, 'lab.example/exempt': 'true' } } } });
    const objects = KubernetesObjectApi.makeApiClient(
      (() => {
        const kc = new KubeConfig();
        kc.loadFromString(admin);
        return kc;
      })(),
    );
    const names = async (kind: string, apiVersion = 'admissionregistration.k8s.io/v1') => (await objects.list(apiVersion, kind)).items.map((o) => o.metadata?.name);
    expect(await names('ValidatingAdmissionPolicy')).toEqual(expect.arrayContaining(['require-imagepullpolicy-always.image-heist.lab', 'gap-containers-only.image-heist.lab']));

    await resetStage(admin, { profile: 'none', pullSecret });

    expect(await names('ValidatingAdmissionPolicy')).toEqual(['require-imagepullpolicy-always.image-heist.lab']);
    expect(await names('ValidatingAdmissionPolicyBinding')).toEqual(['require-imagepullpolicy-always.image-heist.lab']);
    expect(await names('ClusterRoleBinding', 'rbac.authorization.k8s.io/v1')).not.toContain('gap-tenant-b-namespace-labels.image-heist.lab');
    expect((await core.readNamespace({ name: TENANT_B })).metadata?.labels).toEqual({ 'kubernetes.io/metadata.name': TENANT_B });
  });
  it('waits until the profile’s policies are in force, and says so when they never are', async () => {
    // a server with the default admission chain (the policy plugins are in it), as the labs run
    const server = await startApiServer({ admissionPlugins: admissionPluginsFor([]), tenants: [] });
    const config = parse(server.kubeconfig()) as Record<string, unknown>;
    config['current-context'] = 'admin';
    const admin = stringify(config);
    await applyManifests(admin, [...tenantManifests('none', userSubject), ...admissionPolicyManifests('validating-admission-policy')]);
    await waitForAdmissionPolicies(admin, 'validating-admission-policy', '127.0.0.1:5000/public/hello:1');
    await waitForAdmissionPolicies(admin, 'none', 'never-asked'); // no policies: nothing to wait for
    const objects = KubernetesObjectApi.makeApiClient(
      (() => {
        const kc = new KubeConfig();
        kc.loadFromString(admin);
        return kc;
      })(),
    );
    await objects.delete({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name: 'require-imagepullpolicy-always.image-heist.lab' },
    });
    await expect(waitForAdmissionPolicies(admin, 'validating-admission-policy', '127.0.0.1:5000/public/hello:1', 600)).rejects.toThrow(
      "the validating-admission-policy profile's admission policies were not in force after 1 s",
    );
    await server.close();
  });
});
