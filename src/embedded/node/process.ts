// What a program in a lab container works with: its filesystem view, variables, working directory, the
// lab clock, a kill signal, and its standard streams (stdin as bytes, stdout/stderr as writers).
import type { LabClock } from '../clock.js';
import type { FileSystem } from './rootfs.js';

export type Write = (data: string | Uint8Array) => void;

export interface Io {
  stdin: Uint8Array;
  out: Write;
  err: Write;
}

export interface Proc {
  fs: FileSystem;
  clock: LabClock;
  /** Shell and environment variables (the lab does not tell exported from unexported ones apart). */
  vars: Map<string, string>;
  cwd: string;
  signal: AbortSignal;
}

/** Thrown through a program when its container is killed. */
export class Killed extends Error {}

export function checkKilled(p: Proc): void {
  if (p.signal.aborted) throw new Killed();
}

/** The process env as KEY=value (for PATH lookups). */
export function envList(p: Proc): string[] {
  return [...p.vars].map(([k, v]) => `${k}=${v}`);
}

/** An absolute path for `file` relative to the working directory. */
export function absolute(p: Proc, file: string): string {
  return file.startsWith('/') ? file : `${p.cwd.replace(/\/$/, '')}/${file}`;
}

/** strerror texts as busybox prints them (musl libc). */
export const errnoCapitalized: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ELOOP: 'Symbolic link loop',
  EROFS: 'Read-only file system',
};

export const toText = (d: string | Uint8Array): string => (typeof d === 'string' ? d : Buffer.from(d.buffer, d.byteOffset, d.byteLength).toString('utf8'));
