// The registry's routes as a table (OCI distribution-spec's endpoints, plus the token endpoint): each a pattern
// on the raw path (no dot-segment resolution, so `..` and `%2F` reach the name check) and one handler module.
// First match wins; the order matters where patterns overlap (uploads before blobs).
import type { RegistryContext, RouteHandler } from './handlers/context.js';
import { blobs } from './handlers/blobs.js';
import { catalog } from './handlers/catalog.js';
import { manifests } from './handlers/manifests.js';
import { ping } from './handlers/ping.js';
import { referrers } from './handlers/referrers.js';
import { tags } from './handlers/tags.js';
import { token } from './handlers/token.js';
import { uploadSession } from './handlers/upload-session.js';
import { uploads } from './handlers/uploads.js';

export interface Route {
  pattern: RegExp;
  /** Runs the handler with the pattern's named groups (`name` is checked as a repository name first). */
  handle(ctx: RegistryContext, params: Record<string, string>): Promise<void>;
}

/** A route whose handler's parameters are exactly the pattern's named groups. */
const route = <P extends string>(pattern: RegExp, handler: RouteHandler<P>): Route => ({ pattern, handle: (ctx, params) => handler(ctx, params as Record<P, string>) });

export const routes: readonly Route[] = [
  route(/^\/v2\/?$/, ping),
  route(/^\/v2\/_catalog$/, catalog),
  route(/^\/token$/, token),
  route(/^\/v2\/(?<name>.+)\/tags\/list$/, tags),
  route(/^\/v2\/(?<name>.+)\/manifests\/(?<reference>[^/]+)$/, manifests),
  route(/^\/v2\/(?<name>.+)\/blobs\/uploads\/?$/, uploads),
  route(/^\/v2\/(?<name>.+)\/blobs\/uploads\/(?<id>[^/]+)$/, uploadSession),
  route(/^\/v2\/(?<name>.+)\/blobs\/(?<digest>[^/]+)$/, blobs),
  route(/^\/v2\/(?<name>.+)\/referrers\/(?<digest>[^/]+)$/, referrers),
];

/** The route serving `pathname` and its parameters, or undefined (404). */
export function matchRoute(pathname: string): { route: Route; params: Record<string, string> } | undefined {
  for (const r of routes) {
    const m = r.pattern.exec(pathname);
    if (m) return { route: r, params: { ...m.groups } };
  }
  return undefined;
}
