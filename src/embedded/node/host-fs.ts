// The node's own filesystem, as far as the lab has one: what a hostPath volume mounts. The image store is laid
// out as containerd lays it out on a real node:
//   /var/lib/containerd/io.containerd.content.v1.content/blobs/sha256/<hex>   the compressed blobs, byte for byte
//   /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/<n>/fs/   each layer unpacked (overlayfs)
// plus /etc/hostname. The content store keeps every layer, as containerd's default (discard_unpacked_layers =
// false) does; kind's node image sets discard_unpacked_layers = true, so there the layers of a pulled image
// are only in the snapshots. sync() follows the image store after pulls, preloads and removals; a container
// that mounted it sees the change, as a bind mount does.
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { CachedImage, ImageStore } from './image-store.js';
import { RootFs, type FsEntry } from './rootfs.js';
import { readTar } from './tar-reader.js';

/** containerd's content store root (plugins."io.containerd.content.v1.content", under /var/lib/containerd). */
export const CONTENT_STORE = '/var/lib/containerd/io.containerd.content.v1.content';
/** The overlayfs snapshotter's root (plugins."io.containerd.snapshotter.v1.overlayfs"). */
export const SNAPSHOTTER = '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs';

const MAX_LAYER_BYTES = 256 * 1024 * 1024;

/** identity.ChainIDs (opencontainers/image-spec identity/chainid.go): each layer's ID with everything below it. */
export function chainIds(diffIds: readonly string[]): string[] {
  const out: string[] = [];
  for (const d of diffIds) {
    const previous = out[out.length - 1];
    out.push(previous === undefined ? d : `sha256:${createHash('sha256').update(`${previous} ${d}`).digest('hex')}`);
  }
  return out;
}

const dir = (mode = 0o755): FsEntry & { type: 'dir' } => ({ type: 'dir', mode, children: new Map() });

export class NodeFilesystem {
  readonly fs = new RootFs();
  readonly #blobs: FsEntry & { type: 'dir' };
  readonly #snapshots: FsEntry & { type: 'dir' };
  /** chain ID → snapshot number, in the order layers were unpacked (containerd's snapshot IDs count up). */
  readonly #snapshotIds = new Map<string, number>();
  #nextSnapshot = 1;

  constructor(
    private readonly store: ImageStore,
    nodeName: string,
  ) {
    const etc = this.#mkdir('/etc');
    etc.children.set('hostname', { type: 'file', mode: 0o644, content: new Uint8Array(Buffer.from(`${nodeName}\n`)) });
    this.#mkdir(`${CONTENT_STORE}/ingest`);
    this.#blobs = this.#mkdir(`${CONTENT_STORE}/blobs`);
    this.#snapshots = this.#mkdir(`${SNAPSHOTTER}/snapshots`);
    this.#mkdir('/var/lib/kubelet/pods');
    this.#mkdir('/var/log/pods');
    this.sync();
  }

  /** Makes `path` a directory (and its parents); missing parents are created as containerd creates a hostPath source. */
  mkdirAll(path: string): void {
    this.#mkdir(path);
  }

  #mkdir(path: string): FsEntry & { type: 'dir' } {
    let current = this.fs.root;
    for (const part of path.split('/').filter((p) => p !== '' && p !== '.' && p !== '..')) {
      const existing = current.children.get(part);
      const next = existing ?? dir();
      if (!existing) current.children.set(part, next);
      if (next.type !== 'dir') throw new Error(`${path}: not a directory`);
      current = next;
    }
    return current;
  }

  /** One file per blob, `blobs/<algorithm>/<hex>`, read-only as containerd leaves committed blobs. */
  sync(): void {
    const byAlgorithm = new Map<string, Map<string, FsEntry>>();
    for (const digest of this.store.blobDigests()) {
      const i = digest.indexOf(':');
      const content = this.store.getBlob(digest);
      if (i <= 0 || !content) continue;
      const algorithm = digest.slice(0, i);
      let files = byAlgorithm.get(algorithm);
      if (!files) byAlgorithm.set(algorithm, (files = new Map()));
      files.set(digest.slice(i + 1), { type: 'file', mode: 0o444, content });
    }
    if (!byAlgorithm.has('sha256')) byAlgorithm.set('sha256', new Map());
    // replace the children in place: a mount holds the directory objects, not a copy
    for (const [algorithm, files] of byAlgorithm) {
      const existing = this.#blobs.children.get(algorithm);
      const d = existing?.type === 'dir' ? existing : dir();
      if (d !== existing) this.#blobs.children.set(algorithm, d);
      d.children.clear();
      for (const [name, entry] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) d.children.set(name, entry);
    }
    this.#syncSnapshots();
  }

  /** Every layer of every image unpacked once (CRI pulls and `ctr import` both unpack); removed images' go. */
  #syncSnapshots(): void {
    const live = new Set<string>();
    for (const image of this.store.listImages()) {
      const chains = chainIds(image.diffIds);
      chains.forEach((chain, i) => {
        live.add(chain);
        if (this.#snapshotIds.has(chain)) return;
        const id = this.#nextSnapshot++;
        this.#snapshotIds.set(chain, id);
        const snapshot = dir(0o700);
        snapshot.children.set('fs', unpackLayer(this.store, image, i));
        snapshot.children.set('work', dir(0o700));
        this.#snapshots.children.set(String(id), snapshot);
      });
    }
    for (const [chain, id] of [...this.#snapshotIds]) {
      if (live.has(chain)) continue;
      this.#snapshotIds.delete(chain);
      this.#snapshots.children.delete(String(id));
    }
  }
}

/** One layer's own files, as the overlayfs snapshot's upper directory holds them (whiteouts left out). */
function unpackLayer(store: ImageStore, image: CachedImage, index: number): FsEntry & { type: 'dir' } {
  const root = dir();
  const layer = image.layers[index];
  const blob = layer ? store.getBlob(layer.digest) : undefined;
  if (!blob) return root;
  let tar: Uint8Array;
  try {
    tar = blob[0] === 0x1f && blob[1] === 0x8b ? new Uint8Array(gunzipSync(blob, { maxOutputLength: MAX_LAYER_BYTES })) : blob;
  } catch {
    return root; // not a layer the lab can unpack (the runtime reports it when a container needs it)
  }
  const place = (name: string): { parent: FsEntry & { type: 'dir' }; base: string } | undefined => {
    const parts = name.split('/').filter((p) => p !== '' && p !== '.' && p !== '..');
    const base = parts.pop();
    if (base === undefined) return undefined;
    let current = root;
    for (const part of parts) {
      const existing = current.children.get(part);
      const next = existing?.type === 'dir' ? existing : dir();
      if (next !== existing) current.children.set(part, next);
      current = next;
    }
    return { parent: current, base };
  };
  const files = new Map<string, FsEntry>();
  for (const m of readTar(tar)) {
    const at = place(m.name);
    if (!at || at.base.startsWith('.wh.')) continue;
    let entry: FsEntry | undefined;
    if (m.type === 'file') entry = { type: 'file', mode: m.mode, content: m.content };
    else if (m.type === 'dir') {
      const existing = at.parent.children.get(at.base);
      if (existing?.type === 'dir') {
        existing.mode = m.mode;
        continue;
      }
      entry = dir(m.mode);
    } else if (m.type === 'symlink') entry = { type: 'symlink', mode: 0o777, target: m.linkname };
    else if (m.type === 'link') entry = files.get(m.linkname.replace(/^(\.\/)+/, ''));
    if (!entry) continue;
    at.parent.children.set(at.base, entry);
    if (entry.type === 'file') files.set(m.name, entry);
  }
  return root;
}
