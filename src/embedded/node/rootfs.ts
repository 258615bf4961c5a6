// An image's root filesystem, unpacked from its layers into memory, as a container sees it.
//
//   const fs = await unpackRootfs(image, store, { maxBytes })   layers in order; OCI whiteouts applied
//   fs.stat(path) / fs.readFile(path) / fs.readdir(path)        POSIX-like, errors carry an errno code
//   const cache = new RootfsCache(store); await cache.get(image)  once per image id per node
//
// Layers follow image-spec layer.md: tar, optionally gzip-compressed; `.wh.NAME` deletes NAME from
// lower layers, `.wh..wh..opq` hides everything lower layers put in that directory.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import type { CachedImage, ImageStore } from './image-store.js';

export type FsEntry =
  { type: 'file'; mode: number; content: Uint8Array } | { type: 'dir'; mode: number; children: Map<string, FsEntry> } | { type: 'symlink'; mode: number; target: string };

export type FsErrorCode = 'ENOENT' | 'ENOTDIR' | 'EISDIR' | 'ELOOP' | 'EROFS';

const errnoText: Record<FsErrorCode, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  EISDIR: 'is a directory',
  ELOOP: 'too many levels of symbolic links',
  EROFS: 'read-only file system',
};

/** A filesystem error; `.text` is the libc wording (strerror) programs print. */
export class FsError extends Error {
  override readonly name = 'FsError';
  readonly text: string;
  constructor(
    readonly code: FsErrorCode,
    readonly path: string,
  ) {
    super(`${path}: ${errnoText[code]}`);
    this.text = errnoText[code];
  }
}

/** The image cannot be unpacked (bad layer, too big, unsupported compression). */
export class RootfsError extends Error {
  override readonly name = 'RootfsError';
}

/** What a program reads through: an image's root filesystem, or one with volumes mounted into it. */
export interface FileSystem {
  stat(path: string): FsEntry;
  lstat(path: string): FsEntry;
  readFile(path: string): Uint8Array;
  readdir(path: string): string[];
  exists(path: string): boolean;
  /** Whether writes under `path` are refused with EROFS (a read-only mount). */
  readOnly?(path: string): boolean;
}

/** stat(2) succeeds: the path exists (symlinks followed). */
export function existsIn(fs: Pick<FileSystem, 'stat'>, path: string): boolean {
  try {
    fs.stat(path);
    return true;
  } catch (err) {
    if (err instanceof FsError) return false;
    throw err;
  }
}

const MAX_SYMLINK_HOPS = 40; // Linux MAXSYMLINKS

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

function newDir(mode = 0o755): FsEntry & { type: 'dir' } {
  return { type: 'dir', mode, children: new Map() };
}

export class RootFs implements FileSystem {
  readonly root = newDir();

  /**
   * Resolves `path` (relative paths start at /) to its entry and canonical path, following symlinks
   * confined to this root (`..` at / stays at /), the last one only when followLast.
   */
  resolve(path: string, followLast = true): { entry: FsEntry; path: string } {
    let hops = 0;
    const walk = (parts: string[]): { entry: FsEntry; stack: string[] } => {
      let stack: string[] = [];
      let dirs: (FsEntry & { type: 'dir' })[] = [this.root];
      const queue = [...parts];
      let entry: FsEntry = this.root;
      while (queue.length > 0) {
        const part = queue.shift() as string;
        if (part === '..') {
          if (stack.length > 0) {
            stack = stack.slice(0, -1);
            dirs = dirs.slice(0, -1);
          }
          entry = dirs[dirs.length - 1] ?? this.root;
          continue;
        }
        const dir = dirs[dirs.length - 1] ?? this.root;
        const child = dir.children.get(part);
        const at = '/' + [...stack, part].join('/');
        if (!child) throw new FsError('ENOENT', at);
        if (child.type === 'symlink' && (queue.length > 0 || followLast)) {
          if (++hops > MAX_SYMLINK_HOPS) throw new FsError('ELOOP', at);
          const target = components(child.target);
          if (child.target.startsWith('/')) {
            stack = [];
            dirs = [this.root];
          }
          queue.unshift(...target);
          entry = dirs[dirs.length - 1] ?? this.root;
          continue;
        }
        if (queue.length > 0 && child.type !== 'dir') throw new FsError('ENOTDIR', at);
        stack = [...stack, part];
        if (child.type === 'dir') dirs = [...dirs, child];
        entry = child;
      }
      return { entry, stack };
    };
    const { entry, stack } = walk(components(path));
    return { entry, path: '/' + stack.join('/') };
  }

