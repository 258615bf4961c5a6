import bcrypt from 'bcryptjs';
import { describe, expect, it } from 'vitest';
import { parseHtpasswd } from '../registry/htpasswd.js';
import { createRegistryUsers } from '../registry/lab-users.js';
import { PROFILE_NAMES } from '../lab/profiles.js';
import { LAB_LABEL } from './names.js';
import { HTPASSWD_PATH, offlineTestcontainers, parseHostPort, registryContainerSpec, renderHtpasswd } from './registry-container.js';

describe('htpasswd for the registry container', () => {
  const users = createRegistryUsers();
  const text = renderHtpasswd([users.admin1, users.pusher]);

  it('holds one bcrypt line per user that verifies the right password and only that', () => {
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    const parsed = parseHtpasswd(text); // the same parser the project's registry uses for distribution's format
    for (const u of [users.admin1, users.pusher]) {
      const hash = parsed.get(u.username);
      expect(hash).toMatch(/^\$2y\$05\$.{53}$/); // bcrypt, which distribution requires (registry/auth/htpasswd/htpasswd.go)
      expect(bcrypt.compareSync(u.password, hash!.replace(/^\$2y\$/, '$2b$'))).toBe(true);
      expect(bcrypt.compareSync(`${u.password}x`, hash!.replace(/^\$2y\$/, '$2b$'))).toBe(false);
    }
    expect(text).not.toContain(users.admin1.password);
    expect(text).not.toContain(users.pusher.password);
  });

  it('is random per run', () => {
    expect(renderHtpasswd([users.admin1])).not.toBe(renderHtpasswd([users.admin1])); // fresh salt
    expect(createRegistryUsers().admin1.password).not.toBe(users.admin1.password);
  });
});

describe('registry container specs', () => {
  it('the secure registry uses htpasswd auth, answers 401 when ready and carries the lab label', () => {
    const spec = registryContainerSpec('secure', 'none', { htpasswd: 'u:$2y$05$x\n' });
    expect(spec).toMatchObject({
      name: 'image-heist-none-registry',
      network: 'kind',
      port: 5000,
      image: 'registry:3',
      readyStatus: 401,
      htpasswd: 'u:$2y$05$x\n',
      environment: { REGISTRY_AUTH: 'htpasswd', REGISTRY_AUTH_HTPASSWD_PATH: HTPASSWD_PATH },
    });
    expect(spec.labels[LAB_LABEL]).toBe('registry-secure');
    expect(spec.labels[`${LAB_LABEL}.profile`]).toBe('none');
  });

  it("each profile has its own pair, so one profile's outage or reset touches no other", () => {
    const names = PROFILE_NAMES.flatMap((p) => [registryContainerSpec('secure', p, { htpasswd: 'x' }).name, registryContainerSpec('public', p).name]);
    expect(new Set(names).size).toBe(PROFILE_NAMES.length * 2);
    expect(registryContainerSpec('public', 'always-pull-images', { image: 'local/registry:offline' })).toMatchObject({
      name: 'image-heist-always-pull-images-public-registry',
      image: 'local/registry:offline',
    });
  });

  it('keeps testcontainers off the internet unless the user set otherwise: no Ryuk, ports on 127.0.0.1', () => {
    const env: NodeJS.ProcessEnv = {};
    offlineTestcontainers(env);
    expect(env).toEqual({ TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1' });
    const own: NodeJS.ProcessEnv = { TESTCONTAINERS_RYUK_DISABLED: 'false', TESTCONTAINERS_HOST_OVERRIDE: '10.0.0.1' };
    offlineTestcontainers(own);
    expect(own).toEqual({ TESTCONTAINERS_RYUK_DISABLED: 'false', TESTCONTAINERS_HOST_OVERRIDE: '10.0.0.1' });
  });

  it('the public registry is anonymous and answers 200', () => {
    const spec = registryContainerSpec('public', 'none');
    expect(spec.environment).toEqual({});
    expect(spec.readyStatus).toBe(200);
    expect(spec.htpasswd).toBeUndefined();
    expect(spec.labels[LAB_LABEL]).toBe('registry-public');
  });

  it('refuses a secure registry without users (distribution would invent a `docker` user)', () => {
    expect(() => registryContainerSpec('secure', 'none')).toThrow(/htpasswd/);
  });

  it('reads the published port from docker port output', () => {
    expect(parseHostPort('0.0.0.0:32768\n[::]:32768\n')).toBe(32768);
    expect(parseHostPort('127.0.0.1:5001')).toBe(5001);
    expect(() => parseHostPort('')).toThrow(/published port/);
  });
});
