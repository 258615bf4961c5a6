// The registry of one lab, ready for the story: random users, SuperSecretImage1 with a fresh flag in secure/*,
// a public image, and Admin1's .dockerconfigjson for ImagePullSecret1.
import { pushImage } from './client.js';
import { makeDockerConfigJson } from './docker-config.js';
import { buildPublicImage, buildSecretImage, createFlag, imageBlobs, type BuiltImage } from './image-builder.js';
import { createRegistryUsers, labAccessRules, type RegistryUsers } from './lab-users.js';
import { startRegistry, type RunningRegistry } from './server.js';

export interface LabRegistryOptions {
  auth?: 'basic' | 'token';
  flag?: string;
  storageDir?: string;
  log?: (line: string) => void;
}

export interface LabRegistry {
  registry: RunningRegistry;
  users: RegistryUsers;
  flag: string;
  /** `127.0.0.1:PORT/secure/supersecretimage1:v1` — a non-latest tag, so the default pull policy is IfNotPresent. */
  secretImage: string;
  secretDigest: string;
  /** `127.0.0.1:PORT/public/hello:v1`, pullable without credentials. */
  publicImage: string;
  publicDigest: string;
  /** The `.dockerconfigjson` of ImagePullSecret1: Admin1's login for this registry's host:port. */
  admin1DockerConfigJson: string;
  close(): Promise<void>;
}

async function push(registry: RunningRegistry, users: RegistryUsers, ref: string, image: BuiltImage): Promise<void> {
  await pushImage(ref, { manifestBytes: image.manifestBytes, mediaType: image.mediaType, blobs: imageBlobs(image) }, { credentials: users.pusher });
}

export async function startLabRegistry(options: LabRegistryOptions = {}): Promise<LabRegistry> {
  const users = createRegistryUsers();
  const flag = options.flag ?? createFlag();
  const registry = await startRegistry({
    users: [users.admin1, users.pusher],
    access: labAccessRules(users),
    auth: options.auth ?? 'basic',
    ...(options.storageDir ? { storageDir: options.storageDir } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
  try {
    const secret = await buildSecretImage({ flag });
    const pub = await buildPublicImage();
    const secretImage = `${registry.host}/secure/supersecretimage1:v1`;
    const publicImage = `${registry.host}/public/hello:v1`;
    await push(registry, users, secretImage, secret);
    await push(registry, users, publicImage, pub);
    return {
      registry,
      users,
      flag,
      secretImage,
      secretDigest: secret.digest,
      publicImage,
      publicDigest: pub.digest,
      admin1DockerConfigJson: makeDockerConfigJson(registry.host, users.admin1.username, users.admin1.password),
      close: () => registry.close(),
    };
  } catch (error) {
    await registry.close();
    throw error;
  }
}
