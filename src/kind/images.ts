// The lab images for kind: the base comes through the Docker engine (pulled anonymously unless the user logged in,
// and offline after `docker load`), the flag layer from the project's image builder, the push from its OCI client.
import { pushImage } from '../registry/client.js';
import { imageBlobs, type BuiltImage } from '../registry/image-builder.js';
import { inspectImage, pullBaseImage, saveImage } from './commands.js';
import { runCommand, runCommandBuffer } from './exec.js';
import { buildKindPublicImage, buildKindSecretImage, readDockerArchive, type BaseImage } from './lab-images.js';

export const SECRET_REPOSITORY = 'secure/super-secret-image';
export const PUBLIC_REPOSITORY = 'public/hello';
export const IMAGE_TAG = '1';

export async function loadBaseImage(image: string, signal?: AbortSignal): Promise<BaseImage> {
  try {
    await runCommand(inspectImage(image));
  } catch {
    await runCommand(pullBaseImage(image), signal ? { signal, timeoutMs: 5 * 60_000 } : { timeoutMs: 5 * 60_000 });
  }
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

/** Pushes through the published ports on loopback (the project's client contacts nothing else by default). */
export async function pushKindLabImages(
  images: KindLabImages,
  ports: { secure: number; public: number },
  pusher: { username: string; password: string },
): Promise<void> {
  await pushKindSecretImage(images.secret, ports.secure, pusher);
  await pushKindPublicImage(images.public, ports.public);
}
