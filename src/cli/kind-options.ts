// The options every kind-capable command shares: which images the backend runs (defaults: the pinned upstream ones).
import type { Command } from 'commander';
import { UserError } from '../errors.js';
import { DEFAULT_KIND_IMAGES, type KindImages } from '../kind/names.js';

export interface KindImageFlags {
  nodeImage?: string;
  registryImage?: string;
  busyboxImage?: string;
}

export function addKindImageOptions(command: Command): Command {
  return command
    .option('--node-image <image>', `kind: the node image (default ${DEFAULT_KIND_IMAGES.node.replace(/@.*$/, '')}, pinned by digest)`)
    .option('--registry-image <image>', `kind: the lab registries' image (default ${DEFAULT_KIND_IMAGES.registry})`)
    .option('--busybox-image <image>', `kind: the base of the lab images (default ${DEFAULT_KIND_IMAGES.busybox})`);
}

/** The images named on the command line; an image option without --backend kind is a usage error. */
export function kindImages(flags: KindImageFlags, backend: string): Partial<KindImages> | undefined {
  const images: Partial<KindImages> = {
    ...(flags.nodeImage ? { node: flags.nodeImage } : {}),
    ...(flags.registryImage ? { registry: flags.registryImage } : {}),
    ...(flags.busyboxImage ? { busybox: flags.busyboxImage } : {}),
  };
  if (Object.keys(images).length === 0) return undefined;
  if (backend !== 'kind') throw new UserError('--node-image, --registry-image and --busybox-image are for the kind backend', 'add --backend kind');
  for (const image of Object.values(images)) {
    if (!/^[\w][\w.:/@-]*$/.test(image)) throw new UserError(`not an image reference: ${JSON.stringify(image)}`, 'for example --node-image image-heist/kind-node:v1.36.3');
  }
  return images;
}
