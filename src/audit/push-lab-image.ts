// `audit --attack --push-to REPO`: the lab's SuperSecretImage1, with a fresh random flag, pushed to the user's
// own registry with the credentials of the pull secret, so the heist has an image whose secret is recognisable.
import { randomBytes } from 'node:crypto';
import { pushImage } from '../registry/client.js';
import { parseDockerConfigJson } from '../registry/docker-config.js';
import { buildSecretImage, createFlag, imageBlobs } from '../registry/image-builder.js';

/** Pushes the image and returns its reference and flag; the image stays in the registry (a registry may refuse deletes). */
export async function pushLabImage(repository: string, dockerConfigJson: string): Promise<{ image: string; flag: string }> {
  const flag = createFlag();
  const built = await buildSecretImage({ flag });
  const image = `${repository}:audit-${randomBytes(4).toString('hex')}`;
  const host = repository.split('/')[0] ?? '';
  await pushImage(
    image,
    { manifestBytes: built.manifestBytes, mediaType: built.mediaType, blobs: imageBlobs(built) },
    { dockerConfigs: [parseDockerConfigJson(dockerConfigJson)], allowedHosts: [host] },
  );
  return { image, flag };
}
