// /v2/<name>/blobs/<digest>: GET/HEAD with single byte ranges ("end-2") and DELETE ("end-10").
import { RegistryError } from '../errors.js';
import { parseRange } from '../http-body.js';
import { checkDigest, methodIs, repositoryScope, type RouteHandler } from './context.js';

export const blobs: RouteHandler<'name' | 'digest'> = async (ctx, params) => {
  const { req, res, storage } = ctx;
  const { name } = params;
  const digest = checkDigest(params.digest);
  if (methodIs(ctx, 'GET', 'HEAD')) {
    await ctx.authorize(repositoryScope(name, ['pull']));
    if (!storage.hasBlob(name, digest)) throw new RegistryError('BLOB_UNKNOWN', { digest });
    const size = storage.blobSize(digest)!;
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/octet-stream',
      'Docker-Content-Digest': digest,
      'Accept-Ranges': 'bytes',
      ETag: `"${digest}"`,
    };
    const range = req.headers.range === undefined ? undefined : parseRange(req.headers.range, size);
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': 0 }).end();
      return;
    }
    if (ctx.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'Content-Length': size }).end();
      return;
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    res.writeHead(range ? 206 : 200, {
      ...headers,
      ...(range ? { 'Content-Range': `bytes ${start}-${end}/${size}` } : {}),
      'Content-Length': size === 0 ? 0 : end - start + 1,
    });
    if (size === 0) {
      res.end();
      return;
    }
    const body = storage.openBlob(digest, start, end);
    if (Buffer.isBuffer(body)) res.end(body);
    else {
      body.on('error', () => res.destroy());
      body.pipe(res);
    }
    return;
  }
  if (methodIs(ctx, 'DELETE')) {
    await ctx.authorize(repositoryScope(name, ['delete']));
    if (!storage.unlinkBlob(name, digest)) throw new RegistryError('BLOB_UNKNOWN', { digest });
    res.writeHead(202, { 'Content-Length': 0 }).end();
    return;
  }
  throw new RegistryError('UNSUPPORTED');
};
