// GET/POST /token: the Docker token flow's authorization server (distribution docs/spec/auth/token.md, and the
// OAuth2 password grant of oauth.md as containerd sends it); only when the registry uses token auth.
import type { Principal, Scope } from '../auth.js';
import { parseBasicAuth, parseScope } from '../auth.js';
import { RegistryError } from '../errors.js';
import { readLimited } from '../http-body.js';
import type { RouteHandler } from './context.js';

export const token: RouteHandler = async (ctx) => {
  const { req, res, auth } = ctx;
  if (auth.mode !== 'token') throw new RegistryError('UNSUPPORTED', null, { message: 'this registry uses Basic authentication', status: 404 });
  let username: string | undefined;
  let password: string | undefined;
  let scopeTexts = ctx.query.getAll('scope');
  let oauth = false;
  if (req.method === 'POST') {
    const form = new URLSearchParams((await readLimited(req, 64 * 1024)).toString('utf8'));
    if (form.get('grant_type') !== 'password') {
      res.writeHead(400, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'unsupported_grant_type' }));
      return;
    }
    oauth = true;
    username = form.get('username') ?? '';
    password = form.get('password') ?? '';
    scopeTexts = (form.get('scope') ?? '').split(' ').filter((s) => s !== '');
  } else if (req.method === 'GET') {
    const basic = parseBasicAuth(req.headers.authorization);
    if (basic && !(basic.username === '' && basic.password === '')) ({ username, password } = basic);
  } else {
    throw new RegistryError('UNSUPPORTED');
  }
  if (username !== undefined && password !== undefined && !(await auth.authenticator.verify(username, password))) {
    const error = new RegistryError('UNAUTHORIZED', null, { message: 'invalid username or password' });
    (error as RegistryError & { challenge?: string }).challenge = `Basic realm="${auth.realm}"`;
    throw error;
  }
  const principal: Principal = username === undefined ? {} : { username };
  const access = scopeTexts
    .map(parseScope)
    .filter((s): s is Scope => s !== undefined)
    .map((s) => ({ type: s.type, name: s.name, actions: auth.policy.granted(principal, s) }));
  const { token: issued, claims } = auth.tokens.issue(username ?? '', access);
  const issuedAt = new Date(claims.iat * 1000).toISOString();
  const body = oauth
    ? { access_token: issued, expires_in: auth.tokens.ttlSeconds, issued_at: issuedAt, scope: scopeTexts.join(' ') }
    : { token: issued, access_token: issued, expires_in: auth.tokens.ttlSeconds, issued_at: issuedAt };
  res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
};
