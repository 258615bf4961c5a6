// Images made without any registry or Dockerfile: OCI archives of the Kubernetes component images for the
// node's containerd, and Docker image archives (the `docker save` layout `docker load` reads) for the node,
// the lab's registry and busybox.
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { execa } from 'execa';
import { sha256Digest } from '../../src/registry/digest.js';
import { assembleImage, buildLayer, defaultPath, type Layer, type TarEntry } from '../../src/registry/image-builder.js';
import { OCI_LAYER_GZIP } from '../../src/registry/media-types.js';
import { builtImageContent, ociArchive } from '../../src/registry/oci-layout.js';

export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return `sha256:${hash.digest('hex')}`;
}

/** The directories an image of static binaries needs around them (a writable /tmp for Go's os.TempDir). */
const skeleton: TarEntry[] = [
  { path: 'etc', type: 'directory' },
  { path: 'tmp', type: 'directory', mode: 0o1777 },
  { path: 'usr', type: 'directory' },
  { path: 'usr/local', type: 'directory' },
  { path: 'usr/local/bin', type: 'directory' },
  { path: 'etc/passwd', type: 'file', content: 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n' },
  { path: 'etc/group', type: 'file', content: 'root:x:0:\nnobody:x:65534:\n' },
];

/** A gzipped layer from a tar on disk (a debootstrap rootfs). */
export async function layerFromTar(file: string): Promise<Layer> {
  const tar = await readFile(file);
  const data = gzipSync(tar, { level: 6 });
  return { digest: sha256Digest(data), diffId: sha256Digest(tar), mediaType: OCI_LAYER_GZIP, data };
}

export interface ComponentImage {
  /** Exactly the reference kubeadm asks for (`kubeadm config images list`). */
  ref: string;
  /** Path inside the image of the one binary it runs, and the binary on this machine. */
  binaryPath: string;
  binary: string;
  entrypoint?: string[];
  /** Layers under the binary's (kube-proxy's Debian userland). */
  base?: Layer[];
}

/** An OCI archive (`ctr images import` reads it) of a static binary in an otherwise empty image. */
export async function componentArchive(image: ComponentImage, file: string): Promise<void> {
  const layer = await buildLayer([
    ...skeleton.filter((e) => !image.base || e.type === 'directory'),
    { path: image.binaryPath, type: 'file', content: await readFile(image.binary), mode: 0o755 },
  ]);
  const built = assembleImage([...(image.base ?? []), layer], { env: [defaultPath], ...(image.entrypoint ? { entrypoint: image.entrypoint } : {}) });
  await writeFile(file, await ociArchive(builtImageContent(built), image.ref));
}

export interface DockerImageConfig {
  env: string[];
  entrypoint?: string[];
  cmd?: string[];
  labels?: Record<string, string>;
  stopSignal?: string;
  exposedPorts?: string[];
  volumes?: string[];
  user?: string;
}

export interface DockerArchive {
  /** A directory holding manifest.json, the config and the layer tars (symlinks into the cache). */
  dir: string;
  ref: string;
  id: string;
  bytes: number;
}

/**
 * The `docker save` layout (moby image/tarexport): manifest.json naming the config and each layer.tar, which
 * `docker load` reads from a tar stream. The config fixes `created`, so the same layers give the same image ID.
 */
export async function writeDockerArchive(dir: string, ref: string, layerTars: string[], config: DockerImageConfig): Promise<DockerArchive> {
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const diffIds: string[] = [];
  let bytes = 0;
  const layerNames: string[] = [];
  for (const [i, tar] of layerTars.entries()) {
    const diffId = await fileSha256(tar);
    diffIds.push(diffId);
    bytes += (await stat(tar)).size;
    const name = `${i}-${diffId.slice(7, 19)}/layer.tar`;
    await mkdir(path.join(dir, path.dirname(name)));
    await symlink(path.resolve(tar), path.join(dir, name));
    layerNames.push(name);
  }
  const epoch = new Date(0).toISOString();
  const configBytes = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: epoch,
      config: {
        Env: config.env,
        ...(config.entrypoint ? { Entrypoint: config.entrypoint } : {}),
        ...(config.cmd ? { Cmd: config.cmd } : {}),
        ...(config.user ? { User: config.user } : {}),
        ...(config.exposedPorts ? { ExposedPorts: Object.fromEntries(config.exposedPorts.map((p) => [p, {}])) } : {}),
        ...(config.volumes ? { Volumes: Object.fromEntries(config.volumes.map((v) => [v, {}])) } : {}),
        ...(config.stopSignal ? { StopSignal: config.stopSignal } : {}),
        Labels: config.labels ?? {},
      },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: layerTars.map(() => ({ created: epoch, created_by: 'image-heist fidelity/kind-node' })),
    }),
  );
  const id = sha256Digest(configBytes);
  const configName = `${id.slice(7)}.json`;
  await writeFile(path.join(dir, configName), configBytes);
  await writeFile(path.join(dir, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: [ref], Layers: layerNames }]));
  return { dir, ref, id, bytes };
}

/** A small layer (the registry's, busybox's) written from entries to a tar file. */
export async function writeLayerTar(file: string, entries: readonly TarEntry[]): Promise<void> {
  const { packTar } = await import('../../src/registry/image-builder.js');
  await writeFile(file, await packTar(entries));
}

/** The image ID the engine holds under `ref`, or undefined. */
export async function engineImageId(ref: string): Promise<string | undefined> {
  const r = await execa('docker', ['image', 'inspect', '--format', '{{.Id}}', ref], { reject: false, stdin: 'ignore' });
  return r.exitCode === 0 ? r.stdout.trim() : undefined;
}

/** `docker load` of an archive directory, streamed (the node image's layers are not copied again). */
export async function loadDockerArchive(archive: DockerArchive): Promise<void> {
  if (!existsSync(path.join(archive.dir, 'manifest.json'))) throw new Error(`${archive.dir} is not a docker archive`);
  // tar -h follows the layer links into the cache; pipefail reports a tar failure too
  const load = await execa('bash', ['-c', 'set -o pipefail; tar -chf - -C "$0" . | docker load', archive.dir], { reject: false, all: true, stdin: 'ignore' });
  if (load.exitCode !== 0) throw new Error(`docker load of ${archive.ref} failed: ${load.all}`);
  const id = await engineImageId(archive.ref);
  if (id !== archive.id) throw new Error(`docker load gave ${archive.ref} the ID ${id}, expected ${archive.id}`);
}