  /** stat(2): follows symlinks. */
  stat(path: string): FsEntry {
    return this.resolve(path, true).entry;
  }

  /** lstat(2): does not follow a final symlink. */
  lstat(path: string): FsEntry {
    return this.resolve(path, false).entry;
  }

  exists(path: string): boolean {
    return existsIn(this, path);
  }

  readFile(path: string): Uint8Array {
    const entry = this.stat(path);
    if (entry.type === 'dir') throw new FsError('EISDIR', path);
    if (entry.type !== 'file') throw new FsError('ENOENT', path);
    return entry.content;
  }

  readdir(path: string): string[] {
    const entry = this.stat(path);
    if (entry.type !== 'dir') throw new FsError('ENOTDIR', path);
    return [...entry.children.keys()].sort();
  }

  /** The parent directory of `path` (missing directories created when `create`, symlinks followed), and the last name. */
  parentOf(path: string, create: boolean): { dir: FsEntry & { type: 'dir' }; name: string } | undefined {
    const parts = components(path);
    const name = parts.pop();
    if (name === undefined || name === '..') return undefined;
    let dir = this.root;
    let at = '/';
    const join = (a: string, b: string): string => (a === '/' ? `/${b}` : `${a}/${b}`);
    for (const part of parts) {
      const next = part === '..' ? undefined : dir.children.get(part);
      let entry: FsEntry;
      if (part === '..' || next?.type === 'symlink') {
        const r = this.resolve(join(at, part), true);
        entry = r.entry;
        at = r.path;
      } else if (next === undefined) {
        if (!create) throw new FsError('ENOENT', join(at, part));
        entry = newDir();
        dir.children.set(part, entry);
        at = join(at, part);
      } else {
        entry = next;
        at = join(at, part);
      }
      if (entry.type !== 'dir') throw new FsError('ENOTDIR', at);
      dir = entry;
    }
    return { dir, name };
  }
}

export interface UnpackOptions {
  /** Upper bound on the unpacked file bytes of the whole image (a gzip bomb stops here). */
  maxBytes?: number;
  /** Upper bound on tar entries across all layers. */
  maxEntries?: number;
}

export const DEFAULT_MAX_ROOTFS_BYTES = 256 * 1024 * 1024;
export const DEFAULT_MAX_ROOTFS_ENTRIES = 200_000;

const TAR_TYPES = ['application/vnd.oci.image.layer.v1.tar', 'application/vnd.oci.image.layer.nondistributable.v1.tar'];
const GZIP_TYPES = [
  'application/vnd.oci.image.layer.v1.tar+gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip',
  'application/vnd.docker.image.rootfs.diff.tar.gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip',
];
const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_WHITEOUT = '.wh..wh..opq';

/** Unpacks every layer of `image` (blobs from `store`) in order into a new RootFs. */
export async function unpackRootfs(image: CachedImage, store: ImageStore, options: UnpackOptions = {}): Promise<RootFs> {
  const budget = {
    bytes: options.maxBytes ?? DEFAULT_MAX_ROOTFS_BYTES,
    entries: options.maxEntries ?? DEFAULT_MAX_ROOTFS_ENTRIES,
  };
  const fs = new RootFs();
  for (const [i, layer] of image.layers.entries()) {
    const blob = store.getBlob(layer.digest);
    if (!blob) throw new RootfsError(`layer ${layer.digest} of image ${image.id} is not in this node's store`);
    const gzipMagic = blob[0] === 0x1f && blob[1] === 0x8b;
    // containerd detects compression from the bytes (archive/compression DecompressStream), so do we.
    if (blob[0] === 0x28 && blob[1] === 0xb5 && blob[2] === 0x2f && blob[3] === 0xfd) {
      throw new RootfsError(`layer ${layer.digest} is zstd-compressed, which the lab runtime does not support`);
    }
    if (!TAR_TYPES.includes(layer.mediaType) && !GZIP_TYPES.includes(layer.mediaType)) {
      throw new RootfsError(`layer ${layer.digest} has unsupported media type ${layer.mediaType}`);
    }
    await applyLayer(fs, blob, gzipMagic, image.diffIds[i], budget, layer.digest);
  }
  return fs;
}

