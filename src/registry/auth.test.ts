import { describe, expect, it } from 'vitest';
import { AccessPolicy, htpasswdLine, HtpasswdAuthenticator, parseBasicAuth, parseHtpasswd, parseScope, TokenIssuer, tokenAllows } from './auth.js';
import { createRegistryUsers, labAccessRules } from './lab-users.js';

describe('access policy of the lab', () => {
  const users = createRegistryUsers();
  const policy = new AccessPolicy(labAccessRules(users));
  const repo = (name: string, ...actions: string[]) => ({ type: 'repository' as const, name, actions });

  it('lets only Admin1 and the pusher read secure/*, anyone read public/*, only the pusher push', () => {
    expect(policy.granted({ username: users.admin1.username }, repo('secure/app', 'pull', 'push'))).toEqual(['pull']);
    expect(policy.granted({}, repo('secure/app', 'pull'))).toEqual([]);
    expect(policy.granted({ username: 'admin2' }, repo('secure/app', 'pull'))).toEqual([]);
    expect(policy.granted({}, repo('public/app', 'pull', 'push'))).toEqual(['pull']);
    expect(policy.granted({ username: users.pusher.username }, repo('secure/app', 'pull', 'push', 'delete'))).toEqual(['pull', 'push', 'delete']);
    expect(policy.granted({ username: users.admin1.username }, repo('secureX/app', 'pull'))).toEqual([]);
  });

  it('creates different random credentials per lab', () => {
    const other = createRegistryUsers();
    expect(other.admin1.password).not.toBe(users.admin1.password);
    expect(other.admin1.username).toMatch(/^admin1-/);
    expect(users.admin1.password.length).toBeGreaterThanOrEqual(20);
  });
});

describe('htpasswd', () => {
  it('writes bcrypt lines like htpasswd -B and verifies them', async () => {
    const line = htpasswdLine('alice', 's3cret');
    expect(line).toMatch(/^alice:\$2y\$05\$/);
    const auth = new HtpasswdAuthenticator(`# comment\n${line}\nbob:plaintext-is-ignored\n`);
    expect(await auth.verify('alice', 's3cret')).toBe(true);
    expect(await auth.verify('alice', 's3cret')).toBe(true); // cached path
    expect(await auth.verify('alice', 'wrong')).toBe(false);
    expect(await auth.verify('bob', 'plaintext-is-ignored')).toBe(false);
    expect([...parseHtpasswd(line).keys()]).toEqual(['alice']);
  });

  it('parses Basic headers', () => {
    expect(parseBasicAuth(`Basic ${Buffer.from('a:b:c').toString('base64')}`)).toEqual({ username: 'a', password: 'b:c' });
    expect(parseBasicAuth('Basic !!!')).toBeUndefined();
    expect(parseBasicAuth('Bearer x')).toBeUndefined();
  });
});

describe('tokens', () => {
  it('carry their scope, expire, and cannot be forged', () => {
    const issuer = new TokenIssuer('svc', 60);
    const now = Date.now();
    const { token } = issuer.issue('alice', [{ type: 'repository', name: 'secure/app', actions: ['pull'] }], now);
    const claims = issuer.verify(token, now)!;
    expect(tokenAllows(claims, { type: 'repository', name: 'secure/app', actions: [] }, 'pull')).toBe(true);
    expect(tokenAllows(claims, { type: 'repository', name: 'secure/app', actions: [] }, 'push')).toBe(false);
    expect(tokenAllows(claims, { type: 'repository', name: 'secure/other', actions: [] }, 'pull')).toBe(false);
    expect(issuer.verify(token, now + 61_000)).toBeUndefined();
    expect(new TokenIssuer('svc').verify(token, now)).toBeUndefined(); // another registry's key
    const [payload, sig] = token.split('.');
    const widened = Buffer.from(JSON.stringify({ ...claims, access: [{ type: 'repository', name: 'secure/app', actions: ['push'] }] })).toString('base64url');
    expect(issuer.verify(`${widened}.${sig}`, now)).toBeUndefined();
    expect(issuer.verify(`${payload}`, now)).toBeUndefined();
  });

  it('parses scopes', () => {
    expect(parseScope('repository:secure/app:pull,push')).toEqual({ type: 'repository', name: 'secure/app', actions: ['pull', 'push'] });
    expect(parseScope('registry:catalog:*')).toEqual({ type: 'registry', name: 'catalog', actions: ['*'] });
    expect(parseScope('garbage')).toBeUndefined();
    expect(parseScope('repository::pull')).toBeUndefined();
  });
});
