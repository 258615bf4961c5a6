// Cases from upstream pkg/credentialprovider/keyring_test.go (TestUrlsMatch, TestDockerKeyringForGlob,
// TestKeyringMiss, TestIsDefaultRegistryMatch, the Docker Hub hit/miss tests) and config_test.go (auth decoding).
import { describe, expect, it } from 'vitest';
import { BasicDockerKeyring, decodeDockerConfigFieldAuth, isDefaultRegistryMatch, parseDockerConfigEntry, urlsMatchStr } from './credential-keyring.js';

const auth = Buffer.from('foo:bar').toString('base64');
const entry = () => parseDockerConfigEntry({ email: 'foo@bar.baz', auth });

describe('urlsMatchStr (TestUrlsMatch)', () => {
  it.each([
    ['*.kubernetes.io', 'prefix.kubernetes.io', true],
    ['prefix.*.io', 'prefix.kubernetes.io', true],
    ['prefix.kubernetes.*', 'prefix.kubernetes.io', true],
    ['*-good.kubernetes.io', 'prefix-good.kubernetes.io', true],
    ['*.kubernetes.io/blah', 'prefix.kubernetes.io/blah', true],
    ['prefix.*.io/foo', 'prefix.kubernetes.io/foo/bar', true],
    ['*.kubernetes.io:1111/blah', 'prefix.kubernetes.io:1111/blah', true],
    ['prefix.*.io:1111/foo', 'prefix.kubernetes.io:1111/foo/bar', true],
    ['*.kubernetes.io', 'kubernetes.io', false],
    ['*.*.kubernetes.io', 'prefix.kubernetes.io', false],
    ['*.*.kubernetes.io', 'kubernetes.io', false],
    ['kubernetes.io', 'kubernetes.com', false],
    ['k*.io', 'quay.io', false],
    ['*.kubernetes.io:1234/blah', 'prefix.kubernetes.io:1111/blah', false],
    ['prefix.*.io/foo', 'prefix.kubernetes.io:1111/foo/bar', false],
  ])('%s vs %s → %s', (glob, target, want) => {
    expect(urlsMatchStr(glob, target)).toBe(want);
  });
});

describe('BasicDockerKeyring', () => {
  it.each([
    ['https://hello.kubernetes.io', 'hello.kubernetes.io'],
    ['https://*.docker.io', 'prefix.docker.io'],
    ['https://prefix.*.io', 'prefix.docker.io'],
    ['https://prefix.docker.*', 'prefix.docker.io'],
    ['https://*.docker.io/path', 'prefix.docker.io/path'],
    ['https://prefix.*.io/path', 'prefix.docker.io/path/subpath'],
    ['https://prefix.docker.*/path', 'prefix.docker.io/path'],
    ['https://*.docker.io:8888', 'prefix.docker.io:8888'],
    ['https://prefix.*.io:8888', 'prefix.docker.io:8888'],
    ['https://prefix.docker.*:8888', 'prefix.docker.io:8888'],
    ['https://*.docker.io/path:1111', 'prefix.docker.io/path:1111'],
    ['https://*.docker.io/v1/', 'prefix.docker.io/path:1111'],
    ['https://*.docker.io/v2/', 'prefix.docker.io/path:1111'],
    ['https://prefix.docker.*/path:1111', 'prefix.docker.io/path:1111'],
    ['prefix.docker.io:1111', 'prefix.docker.io:1111/path'],
    ['*.docker.io:1111', 'prefix.docker.io:1111/path'],
  ])('finds %s for %s (TestDockerKeyringForGlob)', (glob, target) => {
    const keyring = new BasicDockerKeyring();
    keyring.add({ [glob]: entry() });
    expect(keyring.lookup(`${target}/foo/bar`)).toEqual([{ username: 'foo', password: 'bar', email: 'foo@bar.baz' }]);
  });

  it.each([
    ['https://hello.kubernetes.io', 'world.mesos.org/foo/bar'],
    ['https://*.docker.com', 'prefix.docker.io'],
    ['https://suffix.*.io', 'prefix.docker.io'],
    ['https://prefix.docker.c*', 'prefix.docker.io'],
    ['https://prefix.*.io/path:1111', 'prefix.docker.io/path/subpath:1111'],
    ['suffix.*.io', 'prefix.docker.io'],
  ])('misses %s for %s (TestKeyringMiss)', (glob, lookup) => {
    const keyring = new BasicDockerKeyring();
    keyring.add({ [glob]: entry() });
    expect(keyring.lookup(`${lookup}/foo/bar`)).toEqual([]);
  });

  it('uses Docker Hub credentials for Docker Hub images only', () => {
    const keyring = new BasicDockerKeyring();
    keyring.add({ 'https://index.docker.io/v1/': entry() });
    expect(keyring.lookup('world.mesos.org/foo/bar')).toEqual([]);
    expect(keyring.lookup('google/docker-registry')).toHaveLength(1);
    expect(keyring.lookup('jenkins')).toHaveLength(1);
    expect(keyring.lookup('index.docker.io/v1//google/docker-registry')).toHaveLength(1);
  });

  it('lists every match, most specific first, and keys by host:port', () => {
    const keyring = new BasicDockerKeyring();
    const a = { username: 'host', password: 'p1' };
    const b = { username: 'path', password: 'p2' };
    const c = { username: 'other-port', password: 'p3' };
    keyring.add({ '127.0.0.1:5000': a, '127.0.0.1:5000/secure': b, '127.0.0.1:6000': c });
    expect(keyring.lookup('127.0.0.1:5000/secure/app')).toEqual([b, a]);
    expect(keyring.lookup('127.0.0.1:5000/public/app')).toEqual([a]);
    expect(keyring.lookup('127.0.0.1/secure/app')).toEqual([]);
  });
});

describe('isDefaultRegistryMatch', () => {
  it.each([
    ['foo/bar', true],
    ['docker.io/foo/bar', true],
    ['index.docker.io/foo/bar', true],
    ['foo', true],
    ['', false],
    ['registry.tld/foo/bar', false],
    ['registry:5000/foo/bar', false],
    ['myhostdocker.io/foo/bar', false],
  ])('%s → %s', (image, want) => {
    expect(isDefaultRegistryMatch(image)).toBe(want);
  });
});

describe('auth field (config.go decodeDockerConfigFieldAuth)', () => {
  it('decodes padded and unpadded base64, overriding username/password', () => {
    expect(parseDockerConfigEntry({ auth: 'dXNlcjpwYXNz', username: 'foo', password: 'bar' })).toEqual({ username: 'user', password: 'pass' });
    expect(decodeDockerConfigFieldAuth('dXNlcjpwYXNzd29yZA==')).toEqual({ username: 'user', password: 'password' });
  });
  it('rejects auth without a colon, with upstream message', () => {
    expect(() => decodeDockerConfigFieldAuth('Zm9vYmFy')).toThrow('unable to parse auth field, must be formatted as base64(username:password)');
  });
  it('rejects auth that is not base64', () => {
    expect(() => decodeDockerConfigFieldAuth('bad-auth-bad')).toThrow(/base64/);
  });
});
