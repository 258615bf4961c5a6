// The lab images for kind: the base comes through the Docker engine (pulled anonymously unless the user logged in,
// and offline after `docker load`), the flag layer from the project's image builder, the push from its OCI client.
import { BackendUnavailableError } from '../errors.js';
import { IMAGE_TAG, PUBLIC_REPOSITORY, SECRET_REPOSITORY } from '../lab/names.js';
import { pushImage } from '../registry/client.js';
import { imageBlobs, type BuiltImage } from '../registry/image-builder.js';
import { inspectImage, pullBaseImage, saveImage } from './commands.js';
import { CommandError, runCommand, runCommandBuffer } from './exec.js';
import { buildKindPublicImage, buildKindSecretImage, readDockerArchive, type BaseImage } from './lab-images.js';

export { IMAGE_TAG, PUBLIC_REPOSITORY, SECRET_REPOSITORY };

/**
 * An image the backend runs is taken from Docker, and pulled only when Docker lacks it (as kind does for its node
 * image). Offline, a failed pull is one line naming the option and the kit that bring it.
 */
export async function ensureImage(image: string, option: string, signal?: AbortSignal): Promise<void> {
  try {
    await runCommand(inspectImage(image));
    return;
  } catch {
    // not there: pull it
  }
  try {
    await runCommand(pullBaseImage(image), signal ? { signal, timeoutMs: 5 * 60_000 } : { timeoutMs: 5 * 60_000 });
  } catch (error) {
    if (signal?.aborted) throw error;
    const why = error instanceof CommandError ? error.message : String(error);
    throw new BackendUnavailableError(
      `Docker has no ${image} and cannot pull it (${why})`,
      `load it (docker load, or image-heist kind load KIT) or name another image with ${option}`,
    );
  }
}

export async function loadBaseImage(image: string, signal?: AbortSignal): Promise<BaseImage> {
  await ensureImage(image, '--busybox-image', signal);
  return readDockerArchive(await runCommandBuffer(saveImage(image), signal ? { signal } : {}));
}

export interface KindLabImages {
  secret: BuiltImage;
  public: BuiltImage;
}

export async function buildKindLabImages(base: BaseImage, flag: string): Promise<KindLabImages> {
  return { secret: await buildKindSecretImage(base, flag), public: await buildKindPublicImage(base) };
}

const content = (image: BuiltImage) => ({ manifestBytes: image.manifestBytes, mediaType: image.mediaType, blobs: imageBlobs(image) });

/** SuperSecretImage1 to the htpasswd registry as the lab pusher, through the published port on loopback. */
export async function pushKindSecretImage(image: BuiltImage, port: number, pusher: { username: string; password: string }): Promise<void> {
  await pushImage(`127.0.0.1:${port}/${SECRET_REPOSITORY}:${IMAGE_TAG}`, content(image), { credentials: pusher });
}

/** The public image to the anonymous registry. */
export async function pushKindPublicImage(image: BuiltImage, port: number): Promise<void> {
  await pushImage(`127.0.0.1:${port}/${PUBLIC_REPOSITORY}:${IMAGE_TAG}`, content(image));
}
