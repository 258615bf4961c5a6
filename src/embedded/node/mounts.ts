// A container's view: its image's root filesystem with volumes bind-mounted at their mount paths, as runc
// sets them up. A path at or under a mount path is read in the mount's source (a subtree of the node's
// filesystem, or an emptyDir), resolved inside that source: `..` and symlinks never leave the node's own
// filesystem. Directories that hold a mount point exist even when the image has none (runc creates them).
import { existsIn, FsError, RootFs, type FileSystem, type FsEntry } from './rootfs.js';

export interface Mount {
  /** Absolute path in the container. */
  mountPath: string;
  /** The filesystem the volume lives in, and the path of the volume in it. */
  source: RootFs;
  sourcePath: string;
  readOnly: boolean;
}

/** Lexical normalization of an absolute path: `.` and `..` removed (`..` at / stays at /). */
export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') out.pop();
    else out.push(part);
  }
  return `/${out.join('/')}`;
}

const syntheticDir = (): FsEntry => ({ type: 'dir', mode: 0o755, children: new Map() });

export class MountedFs implements FileSystem {
  readonly #mounts: Mount[];

  constructor(
    private readonly image: FileSystem,
    mounts: readonly Mount[],
  ) {
    // the longest mount path wins, as the last of nested mounts does
    this.#mounts = mounts.map((m) => ({ ...m, mountPath: normalizePath(m.mountPath) })).sort((a, b) => b.mountPath.length - a.mountPath.length);
  }

  #route(path: string): { fs: FileSystem; path: string; mount?: Mount } {
    const p = normalizePath(path);
    for (const m of this.#mounts) {
      if (p === m.mountPath || p.startsWith(m.mountPath === '/' ? '/' : `${m.mountPath}/`)) {
        const rest = p.slice(m.mountPath.length);
        return { fs: m.source, path: normalizePath(`${m.sourcePath}/${rest}`), mount: m };
      }
    }
    return { fs: this.image, path: p };
  }

  /** Names of mount points directly inside the container directory `dir`. */
  #mountChildren(dir: string): string[] {
    const prefix = dir === '/' ? '/' : `${dir}/`;
    return this.#mounts.filter((m) => m.mountPath.startsWith(prefix) && m.mountPath !== dir).map((m) => m.mountPath.slice(prefix.length).split('/')[0] as string);
  }

  #isMountAncestor(path: string): boolean {
    const p = normalizePath(path);
    return this.#mountChildren(p).length > 0;
  }

  stat(path: string): FsEntry {
    return this.#entry(path, true);
  }

  lstat(path: string): FsEntry {
    return this.#entry(path, false);
  }

  /** The entry at `path`; a directory holding a mount point exists even when the image has none. */
  #entry(path: string, follow: boolean): FsEntry {
    const r = this.#route(path);
    try {
      return follow ? r.fs.stat(r.path) : r.fs.lstat(r.path);
    } catch (err) {
      if (err instanceof FsError && !r.mount && this.#isMountAncestor(path)) return syntheticDir();
      throw err;
    }
  }

  readFile(path: string): Uint8Array {
    const r = this.#route(path);
    return r.fs.readFile(r.path);
  }

  readdir(path: string): string[] {
    const r = this.#route(path);
    let names: string[] = [];
    try {
      names = r.fs.readdir(r.path);
    } catch (err) {
      if (!(err instanceof FsError && !r.mount && this.#isMountAncestor(path))) throw err;
    }
    if (r.mount) return names;
    return [...new Set([...names, ...this.#mountChildren(normalizePath(path))])].sort();
  }

  exists(path: string): boolean {
    return existsIn(this, path);
  }

  readOnly(path: string): boolean {
    return this.#route(path).mount?.readOnly ?? false;
  }
}

/** An emptyDir volume: an empty directory of its own. */
export function emptyDir(): RootFs {
  return new RootFs();
}
