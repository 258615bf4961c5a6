// The lab's images, built as real OCI images (image-spec manifest.md, config.md, layer.md) with deterministic
// bytes: the same flag always gives the same digests.
import { randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { sha256Digest, type Digest } from './digest.js';
import type { Descriptor, ImageManifest } from './manifest.js';
import { OCI_CONFIG, OCI_LAYER_GZIP, OCI_MANIFEST } from './media-types.js';

export interface TarEntry {
  /** Path inside the image, without the leading slash: `bin/sh`, `flag.txt`. */
  path: string;
  type: 'file' | 'directory' | 'symlink';
  content?: string | Buffer;
  /** For symlinks. */
  target?: string;
  mode?: number;
}

export interface Layer {
  digest: Digest;
  /** sha256 of the uncompressed tar (config rootfs.diff_ids). */
  diffId: Digest;
  mediaType: string;
  data: Buffer;
}

export interface BuiltImage {
  manifest: ImageManifest;
  manifestBytes: Buffer;
  digest: Digest;
  mediaType: typeof OCI_MANIFEST;
  config: Buffer;
  configDigest: Digest;
  layers: Layer[];
}

export interface ImageConfigInput {
  env?: string[];
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  architecture?: string;
  os?: string;
}

/** busybox-style PATH lookup, as Docker's default environment has it. */
export const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const epoch = new Date(0);

/** A plain tar with fixed mtimes, uid/gid 0 and sorted entries: the same entries give the same bytes. */
export async function packTar(entries: readonly TarEntry[]): Promise<Buffer> {
  const pack = tarPack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => chunks.push(c as Buffer));
  const done = new Promise<void>((resolve, reject) => {
    pack.on('end', resolve);
    pack.on('error', reject);
  });
  const sorted = [...entries].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const e of sorted) {
    const common = { name: e.path, mtime: epoch, uid: 0, gid: 0, uname: 'root', gname: 'root' };
    if (e.type === 'directory') pack.entry({ ...common, type: 'directory', mode: e.mode ?? 0o755 });
    else if (e.type === 'symlink') pack.entry({ ...common, type: 'symlink', linkname: e.target ?? '', mode: e.mode ?? 0o777 });
    else pack.entry({ ...common, type: 'file', mode: e.mode ?? 0o644 }, typeof e.content === 'string' ? Buffer.from(e.content) : (e.content ?? Buffer.alloc(0)));
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** A layer: packTar's entries, gzipped without a timestamp. */
export async function buildLayer(entries: readonly TarEntry[]): Promise<Layer> {
  const tar = await packTar(entries);
  const data = gzipSync(tar, { level: 6 }); // zlib writes mtime 0 in the gzip header
  return { digest: sha256Digest(data), diffId: sha256Digest(tar), mediaType: OCI_LAYER_GZIP, data };
}

/** Assembles config and manifest around layers, in a fixed key order so bytes are stable. */
export function assembleImage(layers: Layer[], input: ImageConfigInput, annotations?: Record<string, string>): BuiltImage {
  const config = Buffer.from(
    JSON.stringify({
      created: epoch.toISOString(),
      architecture: input.architecture ?? 'amd64',
      os: input.os ?? 'linux',
      config: {
        Env: input.env ?? [defaultPath],
        ...(input.entrypoint ? { Entrypoint: input.entrypoint } : {}),
        ...(input.cmd ? { Cmd: input.cmd } : {}),
        WorkingDir: input.workingDir ?? '/',
      },
      rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
      history: layers.map(() => ({ created: epoch.toISOString(), created_by: 'image-heist image-builder' })),
    }),
  );
  const configDigest = sha256Digest(config);
  const manifest: ImageManifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: OCI_CONFIG, digest: configDigest, size: config.length },
    layers: layers.map((l): Descriptor => ({ mediaType: l.mediaType, digest: l.digest, size: l.data.length })),
    ...(annotations ? { annotations } : {}),
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  return { manifest, manifestBytes, digest: sha256Digest(manifestBytes), mediaType: OCI_MANIFEST, config, configDigest, layers };
}

/** Text of the stand-in for busybox: the embedded runtime runs sh/cat/echo/sleep itself when these paths exist. */
export const busyboxPlaceholder =
  '#!image-heist stand-in for busybox: the embedded lab runtime provides its busybox applets (src/embedded/node/applets.ts); kind uses real busybox.\n';

/** The base layer: /bin/busybox and the applets the lab's commands need, as symlinks to it. */
export function buildBaseLayer(): Promise<Layer> {
  return buildLayer([
    { path: 'bin', type: 'directory' },
    { path: 'bin/busybox', type: 'file', content: busyboxPlaceholder, mode: 0o755 },
    ...['sh', 'cat', 'echo', 'find', 'grep', 'gunzip', 'head', 'ls', 'sleep', 'tar', 'wc', 'zcat'].map((applet): TarEntry => ({
      path: `bin/${applet}`,
      type: 'symlink',
      target: '/bin/busybox',
    })),
    { path: 'tmp', type: 'directory', mode: 0o1777 },
  ]);
}

/** A lab flag: random per lab, recognisable in output. */
export function createFlag(): string {
  return `FLAG{${randomBytes(16).toString('hex')}}`;
}

/** Command of the lab images: print the secret, then stay alive so the pod keeps Running. */
export const secretImageCmd = ['sh', '-c', 'cat /flag.txt && sleep infinity'];

/** SuperSecretImage1: base layer + one layer holding /flag.txt. */
export async function buildSecretImage({ flag }: { flag: string }): Promise<BuiltImage> {
  const base = await buildBaseLayer();
  const flagLayer = await buildLayer([{ path: 'flag.txt', type: 'file', content: `${flag}\n`, mode: 0o644 }]);
  return assembleImage([base, flagLayer], { env: [defaultPath], cmd: secretImageCmd }, { 'org.opencontainers.image.title': 'SuperSecretImage1' });
}

/** A harmless public image for anonymous-pull scenarios. */
export async function buildPublicImage(): Promise<BuiltImage> {
  const base = await buildBaseLayer();
  const message = await buildLayer([{ path: 'message.txt', type: 'file', content: 'hello from a public image\n' }]);
  return assembleImage(
    [base, message],
    { env: [defaultPath], cmd: ['sh', '-c', 'cat /message.txt && sleep infinity'] },
    {
      'org.opencontainers.image.title': 'public hello',
    },
  );
}

/** The blobs of an image (config and layers) by digest, as a registry or OCI layout stores them. */
export function imageBlobs(image: BuiltImage): Map<Digest, Buffer> {
  const blobs = new Map<Digest, Buffer>([[image.configDigest, image.config]]);
  for (const l of image.layers) blobs.set(l.digest, l.data);
  return blobs;
}
