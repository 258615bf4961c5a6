// /v2/<name>/blobs/uploads/<id>: an upload session's status (GET), cancel (DELETE), chunks in order (PATCH,
// "end-5") and the closing PUT with ?digest= ("end-6").
import { isDigest, type Digest } from '../digest.js';
import { RegistryError } from '../errors.js';
import { consumeBody } from '../http-body.js';
import { methodIs, repositoryScope, uploadHeaders, type RouteHandler } from './context.js';

export const uploadSession: RouteHandler<'name' | 'id'> = async (ctx, { name, id }) => {
  const { req, res, storage, query, method } = ctx;
  await ctx.authorize(repositoryScope(name, ['pull', 'push']));
  const session = storage.getUpload(name, id);
  if (methodIs(ctx, 'GET')) {
    uploadHeaders(res, name, session);
    res.writeHead(204).end();
    return;
  }
  if (methodIs(ctx, 'DELETE')) {
    storage.cancelUpload(session);
    res.writeHead(204).end();
    return;
  }
  if (methodIs(ctx, 'PATCH', 'PUT')) {
    const contentRange = req.headers['content-range'];
    if (method === 'PATCH' && contentRange !== undefined) {
      const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(contentRange.trim());
      if (!m || Number(m[1]) !== session.size) {
        uploadHeaders(res, name, session);
        throw new RegistryError('BLOB_UPLOAD_INVALID', { range: contentRange.slice(0, 60), offset: session.size }, { message: 'chunk out of order', status: 416 });
      }
    }
    const digestText = method === 'PUT' ? query.get('digest') : null;
    if (method === 'PUT' && (digestText === null || !isDigest(digestText))) {
      throw new RegistryError('DIGEST_INVALID', { digest: digestText?.slice(0, 200) ?? null }, { message: 'digest missing or invalid' });
    }
    await consumeBody(req, (chunk) => storage.appendUpload(session, chunk));
    if (method === 'PATCH') {
      uploadHeaders(res, name, session);
      res.writeHead(202, { 'Content-Length': 0 }).end();
      return;
    }
    const digest = digestText as Digest;
    await storage.finishUpload(session, digest);
    res.writeHead(201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 }).end();
    return;
  }
  throw new RegistryError('UNSUPPORTED');
};
