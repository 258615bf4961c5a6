// GET /v2/<name>/tags/list ("end-8a/8b"): a repository's tags, paginated.
import { RegistryError } from '../errors.js';
import { paginate } from '../http-body.js';
import { methodIs, repositoryScope, type RouteHandler } from './context.js';

export const tags: RouteHandler<'name'> = async (ctx, { name }) => {
  if (!methodIs(ctx, 'GET')) throw new RegistryError('UNSUPPORTED');
  await ctx.authorize(repositoryScope(name, ['pull']));
  const all = ctx.storage.tags(name);
  if (!all) throw new RegistryError('NAME_UNKNOWN', { name });
  const list = paginate(all, ctx.query, `/v2/${name}/tags/list`, ctx.res);
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ name, tags: list }));
};
