import { KubeConfig } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { TENANT_A, TENANT_B } from '../lab/stage.js';
import { clusterEndpoint, labKubeconfig, withCurrentContext } from './tenants.js';

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
