// The lab's registry: OCI Distribution spec v1.1 (opencontainers/distribution-spec spec.md) over node:http on 127.0.0.1,
// with registry:2-style Basic auth or the Docker token flow, and per-repository access rules. Authentication and
// authorization live here; each endpoint is one handler module in handlers/, found through the table in routes.ts.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  AccessPolicy,
  formatScope,
  htpasswdLine,
  HtpasswdAuthenticator,
  parseBasicAuth,
  redactUser,
  TokenIssuer,
  tokenAllows,
  type AccessRule,
  type Principal,
  type Scope,
  type TokenClaims,
} from './auth.js';
import type { BlobPool } from './blob-pool.js';
import { RegistryError } from './errors.js';
import { checkName, type RegistryContext } from './handlers/context.js';
import { matchRoute } from './routes.js';
import { RegistryStorage, type StorageLimits } from './storage.js';

export interface RegistryUser {
  username: string;
  password: string;
}

export interface RegistryOptions {
  /** Users with plain passwords (hashed with bcrypt at start), and/or an htpasswd file's text. */
  users?: readonly RegistryUser[];
  htpasswd?: string;
  access: readonly AccessRule[];
  /** 'basic' answers 401 with a Basic challenge like registry:2; 'token' with a Bearer challenge and a /token endpoint. */
  auth?: 'basic' | 'token';
  host?: '127.0.0.1';
  port?: number;
  storageDir?: string;
  limits?: Partial<StorageLimits>;
  /** Share blob bytes with the other registries of this process that use this pool (blob-pool.ts). */
  blobPool?: BlobPool;
  realm?: string;
  service?: string;
  tokenTtlSeconds?: number;
  /** One line per request (method, path, status, redacted user); never credentials. */
  log?: (line: string) => void;
}

export interface RunningRegistry {
  /** `127.0.0.1:PORT`, the registry part of image references. */
  host: string;
  url: string;
  auth: 'basic' | 'token';
  storage: RegistryStorage;
  close(): Promise<void>;
}

