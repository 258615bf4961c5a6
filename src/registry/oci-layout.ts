// An OCI image layout (image-spec image-layout.md) as one tar, which `ctr images import` side-loads onto a node
// (as `kind load` does).
import { imageBlobs, packTar, type BuiltImage, type TarEntry } from './image-builder.js';
import { OCI_INDEX } from './media-types.js';

/** An image as an OCI layout tar names it: the manifest and every blob by digest. */
export interface ArchiveContent {
  manifestBytes: Buffer;
  mediaType: string;
  digest: string;
  /** Config and layer blobs by digest. */
  blobs: ReadonlyMap<string, Buffer>;
}

export function builtImageContent(image: BuiltImage): ArchiveContent {
  return { manifestBytes: image.manifestBytes, mediaType: image.mediaType, digest: image.digest, blobs: imageBlobs(image) };
}

export async function ociArchive(image: ArchiveContent, reference: string): Promise<Buffer> {
  const tag = /:([\w][\w.-]{0,127})$/.exec(reference.replace(/@.*$/, ''))?.[1] ?? 'latest';
  const index = {
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      {
        mediaType: image.mediaType,
        digest: image.digest,
        size: image.manifestBytes.length,
        annotations: { 'io.containerd.image.name': reference, 'org.opencontainers.image.ref.name': tag },
      },
    ],
  };
  const blobs = new Map(image.blobs);
  blobs.set(image.digest, image.manifestBytes);
  return packTar([
    { path: 'oci-layout', type: 'file', content: JSON.stringify({ imageLayoutVersion: '1.0.0' }) },
    { path: 'index.json', type: 'file', content: JSON.stringify(index) },
    ...[...blobs].map(([digest, data]): TarEntry => ({ path: `blobs/sha256/${digest.slice('sha256:'.length)}`, type: 'file', content: data })),
  ]);
}
