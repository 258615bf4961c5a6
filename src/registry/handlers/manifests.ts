// /v2/<name>/manifests/<reference>: GET/HEAD ("end-3"), PUT ("end-7": every referenced blob and manifest must
// exist; a digest reference must be the body's digest) and DELETE ("end-9").
import { sha256Digest } from '../digest.js';
import { RegistryError } from '../errors.js';
import { readLimited } from '../http-body.js';
import { parseManifest, referencedDigests } from '../manifest.js';
import { checkDigest, methodIs, repositoryScope, tagRe, type RouteHandler } from './context.js';

export const manifests: RouteHandler<'name' | 'reference'> = async (ctx, { name, reference }) => {
  const { req, res, storage } = ctx;
  const byDigest = reference.includes(':');
  if (byDigest) checkDigest(reference);
  else if (!tagRe.test(reference)) {
    throw new RegistryError(methodIs(ctx, 'PUT') ? 'MANIFEST_INVALID' : 'MANIFEST_UNKNOWN', { tag: reference.slice(0, 200) }, { message: 'invalid tag' });
  }
  if (methodIs(ctx, 'GET', 'HEAD')) {
    await ctx.authorize(repositoryScope(name, ['pull']));
    const m = storage.getManifest(name, reference);
    if (!m) throw new RegistryError('MANIFEST_UNKNOWN', { name, reference });
    res.writeHead(200, {
      'Content-Type': m.mediaType,
      'Content-Length': m.body.length,
      'Docker-Content-Digest': m.digest,
      ETag: `"${m.digest}"`,
    });
    res.end(ctx.method === 'HEAD' ? undefined : m.body);
    return;
  }
  if (methodIs(ctx, 'PUT')) {
    await ctx.authorize(repositoryScope(name, ['pull', 'push']));
    const body = await readLimited(req, storage.limits.maxManifestBytes);
    const parsed = parseManifest(body, req.headers['content-type']);
    const digest = sha256Digest(body);
    if (byDigest && reference !== digest) throw new RegistryError('DIGEST_INVALID', { expected: reference, actual: digest });
    const refs = referencedDigests(parsed);
    for (const d of refs.blobs) if (!storage.hasBlob(name, d)) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { digest: d });
    for (const d of refs.manifests) if (!storage.hasManifest(name, d)) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', { digest: d });
    const subject = parsed.manifest.subject?.digest;
    storage.putManifest(name, { digest, mediaType: parsed.mediaType, body, ...(subject ? { subject } : {}) }, byDigest ? undefined : reference);
    if (subject) res.setHeader('OCI-Subject', subject);
    res.writeHead(201, { Location: `/v2/${name}/manifests/${digest}`, 'Docker-Content-Digest': digest, 'Content-Length': 0 }).end();
    return;
  }
  if (methodIs(ctx, 'DELETE')) {
    await ctx.authorize(repositoryScope(name, ['delete']));
    if (!storage.deleteManifest(name, reference)) throw new RegistryError('MANIFEST_UNKNOWN', { name, reference });
    res.writeHead(202, { 'Content-Length': 0 }).end();
    return;
  }
  throw new RegistryError('UNSUPPORTED');
};
