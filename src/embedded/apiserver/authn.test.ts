import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { randomToken, TokenAuthenticator } from './authn.js';
import { renderKubeconfig } from './kubeconfig.js';

describe('TokenAuthenticator', () => {
  const users = [
    { name: 'admin', token: randomToken() },
    { name: 'admin2', token: randomToken() },
  ];
  const authn = new TokenAuthenticator(users);
  it('maps a bearer token to its user, in system:authenticated', () => {
    expect(authn.authenticate(`Bearer ${users[1]!.token}`)).toEqual({ name: 'admin2', groups: ['system:authenticated'] });
  });
  it('rejects unknown, empty and non-bearer credentials', () => {
    expect(authn.authenticate('Bearer nope')).toBeUndefined();
    expect(authn.authenticate('Bearer ')).toBeUndefined();
    expect(authn.authenticate(`Basic ${users[0]!.token}`)).toBeUndefined();
  });
  it('makes distinct, long random tokens', () => {
    const a = randomToken();
    expect(a).not.toBe(randomToken());
    expect(a.length).toBeGreaterThanOrEqual(43);
  });
});

describe('renderKubeconfig', () => {
  it('has one context per user with the CA, the token and an optional namespace; admin current', () => {
    const doc = parse(
      renderKubeconfig({
        server: 'https://127.0.0.1:1',
        caPem: 'PEM',
        users: [
          { name: 'admin', token: 't0' },
          { name: 'admin1', token: 't1', namespace: 'tenant-a' },
        ],
      }),
    ) as Record<string, any>;
    expect(doc['current-context']).toBe('admin');
    expect(doc['clusters'][0].cluster).toEqual({ server: 'https://127.0.0.1:1', 'certificate-authority-data': Buffer.from('PEM').toString('base64') });
    expect(doc['users'][1]).toEqual({ name: 'admin1', user: { token: 't1' } });
    expect(doc['contexts'][1]).toEqual({ name: 'admin1', context: { cluster: 'image-heist', user: 'admin1', namespace: 'tenant-a' } });
  });
});
