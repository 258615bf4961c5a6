import { describe, expect, it } from 'vitest';
import { credentialHash } from '../../k8s/pull-manager.js';
import { RegistryClientError } from '../../registry/client.js';
import { criPullErrorMessage } from './image-puller.js';
import { lookupCredentials, podPullCredentials, type PodPullSecret } from './pull-secrets.js';

const secret = (name: string, location: string, username: string): PodPullSecret => ({
  uid: `uid-${name}`,
  namespace: 'tenant-a',
  name,
  config: { [location]: { username, password: `pw-${username}` } },
});

describe('lookupCredentials (keyring Lookup over the pod secrets)', () => {
  it('matches by registry host, most specific location first, and hashes what the keyring hashes', () => {
    const found = lookupCredentials(
      [secret('host', '127.0.0.1:5000', 'u1'), secret('repo', '127.0.0.1:5000/secure', 'u2'), secret('other', 'quay.io', 'u3')],
      '127.0.0.1:5000/secure/super-secret-image:1',
    );
    expect(found.map((c) => c.username)).toEqual(['u2', 'u1']);
    expect(found[0]?.source).toEqual({ uid: 'uid-repo', namespace: 'tenant-a', name: 'repo', credentialHash: credentialHash({ username: 'u2', password: 'pw-u2' }) });
    expect(podPullCredentials(found).secrets.map((s) => s.name)).toEqual(['repo', 'host']);
  });
  it('finds nothing for another registry or a bad reference', () => {
    expect(lookupCredentials([secret('host', '127.0.0.1:5000', 'u1')], '127.0.0.1:5001/secure/x:1')).toEqual([]);
    expect(lookupCredentials([secret('host', '127.0.0.1:5000', 'u1')], 'UPPER/case')).toEqual([]);
  });
});

describe('criPullErrorMessage (containerd wording)', () => {
  const image = '127.0.0.1:5000/secure/super-secret-image:1';
  it('reads as containerd does for 401, refused connections and hosts the lab does not contact', () => {
    expect(criPullErrorMessage(image, new RegistryClientError('unauthorized', 'x', 401))).toBe(
      `failed to pull and unpack image "${image}": failed to resolve reference "${image}": pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials`,
    );
    expect(criPullErrorMessage(image, new RegistryClientError('network', 'cannot reach registry 127.0.0.1:5000: connect ECONNREFUSED 127.0.0.1:5000'))).toContain(
      'dial tcp 127.0.0.1:5000: connect: connection refused',
    );
    expect(criPullErrorMessage('docker.io/library/busybox:1', new RegistryClientError('host-not-allowed', 'offline lab'))).toBe(
      'failed to pull and unpack image "docker.io/library/busybox:1": failed to resolve reference "docker.io/library/busybox:1": offline lab',
    );
  });
});
