// What the API cannot do on a kind node, done as kind does it: hosts.toml for the lab registries, side-loading
// an image (ctr import: no kubelet pull record), `crictl rmi`, listing images, clearing KEP-2535 pull records.
import { clearPullRecords, containerdConfigDump, importImage, listImages, removeImage, writeHostsToml } from './commands.js';
import { hostsToml } from './config.js';
import { CommandError, runCommand } from './exec.js';

export async function configureRegistryHosts(node: string, hosts: readonly string[]): Promise<void> {
  for (const host of hosts) await runCommand(writeHostsToml(node, host, hostsToml(host)));
}

export async function sideLoad(node: string, ociArchive: Buffer): Promise<void> {
  const snapshotter = parseSnapshotter(await runCommand(containerdConfigDump(node)));
  await runCommand(importImage(node, snapshotter), { inputBytes: ociArchive });
}

/**
 * The CRI snapshotter from `containerd config dump`: `plugins."io.containerd.cri.v1.images".snapshotter` (config
 * version 3/4, containerd 2.x) or `plugins."io.containerd.grpc.v1.cri".containerd.snapshotter` (version 2), as kind's
 * parseSnapshotter reads it; kind's nodes use overlayfs unless rootless.
 */
export function parseSnapshotter(dump: string): string {
  const sections: [RegExp, RegExp][] = [
    [/^\s*\[plugins\.['"]io\.containerd\.cri\.v1\.images['"]\]\s*$/, /^\s*snapshotter\s*=\s*['"]([\w.-]+)['"]/],
    [/^\s*\[plugins\.['"]io\.containerd\.grpc\.v1\.cri['"]\.containerd\]\s*$/, /^\s*snapshotter\s*=\s*['"]([\w.-]+)['"]/],
  ];
  const lines = dump.split('\n');
  for (const [header, key] of sections) {
    const start = lines.findIndex((l) => header.test(l));
    if (start < 0) continue;
    for (const line of lines.slice(start + 1)) {
      if (/^\s*\[/.test(line)) break;
      const m = key.exec(line);
      if (m) return m[1]!;
    }
  }
  throw new Error('cannot find the CRI snapshotter in the containerd config');
}

interface CriImage {
  id: string;
  repoTags?: string[] | null;
  repoDigests?: string[] | null;
}

/** crictl images -o json: {"images": [{"id", "repoTags", "repoDigests", …}]} (cri-tools cmd/crictl/image.go). */
export function parseCrictlImages(json: string): CriImage[] {
  const parsed = JSON.parse(json) as { images?: CriImage[] };
  return parsed.images ?? [];
}

export function imagesOnHosts(images: readonly CriImage[], hosts: readonly string[]): CriImage[] {
  const ours = (ref: string) => hosts.some((h) => ref.startsWith(`${h}/`));
  return images.filter((i) => [...(i.repoTags ?? []), ...(i.repoDigests ?? [])].some(ours));
}

export async function nodeImageList(node: string): Promise<CriImage[]> {
  return parseCrictlImages(await runCommand(listImages(node)));
}

/** `crictl rmi`; an image that is not there is already removed. */
export async function removeNodeImage(node: string, image: string): Promise<void> {
  try {
    await runCommand(removeImage(node, image));
  } catch (error) {
    if (error instanceof CommandError && /not found|no such image|does not exist/i.test(error.stderr)) return;
    throw error;
  }
}

/** Removes every image from the lab's registries (by ID: all its tags and digests), then their pull records. */
export async function resetNodeImages(node: string, hosts: readonly string[], clearRecords: boolean): Promise<void> {
  const ours = imagesOnHosts(await nodeImageList(node), hosts);
  for (const image of ours) await retry(() => removeNodeImage(node, image.id), 10, 2_000);
  // the script is idempotent; seen once in a full live run at load ≈ 30: `docker exec` exited 126 with no output
  if (clearRecords) await retry(async () => void (await runCommand(clearPullRecords(node, hosts))), 3, 2_000);
}

/** Containers of a just-deleted pod may hold the image for a moment after the pod object is gone. */
async function retry(fn: () => Promise<void>, attempts: number, delayMs: number): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= attempts) throw error;
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
}
