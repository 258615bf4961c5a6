// POST /v2/<name>/blobs/uploads/: starts an upload ("end-4a"), uploads monolithically with ?digest= ("end-4b"),
// or mounts a blob from another repository the caller may pull (?mount=&from=, "end-11").
import { isDigest } from '../digest.js';
import { RegistryError } from '../errors.js';
import { consumeBody } from '../http-body.js';
import { checkDigest, methodIs, nameRe, repositoryScope, uploadHeaders, type RouteHandler } from './context.js';

export const uploads: RouteHandler<'name'> = async (ctx, { name }) => {
  const { req, res, storage, query } = ctx;
  if (!methodIs(ctx, 'POST')) throw new RegistryError('UNSUPPORTED');
  await ctx.authorize(repositoryScope(name, ['pull', 'push']));
  const mount = query.get('mount');
  const from = query.get('from');
  if (mount !== null && from !== null && isDigest(mount) && nameRe.test(from)) {
    // Mount only what the caller could pull from the source repository; otherwise fall through to an upload.
    const allowed = await ctx.authorize(repositoryScope(from, ['pull'])).then(
      () => true,
      () => false,
    );
    if (allowed && storage.mountBlob(name, from, mount)) {
      res.writeHead(201, { Location: `/v2/${name}/blobs/${mount}`, 'Docker-Content-Digest': mount, 'Content-Length': 0 }).end();
      return;
    }
  }
  const wanted = query.get('digest');
  const session = storage.startUpload(name);
  if (wanted !== null) {
    const digest = checkDigest(wanted);
    try {
      await consumeBody(req, (chunk) => storage.appendUpload(session, chunk));
      await storage.finishUpload(session, digest);
    } finally {
      storage.cancelUpload(session);
    }
    res.writeHead(201, { Location: `/v2/${name}/blobs/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 }).end();
    return;
  }
  await consumeBody(req, (chunk) => storage.appendUpload(session, chunk));
  uploadHeaders(res, name, session);
  res.writeHead(202, { 'Content-Length': 0 }).end();
};
