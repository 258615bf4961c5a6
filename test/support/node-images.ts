// Builds real OCI images in memory for tests: gzip (or plain) tar layers made with tar-stream,
// an image config and an OCI manifest, with correct digests and sizes. Not a test itself.
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { digestOf, type ImageConfig, type ImageContent } from '../../src/embedded/node/image-store.js';

export type LayerEntry =
  | { type: 'file'; path: string; content: string | Uint8Array; mode?: number }
  | { type: 'dir'; path: string; mode?: number }
  | { type: 'symlink'; path: string; target: string }
  | { type: 'link'; path: string; target: string };

export interface BuiltLayer {
  bytes: Uint8Array;
  mediaType: string;
  digest: string;
  diffId: string;
}

export async function tarOf(entries: readonly LayerEntry[]): Promise<Uint8Array> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = new Promise<void>((resolve, reject) => {
    pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  for (const e of entries) {
    if (e.type === 'file') {
      const body = typeof e.content === 'string' ? Buffer.from(e.content) : Buffer.from(e.content);
      pack.entry({ name: e.path, type: 'file', mode: e.mode ?? 0o644, size: body.byteLength }, body);
    } else if (e.type === 'dir') pack.entry({ name: e.path, type: 'directory', mode: e.mode ?? 0o755 });
    else if (e.type === 'symlink') pack.entry({ name: e.path, type: 'symlink', linkname: e.target });
    else pack.entry({ name: e.path, type: 'link', linkname: e.target });
  }
  pack.finalize();
  await done;
  return new Uint8Array(Buffer.concat(chunks));
}

export async function buildLayer(entries: readonly LayerEntry[], compression: 'gzip' | 'none' = 'gzip'): Promise<BuiltLayer> {
  const plain = await tarOf(entries);
  const bytes = compression === 'gzip' ? new Uint8Array(gzipSync(plain)) : plain;
  return {
    bytes,
    mediaType: compression === 'gzip' ? 'application/vnd.oci.image.layer.v1.tar+gzip' : 'application/vnd.oci.image.layer.v1.tar',
    digest: digestOf(bytes),
    diffId: digestOf(plain),
  };
}

export interface BuiltImage extends ImageContent {
  layers: Uint8Array[];
  manifestDigest: string;
  configDigest: string;
}

export function buildImage(layers: readonly BuiltLayer[], config: ImageConfig = {}, extra: Record<string, unknown> = {}): BuiltImage {
  const configBytes = new Uint8Array(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        config,
        rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
        ...extra,
      }),
    ),
  );
  const configDigest = digestOf(configBytes);
  const manifest = new Uint8Array(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: configBytes.byteLength },
        layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.bytes.byteLength })),
      }),
    ),
  );
  return { manifest, config: configBytes, layers: layers.map((l) => l.bytes), manifestDigest: digestOf(manifest), configDigest };
}

/** A busybox-style base layer: /bin/busybox plus sh, cat, echo, sleep as symlinks to it (as the lab images have). */
export function busyboxEntries(programs: readonly string[] = ['sh', 'cat', 'echo', 'find', 'grep', 'gunzip', 'head', 'ls', 'sleep', 'tar', 'wc', 'zcat']): LayerEntry[] {
  return [
    { type: 'dir', path: 'bin/' },
    { type: 'file', path: 'bin/busybox', content: 'busybox stand-in\n', mode: 0o755 },
    ...programs.map((p): LayerEntry => ({ type: 'symlink', path: `bin/${p}`, target: 'busybox' })),
  ];
}
