// The files `up` keeps in its lab folder hold the admin token and the registry password, so they are written as
// secrets are: into a new temp file opened exclusively with mode 0600 (never through a symlink, never keeping an
// older file's mode), then renamed into place. A lock file in the folder lets one `up` at a time use it, even two
// started at the same instant; and a stopping lab removes only the files it wrote itself.
import { constants } from 'node:fs';
import { lstat, open, readFile, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { UserError } from '../errors.js';

/** What a file was when we wrote it: removed later only if it is still that file. */
export interface WrittenFile {
  path: string;
  /** dev, inode and modification time in ns: an inode number alone is reused at once by some file systems. */
  identity: string;
}

/** The identity of the file at `file` now (undefined if there is none). */
export async function fileIdentity(file: string): Promise<WrittenFile | undefined> {
  const s = await lstat(file, { bigint: true }).catch(() => undefined);
  return s ? { path: file, identity: `${s.dev}:${s.ino}:${s.mtimeNs}:${s.size}` } : undefined;
}

const exclusive = constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY | constants.O_NOFOLLOW;

/** Writes `content` to `file` with mode 0600 via an exclusive temp file and a rename (which replaces a symlink, never follows it). */
export async function writePrivateFile(file: string, content: string): Promise<WrittenFile> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, exclusive, 0o600);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temp, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return (await fileIdentity(file))!;
}

/** Removes a file only if it is still the one we wrote (another lab may have replaced it since). */
export async function removeOwnFile(file: WrittenFile): Promise<void> {
  if ((await fileIdentity(file.path))?.identity === file.identity) await rm(file.path, { force: true });
}

export interface LabDirLock {
  release(): Promise<void>;
}

const lockName = '.image-heist-up.lock';

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the folder's lock (O_EXCL, so of two `up` started together exactly one wins); a lock left by a process
 * that no longer runs is taken over. Another running `up` is a UserError (exit 2).
 */
export async function lockLabDir(dir: string): Promise<LabDirLock> {
  const file = path.join(dir, lockName);
  const token = `${process.pid} ${randomBytes(8).toString('hex')}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(file, exclusive, 0o600);
      await handle.writeFile(token);
      await handle.close();
      return {
        async release() {
          // Only our own lock: a lock file with another token belongs to someone else.
          if ((await readFile(file, 'utf8').catch(() => '')) === token) await rm(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new UserError(`cannot lock the lab folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'pass a writable folder with --dir');
      }
      const holder = Number((await readFile(file, 'utf8').catch(() => '')).split(' ')[0]);
      // An empty lock is one another `up` has just created and not yet written: it is taken, not stale.
      if (!(holder > 0) || processAlive(holder)) {
        throw new UserError(
          `another image-heist up${holder > 0 ? ` (process ${holder})` : ''} is using ${dir}`,
          'stop that lab first (Ctrl-C in its terminal) or pass another --dir',
        );
      }
      await rm(file, { force: true }); // stale: its process is gone
    }
  }
  throw new UserError(`cannot lock the lab folder ${dir}`, 'pass another --dir');
}