export async function startRegistry(options: RegistryOptions): Promise<RunningRegistry> {
  const mode = options.auth ?? 'basic';
  const realm = options.realm ?? 'image-heist';
  const service = options.service ?? 'image-heist-registry';
  const htpasswd = [options.htpasswd ?? '', ...(options.users ?? []).map((u) => htpasswdLine(u.username, u.password))].join('\n');
  const authenticator = new HtpasswdAuthenticator(htpasswd);
  const policy = new AccessPolicy(options.access);
  const tokens = new TokenIssuer(service, options.tokenTtlSeconds);
  const storage = new RegistryStorage(options.limits, options.storageDir, options.blobPool);
  let baseUrl = '';
  /** Who made each request, for the access log (usernames are hashed there, never printed). */
  const callers = new WeakMap<IncomingMessage, Principal>();

  /** The caller behind a request, or a 401 for credentials that do not check out. */
  async function principalOf(req: IncomingMessage, scopes: Scope[]): Promise<{ principal: Principal; claims?: TokenClaims }> {
    const header = req.headers.authorization;
    if (mode === 'token') {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
      const claims = m ? tokens.verify(m[1]!) : undefined;
      if (!claims) throw unauthorized(scopes, header !== undefined && m !== null);
      return { principal: claims.sub === '' ? {} : { username: claims.sub }, claims };
    }
    const basic = parseBasicAuth(header);
    // Some clients send "Basic :" (empty user and password) when they have no credentials: that is anonymous.
    if (!basic || (basic.username === '' && basic.password === '')) {
      if (header !== undefined && !basic) throw unauthorized(scopes, true);
      return { principal: {} };
    }
    if (!(await authenticator.verify(basic.username, basic.password))) throw unauthorized(scopes, true);
    return { principal: { username: basic.username } };
  }

  function unauthorized(scopes: Scope[], invalid: boolean, insufficientScope = false): RegistryError {
    const scope = scopes.map(formatScope).join(' ');
    const challenge =
      mode === 'basic'
        ? `Basic realm="${realm}"`
        : `Bearer realm="${baseUrl}/token",service="${service}"${scope ? `,scope="${scope}"` : ''}${
            insufficientScope ? ',error="insufficient_scope"' : invalid ? ',error="invalid_token"' : ''
          }`;
    const detail = scopes.flatMap((s) => s.actions.map((a) => ({ Type: s.type, Name: s.name, Action: a })));
    const error = new RegistryError('UNAUTHORIZED', detail.length > 0 ? detail : null);
    (error as RegistryError & { challenge?: string }).challenge = challenge;
    return error;
  }

  /** 401 with a challenge for anonymous callers or too-narrow tokens; 403 DENIED for users who lack the right. */
  async function authorize(req: IncomingMessage, scope: Scope | undefined): Promise<Principal> {
    const scopes = scope ? [scope] : [];
    const { principal, claims } = await principalOf(req, scopes);
    callers.set(req, principal);
    if (!scope) {
      if (mode === 'basic' && principal.username === undefined) throw unauthorized(scopes, false);
      return principal;
    }
    const held = policy.granted(principal, scope);
    const missing = scope.actions.filter((a) => !held.includes(a));
    if (claims && missing.length === 0 && !scope.actions.every((a) => tokenAllows(claims, scope, a))) {
      throw unauthorized(scopes, false, true); // the user may, but this token was not issued for it: ask for a new one
    }
    if (missing.length === 0) return principal;
    if (principal.username === undefined) throw unauthorized(scopes, false, mode === 'token');
    throw new RegistryError(
      'DENIED',
      scope.actions.map((a) => ({ Type: scope.type, Name: scope.name, Action: a })),
    );
  }

  /** Finds the route in the table and runs its handler with this request's context. */
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('Docker-Distribution-Api-Version', 'registry/2.0');
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const pathname = q < 0 ? raw : raw.slice(0, q);
    const matched = matchRoute(pathname);
    if (!matched) throw new RegistryError('UNSUPPORTED', { path: pathname.slice(0, 200) }, { message: 'not found', status: 404 });
    if (matched.params['name'] !== undefined) checkName(matched.params['name']);
    const ctx: RegistryContext = {
      req,
      res,
      method: req.method ?? 'GET',
      query: new URLSearchParams(q < 0 ? '' : raw.slice(q + 1)),
      storage,
      authorize: (scope) => authorize(req, scope),
      auth: { mode, realm, authenticator, policy, tokens },
    };
    await matched.route.handle(ctx, matched.params);
  }

  const server = createServer((req, res) => {
    handle(req, res)
      .catch((error: unknown) => {
        const e = error instanceof RegistryError ? error : new RegistryError('UNKNOWN');
        if (!(error instanceof RegistryError)) options.log?.(`registry: internal error: ${error instanceof Error ? error.message : String(error)}`);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const challenge = (e as RegistryError & { challenge?: string }).challenge;
        if (challenge) res.setHeader('WWW-Authenticate', challenge);
        const body = e.toBody();
        if (!req.complete) {
          // The body was not read to its end (limit hit): answer, then drop the connection rather than drain it.
          res.setHeader('Connection', 'close');
          res.on('finish', () => req.socket.destroy());
        }
        res.writeHead(e.status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
        res.end(req.method === 'HEAD' ? undefined : body);
      })
      .finally(() => {
        if (options.log) {
          options.log(`${req.method} ${(req.url ?? '').split('?')[0]} ${res.statusCode} ${redactUser(callers.get(req)?.username)}`);
        }
      });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = `127.0.0.1:${port}`;
  baseUrl = `http://${host}`;
  return {
    host,
    url: baseUrl,
    auth: mode,
    storage,
    close: () =>
      new Promise<void>((resolve) => {
        storage.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
