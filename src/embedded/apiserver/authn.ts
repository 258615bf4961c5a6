// Bearer-token authentication (upstream: the static token file authenticator,
// k8s.io/apiserver/pkg/authentication/token/tokenfile). Tokens are random per lab and never logged.
import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface UserInfo {
  name: string;
  groups: string[];
}

export interface TokenUser {
  name: string;
  token: string;
  groups?: string[];
}

/** A random bearer token (256 bits, URL-safe). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

export class TokenAuthenticator {
  constructor(private readonly users: readonly TokenUser[]) {}

  /** The user for an Authorization header, or undefined (→ 401 Unauthorized). */
  authenticate(authorization: string | undefined): UserInfo | undefined {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match?.[1]) return undefined;
    const presented = Buffer.from(match[1]);
    for (const user of this.users) {
      const expected = Buffer.from(user.token);
      if (expected.length === presented.length && timingSafeEqual(expected, presented)) {
        // Every authenticated user is in system:authenticated (upstream: group.AuthenticatedGroupAdder).
        return { name: user.name, groups: [...(user.groups ?? []), 'system:authenticated'] };
      }
    }
    return undefined;
  }
}
