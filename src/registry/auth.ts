// Who may do what: htpasswd users checked with bcrypt (what registry:2's htpasswd auth does,
// distribution registry/auth/htpasswd), per-repository access rules, and the Docker token flow
// (distribution docs/spec/auth/token.md, scope.md): short-lived HMAC-signed tokens scoped to repository and action.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import { parseHtpasswd } from './htpasswd.js';

export { htpasswdLine, parseHtpasswd } from './htpasswd.js';

export type Action = 'pull' | 'push' | 'delete';
export const allActions: readonly Action[] = ['pull', 'push', 'delete'];

/** A repository glob (`*` matches any characters, `/` included), what it allows, and to whom. */
export interface AccessRule {
  repository: string;
  actions: readonly Action[];
  /** 'anyone' includes anonymous callers; 'authenticated' is any valid user; or a list of usernames. */
  who: 'anyone' | 'authenticated' | readonly string[];
}

/** The caller, once credentials were checked; `undefined` username means anonymous. */
export interface Principal {
  username?: string;
}

/** One resource and the actions asked for it (token.md "Requesting a Token", scope.md). */
export interface Scope {
  type: 'repository' | 'registry';
  name: string;
  actions: string[];
}

export function formatScope(s: Scope): string {
  return `${s.type}:${s.name}:${s.actions.join(',')}`;
}

/** `repository:secure/app:pull,push` → Scope; undefined when malformed. */
export function parseScope(text: string): Scope | undefined {
  const first = text.indexOf(':');
  const last = text.lastIndexOf(':');
  if (first <= 0 || last === first) return undefined;
  const type = text.slice(0, first);
  if (type !== 'repository' && type !== 'registry') return undefined;
  const name = text.slice(first + 1, last);
  const actions = text
    .slice(last + 1)
    .split(',')
    .filter((a) => a !== '');
  if (name === '') return undefined;
  return { type, name, actions };
}

function globToRegExp(glob: string): RegExp {
  const body = glob
    .split('*')
    .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`);
}

export class AccessPolicy {
  private readonly rules: Array<AccessRule & { re: RegExp }>;
  constructor(rules: readonly AccessRule[]) {
    this.rules = rules.map((r) => ({ ...r, re: globToRegExp(r.repository) }));
  }

  /** The actions among `wanted` that `who` holds on the resource. */
  granted(principal: Principal, scope: Scope): string[] {
    if (scope.type === 'registry') {
      // The catalog lists every repository name, so only known users may read it.
      return scope.name === 'catalog' && principal.username !== undefined ? scope.actions.filter((a) => a === '*') : [];
    }
    const held = new Set<string>();
    for (const rule of this.rules) {
      if (!rule.re.test(scope.name)) continue;
      const applies =
        rule.who === 'anyone' ||
        (rule.who === 'authenticated' && principal.username !== undefined) ||
        (Array.isArray(rule.who) && principal.username !== undefined && rule.who.includes(principal.username));
      if (applies) for (const a of rule.actions) held.add(a);
    }
    return scope.actions.filter((a) => held.has(a) || (a === '*' && allActions.every((x) => held.has(x))));
  }
}

/** Checks passwords; remembers successes (by a keyed hash, never the password) so bcrypt runs once per login. */
export class HtpasswdAuthenticator {
  private readonly users: Map<string, string>;
  private readonly verified = new Set<string>();
  private readonly key = randomBytes(32);

  constructor(htpasswd: string) {
    this.users = parseHtpasswd(htpasswd);
  }

  async verify(username: string, password: string): Promise<boolean> {
    const hash = this.users.get(username);
    if (hash === undefined) return false;
    const id = createHmac('sha256', this.key).update(hash).update('\0').update(password).digest('base64');
    if (this.verified.has(id)) return true;
    const ok = await bcrypt.compare(password, hash);
    if (ok) {
      if (this.verified.size > 1024) this.verified.clear();
      this.verified.add(id);
    }
    return ok;
  }
}

/** Decodes `Authorization: Basic …`; undefined for anything else. */
export function parseBasicAuth(header: string | undefined): { username: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const i = text.indexOf(':');
  if (i < 0) return undefined;
  return { username: text.slice(0, i), password: text.slice(i + 1) };
}

export interface TokenClaims {
  /** Subject: the username, or '' for an anonymous token. */
  sub: string;
  aud: string;
  iat: number;
  exp: number;
  access: Array<{ type: string; name: string; actions: string[] }>;
}

/** Issues and checks bearer tokens: base64url(claims).base64url(HMAC-SHA256), signed with a per-registry key. */
export class TokenIssuer {
  private readonly key = randomBytes(32);
  constructor(
    readonly service: string,
    readonly ttlSeconds = 300,
  ) {}

  issue(sub: string, access: TokenClaims['access'], now = Date.now()): { token: string; claims: TokenClaims } {
    const iat = Math.floor(now / 1000);
    const claims: TokenClaims = { sub, aud: this.service, iat, exp: iat + this.ttlSeconds, access };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${payload}.${this.sign(payload)}`, claims };
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.key).update(payload).digest('base64url');
  }

  /** The claims of a valid, unexpired token for this service; undefined otherwise. */
  verify(token: string, now = Date.now()): TokenClaims | undefined {
    const [payload, signature, extra] = token.split('.');
    if (!payload || !signature || extra !== undefined) return undefined;
    const want = Buffer.from(this.sign(payload));
    const got = Buffer.from(signature);
    if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
    try {
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as TokenClaims;
      if (claims.aud !== this.service || typeof claims.exp !== 'number' || claims.exp * 1000 <= now) return undefined;
      if (!Array.isArray(claims.access)) return undefined;
      return claims;
    } catch {
      return undefined;
    }
  }
}

/** Whether the token's access list holds `action` on the resource. */
export function tokenAllows(claims: TokenClaims, scope: Scope, action: string): boolean {
  return claims.access.some((a) => a.type === scope.type && a.name === scope.name && (a.actions.includes(action) || a.actions.includes('*')));
}

/** A stable, non-reversible label for a username in logs. */
export function redactUser(username: string | undefined): string {
  return username === undefined ? 'anonymous' : `user#${createHash('sha256').update(username).digest('hex').slice(0, 8)}`;
}
