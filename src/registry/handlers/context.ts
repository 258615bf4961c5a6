// What every registry route handler gets: the request and its parts, the storage, and the server's authorization
// (bound to this request), as the API server's handlers get a RequestContext.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AccessPolicy, HtpasswdAuthenticator, Principal, Scope, TokenIssuer } from '../auth.js';
import { isDigest, looksLikeDigest, type Digest } from '../digest.js';
import { RegistryError } from '../errors.js';
import type { RegistryStorage, UploadSession } from '../storage.js';

export interface RegistryContext {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  query: URLSearchParams;
  storage: RegistryStorage;
  /** 401 with a challenge for anonymous callers or too-narrow tokens; 403 DENIED for users who lack the right. */
  authorize(scope: Scope | undefined): Promise<Principal>;
  /** What the /token endpoint needs. */
  auth: { mode: 'basic' | 'token'; realm: string; authenticator: HtpasswdAuthenticator; policy: AccessPolicy; tokens: TokenIssuer };
}

/** One route's handler; `params` are the route pattern's named groups. */
export type RouteHandler<P extends string = never> = (ctx: RegistryContext, params: Record<P, string>) => Promise<void>;

// distribution/reference regexp.go: path components of a repository name.
export const nameRe = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
export const tagRe = /^[\w][\w.-]{0,127}$/;

export function checkName(name: string): void {
  if (name.length > 255 || !nameRe.test(name)) {
    throw new RegistryError('NAME_INVALID', { name: name.slice(0, 300) }, { message: 'invalid repository name' });
  }
}

export function checkDigest(value: string): Digest {
  if (!isDigest(value)) {
    throw new RegistryError(
      'DIGEST_INVALID',
      { digest: value.slice(0, 200) },
      {
        message: looksLikeDigest(value) ? 'unsupported digest algorithm' : 'invalid digest',
      },
    );
  }
  return value;
}

/** The access scope of a repository request. */
export const repositoryScope = (name: string, actions: string[]): Scope => ({ type: 'repository', name, actions });

export const methodIs = (ctx: RegistryContext, ...methods: string[]): boolean => methods.includes(ctx.method);

export function uploadHeaders(res: ServerResponse, name: string, session: UploadSession): void {
  res.setHeader('Location', `/v2/${name}/blobs/uploads/${session.id}`);
  res.setHeader('Range', `0-${Math.max(0, session.size - 1)}`);
  res.setHeader('Docker-Upload-UUID', session.id);
}
