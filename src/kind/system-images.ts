// A mirror for the node's system images where no registry serves them (an offline node image): under
// AlwaysPullImages every pod pulls, kube-system's too, so the kubelet must find kube-proxy and CoreDNS somewhere.
// They are exported from a node's containerd, pushed with the project's OCI client into the profile's anonymous
// registry, and containerd's certs.d entries (mounted into the nodes) send their registries' pulls there first.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseNormalizedNamed } from '../k8s/image-reference.js';
import { CancelledError } from '../lab/shutdown.js';
import { pushImage } from '../registry/client.js';
import type { Digest } from '../registry/digest.js';
import { isManifestMediaType } from '../registry/media-types.js';
import { containerdVersion, exportNodeImages } from './commands.js';
import { mirrorHostsToml, type MirrorMount } from './config.js';
import { runCommand, runCommandBuffer } from './exec.js';
import { readTar } from './lab-images.js';

/** The registries the system images come from, each once (docker.io, registry.k8s.io, …). */
export function systemRegistries(refs: readonly string[]): string[] {
  return [...new Set(refs.map((r) => parseNormalizedNamed(r).domain))].sort();
}

/** Writes <dir>/<registry>/hosts.toml for each registry, to mount read-only into the nodes. */
export async function writeMirrorHosts(dir: string, refs: readonly string[], mirrorHost: string): Promise<MirrorMount[]> {
  const mounts: MirrorMount[] = [];
  for (const registry of systemRegistries(refs)) {
    const hostPath = path.join(dir, registry);
    await mkdir(hostPath, { recursive: true, mode: 0o755 });
    await writeFile(path.join(hostPath, 'hosts.toml'), mirrorHostsToml(registry, mirrorHost), { mode: 0o644 });
    mounts.push({ registry, hostPath });
  }
  return mounts;
}

export interface ArchivedImage {
  /** The name containerd gave it (io.containerd.image.name). */
  reference: string;
  manifestBytes: Buffer;
  mediaType: string;
  blobs: Map<Digest, Buffer>;
}

interface Descriptor {
  mediaType: string;
  digest: string;
  platform?: { architecture?: string; os?: string };
  annotations?: Record<string, string>;
}

/**
 * The images of an OCI image layout archive, as `ctr images export` writes it (index.json naming each image by the
 * io.containerd.image.name annotation, blobs/sha256/…). An index is narrowed to the platform's manifest: export
 * --platform keeps only that one's blobs.
 */
export async function readOciArchive(archive: Buffer, platform: { os: string; architecture: string }): Promise<ArchivedImage[]> {
  const files = await readTar(archive);
  const blob = (digest: string): Buffer => {
    const data = files.get(`blobs/${digest.replace(':', '/')}`);
    if (!data) throw new Error(`OCI archive: blob ${digest} is missing`);
    return data;
  };
  const indexFile = files.get('index.json');
  if (!indexFile) throw new Error('not an OCI image layout archive: index.json is missing');
  const index = JSON.parse(indexFile.toString('utf8')) as { manifests?: Descriptor[] };
  const images: ArchivedImage[] = [];
  for (const top of index.manifests ?? []) {
    const reference = top.annotations?.['io.containerd.image.name'];
    if (!reference) continue;
    let descriptor = top;
    let bytes = blob(descriptor.digest);
    if (/index|manifest\.list/.test(descriptor.mediaType)) {
      const list = JSON.parse(bytes.toString('utf8')) as { manifests?: Descriptor[] };
      const chosen = list.manifests?.find((m) => m.platform?.os === platform.os && m.platform?.architecture === platform.architecture);
      if (!chosen) throw new Error(`OCI archive: ${reference} has no ${platform.os}/${platform.architecture} manifest`);
      descriptor = chosen;
      bytes = blob(chosen.digest);
    }
    if (!isManifestMediaType(descriptor.mediaType)) throw new Error(`OCI archive: ${reference} has an unknown manifest type ${descriptor.mediaType}`);
    const manifest = JSON.parse(bytes.toString('utf8')) as { config: { digest: string }; layers: { digest: string }[] };
    const blobs = new Map<Digest, Buffer>([manifest.config, ...manifest.layers].map((d) => [d.digest as Digest, blob(d.digest)]));
    images.push({ reference, manifestBytes: bytes, mediaType: descriptor.mediaType, blobs });
  }
  return images;
}

/** containerd answers inside a node container a second or two after it starts (before kubeadm runs). */
export async function waitForContainerd(node: string, signal?: AbortSignal, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (signal?.aborted) throw new CancelledError();
    if (
      await runCommand(containerdVersion(node)).then(
        () => true,
        () => false,
      )
    )
      return;
    if (Date.now() > deadline) throw new Error(`containerd on ${node} did not answer within ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Exports the system images from the node and returns them, ready to push. */
export async function exportSystemImages(node: string, refs: readonly string[], platform: { os: string; architecture: string }, signal?: AbortSignal): Promise<ArchivedImage[]> {
  // kind restarts containerd once it has patched its config: an export cut short by that restart is tried again
  for (let attempt = 1; ; attempt++) {
    await waitForContainerd(node, signal);
    try {
      const archive = await runCommandBuffer(exportNodeImages(node, refs, `${platform.os}/${platform.architecture}`), signal ? { signal } : {});
      return await readOciArchive(archive, platform);
    } catch (error) {
      if (attempt >= 5 || signal?.aborted) throw error;
      await new Promise((r) => setTimeout(r, 2_000));
    }
  }
}

/** Pushes each image under its own path and tag into the mirror (reached on loopback through its published port). */
export async function pushToMirror(images: readonly ArchivedImage[], port: number): Promise<void> {
  for (const image of images) {
    const named = parseNormalizedNamed(image.reference);
    const target = `127.0.0.1:${port}/${named.path}${named.tag ? `:${named.tag}` : ''}`;
    await pushImage(named.tag ? target : `${target}:latest`, { manifestBytes: image.manifestBytes, mediaType: image.mediaType, blobs: image.blobs });
  }
}
