// The kind lab's images: a real runnable base (busybox, read from the Docker engine's `docker image save`
// archive) with the project's image builder adding the flag layer on top, and OCI archives for side-loading.
import { gunzipSync, gzipSync } from 'node:zlib';
import { sha256Digest } from '../registry/digest.js';
import { readLayer } from '../registry/layer-reader.js';
import { assembleImage, buildLayer, defaultPath, secretImageCmd, type BuiltImage, type Layer } from '../registry/image-builder.js';
import { OCI_LAYER_GZIP } from '../registry/media-types.js';

export interface BaseImage {
  layers: Layer[];
  env: string[];
  architecture: string;
  os: string;
}

/** Every regular file of a tar, by path. */
export async function readTar(data: Buffer): Promise<Map<string, Buffer>> {
  const entries = await readLayer(data);
  return new Map(entries.flatMap((e) => (e.type === 'file' ? [[e.path, Buffer.from(e.content ?? '')] as const] : [])));
}

/**
 * Reads the output of `docker image save`: its manifest.json names the config and the layer files, in both
 * the legacy layout and the OCI layout Docker 25+ writes (moby image/tarexport). Layers come back gzipped
 * by this project's builder settings, with diff_ids checked against the config.
 */
export async function readDockerArchive(archive: Buffer): Promise<BaseImage> {
  const files = await readTar(archive);
  const manifestFile = files.get('manifest.json');
  if (!manifestFile) throw new Error('not a docker image archive: manifest.json is missing');
  const manifest = JSON.parse(manifestFile.toString('utf8')) as { Config?: string; Layers?: string[] }[];
  const entry = manifest[0];
  if (!entry?.Config || !Array.isArray(entry.Layers)) throw new Error('docker image archive: manifest.json names no config or layers');
  const configBytes = files.get(entry.Config);
  if (!configBytes) throw new Error(`docker image archive: config ${entry.Config} is missing`);
  const config = JSON.parse(configBytes.toString('utf8')) as { architecture?: string; os?: string; config?: { Env?: string[] }; rootfs?: { diff_ids?: string[] } };
  const layers = entry.Layers.map((name, i): Layer => {
    const stored = files.get(name);
    if (!stored) throw new Error(`docker image archive: layer ${name} is missing`);
    const tar = stored[0] === 0x1f && stored[1] === 0x8b ? gunzipSync(stored) : stored;
    const diffId = sha256Digest(tar);
    const expected = config.rootfs?.diff_ids?.[i];
    if (expected !== undefined && expected !== diffId) throw new Error(`docker image archive: layer ${i + 1} does not match the config's diff_id`);
    const data = gzipSync(tar, { level: 6 });
    return { digest: sha256Digest(data), diffId, mediaType: OCI_LAYER_GZIP, data };
  });
  return { layers, env: config.config?.Env ?? [defaultPath], architecture: config.architecture ?? 'amd64', os: config.os ?? 'linux' };
}

/** SuperSecretImage1 on a real base: busybox's layers, then /flag.txt; it prints the flag and stays up. */
export async function buildKindSecretImage(base: BaseImage, flag: string): Promise<BuiltImage> {
  const flagLayer = await buildLayer([{ path: 'flag.txt', type: 'file', content: `${flag}\n`, mode: 0o644 }]);
  return assembleImage(
    [...base.layers, flagLayer],
    { env: base.env, cmd: secretImageCmd, architecture: base.architecture, os: base.os },
    {
      'org.opencontainers.image.title': 'SuperSecretImage1',
    },
  );
}

export async function buildKindPublicImage(base: BaseImage): Promise<BuiltImage> {
  const message = await buildLayer([{ path: 'message.txt', type: 'file', content: 'hello from a public image\n' }]);
  return assembleImage(
    [...base.layers, message],
    { env: base.env, cmd: ['sh', '-c', 'cat /message.txt && sleep infinity'], architecture: base.architecture, os: base.os },
    {
      'org.opencontainers.image.title': 'public hello',
    },
  );
}

/**
 * An OCI image layout as one tar for `ctr images import`, named by the `io.containerd.image.name` annotation
 * containerd's importer reads (containerd core/images/archive/importer.go), plus the OCI ref name (the tag).
 */
