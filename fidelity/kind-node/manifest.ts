// What `npm run kind:node-image` built, as the live kind suite, the bench and .ci/run read it: the image
// references, their image IDs (to tell a loaded image from a stale one), the archives they load from, and the
// measured cost of each piece. Paths only; nothing here builds.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** Docker labels the kind backend reads from the node image (the interface agreed with src/kind). */
export const LABEL_CNI = 'dev.image-heist.kind.cni';
export const LABEL_SYSTEM_IMAGES = 'dev.image-heist.kind.system-images';

export interface BuiltDockerImage {
  /** The tag it is loaded under, e.g. `image-heist/kind-node:v1.36.3`. */
  ref: string;
  /** Docker's image ID: sha256 of the image config, the same on every engine it is loaded into. */
  id: string;
  /** Uncompressed size of its layers, in bytes. */
  bytes: number;
}

export interface KindImagesManifest {
  kubernetesVersion: string;
  node: BuiltDockerImage;
  registry: BuiltDockerImage;
  busybox: BuiltDockerImage;
  /** The images the node's containerd holds for kubeadm (exact references kubeadm v1.36.3 asks for). */
  systemImages: string[];
  /** Those a lab must mirror (the node image's system-images label): all but the sandbox image. */
  mirroredSystemImages: string[];
  /** kind v0.32.0, built from the Go module proxy. */
  kindBinary: string;
  /** Seconds each piece took when it was last built (cold when the cache was empty). */
  buildSeconds: Record<string, number>;
  builtAt: string;
}

export function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'image-heist');
}

export function kindNodeCacheDir(): string {
  return path.join(cacheRoot(), 'kind-node');
}

export function manifestPath(): string {
  return path.join(kindNodeCacheDir(), 'manifest.json');
}

export async function readKindImagesManifest(): Promise<KindImagesManifest | undefined> {
  if (!existsSync(manifestPath())) return undefined;
  return JSON.parse(await readFile(manifestPath(), 'utf8')) as KindImagesManifest;
}
