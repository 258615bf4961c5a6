// Shared by the registry's tests and benchmarks: a lab registry with fresh users and raw HTTP helpers.
import { createRegistryUsers, labAccessRules, type RegistryUsers } from '../../src/registry/lab-users.js';
import { startRegistry, type RegistryOptions, type RunningRegistry } from '../../src/registry/server.js';

export interface TestRegistry {
  registry: RunningRegistry;
  users: RegistryUsers;
}

export async function startTestRegistry(auth: 'basic' | 'token', extra: Partial<RegistryOptions> = {}): Promise<TestRegistry> {
  const users = createRegistryUsers();
  const registry = await startRegistry({ users: [users.admin1, users.pusher], access: labAccessRules(users), auth, ...extra });
  return { registry, users };
}

export function basic(user: { username: string; password: string }): string {
  return `Basic ${Buffer.from(`${user.username}:${user.password}`).toString('base64')}`;
}

/** The Authorization header a client would send for `scope` in the registry's mode. */
export async function authorizationFor(registry: RunningRegistry, user: { username: string; password: string } | undefined, scope: string): Promise<string | undefined> {
  if (registry.auth === 'basic') return user ? basic(user) : undefined;
  const res = await fetch(`${registry.url}/token?service=image-heist-registry&scope=${encodeURIComponent(scope)}`, {
    headers: user ? { Authorization: basic(user) } : {},
  });
  if (!res.ok) throw new Error(`token endpoint answered ${res.status}`);
  const body = (await res.json()) as { token: string };
  return `Bearer ${body.token}`;
}
