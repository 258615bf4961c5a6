// The node's own filesystem, as far as the lab has one: what a hostPath volume mounts. The image store is laid
// out as containerd's content store lays it out on a real node (kind included):
//   /var/lib/containerd/io.containerd.content.v1.content/blobs/sha256/<hex>   the compressed blobs, byte for byte
// plus /etc/hostname. sync() follows the image store after pulls, preloads and removals; a container that
// mounted it sees the change, as a bind mount does.
import type { ImageStore } from './image-store.js';
import { RootFs, type FsEntry } from './rootfs.js';

/** containerd's content store root (plugins."io.containerd.content.v1.content", under /var/lib/containerd). */
export const CONTENT_STORE = '/var/lib/containerd/io.containerd.content.v1.content';

const dir = (mode = 0o755): FsEntry & { type: 'dir' } => ({ type: 'dir', mode, children: new Map() });

export class NodeFilesystem {
  readonly fs = new RootFs();
  readonly #blobs: FsEntry & { type: 'dir' };

  constructor(
    private readonly store: ImageStore,
    nodeName: string,
  ) {
    const etc = this.#mkdir('/etc');
    etc.children.set('hostname', { type: 'file', mode: 0o644, content: new Uint8Array(Buffer.from(`${nodeName}\n`)) });
    this.#mkdir(`${CONTENT_STORE}/ingest`);
    this.#blobs = this.#mkdir(`${CONTENT_STORE}/blobs`);
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
  }
}
