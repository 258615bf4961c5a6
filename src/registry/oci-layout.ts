// Writes an image as an OCI image layout directory (image-spec image-layout.md), which skopeo reads as `oci:DIR:TAG`.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { imageBlobs, type BuiltImage } from './image-builder.js';

export async function writeOciLayout(dir: string, image: BuiltImage, tag: string): Promise<void> {
  const blobDir = path.join(dir, 'blobs', 'sha256');
  await mkdir(blobDir, { recursive: true });
  await writeFile(path.join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const blobs = imageBlobs(image);
  blobs.set(image.digest, image.manifestBytes);
  for (const [digest, data] of blobs) await writeFile(path.join(blobDir, digest.slice('sha256:'.length)), data);
  const index = {
    schemaVersion: 2,
    manifests: [
      { mediaType: image.mediaType, digest: image.digest, size: image.manifestBytes.length, annotations: { 'org.opencontainers.image.ref.name': tag } },
    ],
  };
  await writeFile(path.join(dir, 'index.json'), JSON.stringify(index));
}
