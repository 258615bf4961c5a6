// GET/HEAD /v2/: the API version check ("end-1" of the distribution spec); needs a login under Basic auth.
import { RegistryError } from '../errors.js';
import { methodIs, type RouteHandler } from './context.js';

export const ping: RouteHandler = async (ctx) => {
  if (!methodIs(ctx, 'GET', 'HEAD')) throw new RegistryError('UNSUPPORTED');
  await ctx.authorize(undefined);
  ctx.res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': 2 }).end(ctx.method === 'HEAD' ? undefined : '{}');
};
