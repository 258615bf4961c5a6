// The lab's registry identities and rights: Admin1 may pull secure/*, anyone may pull public/*, only the lab pushes.
import { randomBytes } from 'node:crypto';
import type { AccessRule } from './auth.js';
import type { RegistryUser } from './server.js';

export interface RegistryUsers {
  /** Admin1's login, the credentials behind ImagePullSecret1. */
  admin1: RegistryUser;
  /** The lab's own identity that pushes images. */
  pusher: RegistryUser;
}

function secret(): string {
  return randomBytes(18).toString('base64url');
}

/** Fresh random credentials for one lab; usernames carry a random suffix so they cannot be guessed either. */
export function createRegistryUsers(): RegistryUsers {
  return {
    admin1: { username: `admin1-${randomBytes(3).toString('hex')}`, password: secret() },
    pusher: { username: `lab-pusher-${randomBytes(3).toString('hex')}`, password: secret() },
  };
}

export function labAccessRules(users: RegistryUsers): AccessRule[] {
  return [
    { repository: 'secure/*', actions: ['pull'], who: [users.admin1.username] },
    { repository: 'public/*', actions: ['pull'], who: 'anyone' },
    { repository: '*', actions: ['pull', 'push', 'delete'], who: [users.pusher.username] },
  ];
}
