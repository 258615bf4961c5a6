// GET /v2/_catalog: the repositories (registry:2's catalog extension), paginated, for any known user.
import { RegistryError } from '../errors.js';
import { paginate } from '../http-body.js';
import { methodIs, type RouteHandler } from './context.js';

export const catalog: RouteHandler = async (ctx) => {
  if (!methodIs(ctx, 'GET')) throw new RegistryError('UNSUPPORTED');
  await ctx.authorize({ type: 'registry', name: 'catalog', actions: ['*'] });
  const repositories = paginate(ctx.storage.catalog(), ctx.query, '/v2/_catalog', ctx.res);
  ctx.res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ repositories }));
};
