import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { parseDockerConfigJson } from '../registry/docker-config.js';
import { LAB_NAMESPACE } from './names.js';
import { PULL_SECRET_NAME, TENANT_A, TENANT_B, clusterEndpoint, labKubeconfig, pullSecretManifest, stageManifests, withCurrentContext } from './tenants.js';

const caPem = '-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n';
// the shape `kind get kubeconfig` prints (client certificate of kubernetes-admin)
const kindKubeconfig = stringify({
  apiVersion: 'v1',
  kind: 'Config',
  clusters: [{ name: 'kind-image-heist-none', cluster: { server: 'https://127.0.0.1:40123', 'certificate-authority-data': Buffer.from(caPem).toString('base64') } }],
  users: [{ name: 'kind-image-heist-none', user: { 'client-certificate-data': 'x', 'client-key-data': 'y' } }],
  contexts: [{ name: 'kind-image-heist-none', context: { cluster: 'kind-image-heist-none', user: 'kind-image-heist-none' } }],
  'current-context': 'kind-image-heist-none',
});

describe('lab kubeconfig from ServiceAccount tokens', () => {
  const endpoint = clusterEndpoint(kindKubeconfig);
  const tokens = { admin: 'tok-admin', admin1: 'tok-admin1', admin2: 'tok-admin2' };
  const text = labKubeconfig(endpoint, tokens, 'image-heist-none');

  it('takes server and CA from kind kubeconfig', () => {
    expect(endpoint).toEqual({ server: 'https://127.0.0.1:40123', caPem });
    expect(() => clusterEndpoint('clusters: []')).toThrow(/no server or CA/);
  });

  it('has contexts admin, admin1 and admin2 with their own tokens and namespaces, admin current, and no client certificate', () => {
    const kc = new KubeConfig();
    kc.loadFromString(text);
    expect(kc.getCurrentContext()).toBe('admin');
    expect(kc.getContexts().map((c) => [c.name, c.namespace])).toEqual([
      ['admin', undefined],
      ['admin1', TENANT_A],
      ['admin2', TENANT_B],
    ]);
    expect(kc.getUsers().map((u) => [u.name, u.token])).toEqual([
      ['admin', 'tok-admin'],
      ['admin1', 'tok-admin1'],
      ['admin2', 'tok-admin2'],
    ]);
    expect(kc.getCurrentCluster()?.server).toBe('https://127.0.0.1:40123');
    expect(Buffer.from(kc.getCurrentCluster()!.caData!, 'base64').toString()).toBe(caPem);
    expect(text).not.toMatch(/client-certificate|client-key/);
  });

  it('switches the current context per user, and only to a lab user', () => {
    const kc = new KubeConfig();
    kc.loadFromString(withCurrentContext(text, 'admin2'));
    expect(kc.getCurrentContext()).toBe('admin2');
    expect(kc.getCurrentUser()?.token).toBe('tok-admin2');
    expect(() => withCurrentContext(text, 'root' as never)).toThrow(/no context root/);
  });
});

describe('stage manifests', () => {
  const objects = stageManifests() as unknown as { kind: string; metadata: { name: string; namespace?: string }; roleRef?: { name: string }; subjects?: { kind: string; name: string; namespace: string }[] }[];

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
    const order = objects.map((o) => (o.kind === 'Namespace' ? `ns:${o.metadata.name}` : o.metadata.namespace ?? ''));
    for (const ns of [LAB_NAMESPACE, TENANT_A, TENANT_B]) expect(order.indexOf(`ns:${ns}`)).toBeLessThan(order.indexOf(ns));
  });

  it('ImagePullSecret1 holds the login for the in-network registry host, as kubectl create secret docker-registry does', () => {
    const secret = pullSecretManifest('image-heist-registry:5000', 'admin1-abc', 'p@ss') as unknown as { type: string; metadata: { name: string; namespace: string }; data: Record<string, string> };
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    expect(secret.metadata).toEqual({ name: PULL_SECRET_NAME, namespace: TENANT_A });
    const config = parseDockerConfigJson(Buffer.from(secret.data['.dockerconfigjson']!, 'base64'));
    expect(Object.keys(config)).toEqual(['image-heist-registry:5000']);
    expect(config['image-heist-registry:5000']).toMatchObject({ username: 'admin1-abc', password: 'p@ss' });
  });
});
