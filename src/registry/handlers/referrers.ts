// GET /v2/<name>/referrers/<digest> ("end-12a"): an image index of the manifests whose subject is the digest.
import { RegistryError } from '../errors.js';
import { OCI_INDEX } from '../media-types.js';
import { checkDigest, methodIs, repositoryScope, type RouteHandler } from './context.js';

export const referrers: RouteHandler<'name' | 'digest'> = async (ctx, params) => {
  if (!methodIs(ctx, 'GET')) throw new RegistryError('UNSUPPORTED');
  const digest = checkDigest(params.digest);
  await ctx.authorize(repositoryScope(params.name, ['pull']));
  const manifests = ctx.storage.referrers(params.name, digest).map((m) => {
    const body = JSON.parse(m.body.toString('utf8')) as { artifactType?: string; config?: { mediaType?: string }; annotations?: Record<string, string> };
    const artifactType = body.artifactType ?? body.config?.mediaType;
    return {
      mediaType: m.mediaType,
      digest: m.digest,
      size: m.body.length,
      ...(artifactType ? { artifactType } : {}),
      ...(body.annotations ? { annotations: body.annotations } : {}),
    };
  });
  ctx.res.writeHead(200, { 'Content-Type': OCI_INDEX }).end(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
};