async function applyLayer(fs: RootFs, blob: Uint8Array, gzip: boolean, diffId: string | undefined, budget: { bytes: number; entries: number }, digest: string): Promise<void> {
  const hash = createHash('sha256');
  const source = Readable.from([Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength)]);
  const plain = gzip ? source.pipe(createGunzip()) : source;
  const extract = tar.extract();
  const added = new Set<string>(); // canonical paths this layer created, which its own opaque whiteouts keep
  const fail = (message: string): RootfsError => new RootfsError(`layer ${digest}: ${message}`);

  plain.on('data', (chunk: Buffer) => hash.update(chunk));
  plain.on('error', (err) => extract.destroy(fail(`cannot decompress: ${err.message}`)));
  plain.pipe(extract);

  const opaque: string[] = [];
  try {
    for await (const entry of extract) {
      const h = entry.header;
      if (--budget.entries < 0) throw fail('too many files for the lab runtime');
      const chunks: Buffer[] = [];
      for await (const c of entry as AsyncIterable<Buffer>) {
        budget.bytes -= c.byteLength;
        if (budget.bytes < 0) throw fail('the image filesystem is larger than the lab runtime allows');
        chunks.push(c);
      }
      const name = components(h.name).join('/');
      const base = name.slice(name.lastIndexOf('/') + 1);
      if (name === '') continue; // "./" itself
      if (base === OPAQUE_WHITEOUT) {
        opaque.push(name.slice(0, Math.max(0, name.lastIndexOf('/'))));
        continue;
      }
      const target = fs.parentOf(name, true);
      if (!target) continue;
      if (base.startsWith(WHITEOUT_PREFIX)) {
        target.dir.children.delete(base.slice(WHITEOUT_PREFIX.length));
        continue;
      }
      const mode = (h.mode ?? 0o644) & 0o7777;
      let node: FsEntry;
      switch (h.type) {
        case 'file':
        case 'contiguous-file':
          node = { type: 'file', mode, content: new Uint8Array(Buffer.concat(chunks)) };
          break;
        case 'directory': {
          const existing = target.dir.children.get(target.name);
          if (existing?.type === 'dir') {
            existing.mode = mode; // directories merge across layers
            added.add(fs.resolve(name, false).path);
            continue;
          }
          node = newDir(mode);
          break;
        }
        case 'symlink':
          node = { type: 'symlink', mode: 0o777, target: h.linkname ?? '' };
          break;
        case 'link': {
          // A hard link shares the content of a file written earlier (in this layer or below).
          const linked = fs.lstat(components(h.linkname ?? '').join('/'));
          if (linked.type !== 'file') throw fail(`hard link ${name} points to ${h.linkname ?? ''}, which is not a file`);
          node = linked;
          break;
        }
        default:
          continue; // devices and fifos have no meaning in the lab
      }
      target.dir.children.set(target.name, node);
      added.add(fs.resolve(name, false).path);
    }
  } catch (err) {
    if (err instanceof RootfsError) throw err;
    if (err instanceof FsError) throw fail(`cannot place an entry: ${err.message}`);
    throw fail(`not a valid tar archive: ${(err as Error).message}`);
  } finally {
    source.destroy();
  }
  for (const dirPath of opaque) {
    let dir: FsEntry;
    try {
      dir = fs.stat(dirPath);
    } catch {
      continue;
    }
    if (dir.type === 'dir') hideLower(dir, fs.resolve(dirPath).path, added);
  }
  const actual = `sha256:${hash.digest('hex')}`;
  if (diffId !== undefined && diffId !== actual) {
    throw fail(`uncompressed digest ${actual} does not match the config's diff_id ${diffId}`);
  }
}

/** Opaque whiteout: drop what lower layers put under dir, keep what this layer added. */
function hideLower(dir: FsEntry & { type: 'dir' }, path: string, added: ReadonlySet<string>): void {
  for (const [name, child] of [...dir.children]) {
    const childPath = path === '/' ? `/${name}` : `${path}/${name}`;
    if (!added.has(childPath)) dir.children.delete(name);
    else if (child.type === 'dir') hideLower(child, childPath, added);
  }
}

/** Root filesystems of one node, unpacked lazily once per image id. */
export class RootfsCache {
  readonly #unpacked = new Map<string, Promise<RootFs>>();
  constructor(
    private readonly store: ImageStore,
    private readonly options: UnpackOptions = {},
  ) {}

  get(image: CachedImage): Promise<RootFs> {
    const cached = this.#unpacked.get(image.id);
    if (cached) return cached;
    const fs = unpackRootfs(image, this.store, this.options);
    this.#unpacked.set(image.id, fs);
    fs.catch(() => this.#unpacked.delete(image.id)); // a failed unpack may be retried
    return fs;
  }

  /** Forget an image's filesystem (after removeImage). */
  evict(imageId: string): void {
    this.#unpacked.delete(imageId);
  }

  has(imageId: string): boolean {
    return this.#unpacked.has(imageId);
  }
}
