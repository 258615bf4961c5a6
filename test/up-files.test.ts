// `up`'s files hold the admin token and the registry password: written 0600 through an exclusive temp file and a
// rename (never through a symlink, never keeping an older file's mode), one `up` per folder even when two start
// at the same instant, and a stopping lab removes only what it wrote.
import { chmod, lstat, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runUp } from '../src/embedded/up.js';
import { lockLabDir, writePrivateFile } from '../src/embedded/lab-dir.js';

const dirs: string[] = [];
async function freshDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'image-heist-up-files-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

/** Starts `up` in-process and resolves once lab.json is written; stop() ends it. */
function startUp(dir: string): { ready: Promise<void>; done: Promise<void>; stop: () => void } {
  const abort = new AbortController();
  let ready!: () => void;
  const readyPromise = new Promise<void>((r) => (ready = r));
  const done = runUp({ profile: 'none', nodes: 1, dir, out: () => undefined, signal: abort.signal, onReady: () => ready() });
  return { ready: Promise.race([readyPromise, done]), done, stop: () => abort.abort() };
}

describe('up writes its files as secrets', () => {
  it('replaces a 0644 kubeconfig and a 0666 lab.json with new 0600 files, and a symlink is replaced, not followed', async () => {
    const dir = await freshDir();
    const outside = path.join(await freshDir(), 'target');
    await writeFile(outside, 'do not touch');
    await writeFile(path.join(dir, 'kubeconfig'), 'old', { mode: 0o644 });
    await chmod(path.join(dir, 'kubeconfig'), 0o644);
    await symlink(outside, path.join(dir, 'lab.json'));
    const up = startUp(dir);
    await up.ready;
    for (const file of ['kubeconfig', 'lab.json']) {
      const s = await lstat(path.join(dir, file));
      expect(s.isFile(), file).toBe(true);
      expect(s.mode & 0o777, file).toBe(0o600);
    }
    expect(await readFile(outside, 'utf8')).toBe('do not touch');
    up.stop();
    await up.done;
  }, 60_000);

  it("writePrivateFile never keeps an older file's mode", async () => {
    const dir = await freshDir();
    const file = path.join(dir, 'f');
    await writeFile(file, 'x', { mode: 0o666 });
    await chmod(file, 0o666);
    await writePrivateFile(file, 'secret');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readFile(file, 'utf8')).toBe('secret');
  });
});

describe('one up per folder', () => {
  it('of two locks taken at the same instant exactly one wins; the other is a usage error', async () => {
    const dir = await freshDir();
    const results = await Promise.allSettled([lockLabDir(dir), lockLabDir(dir)]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(lost.reason).toMatchObject({ name: 'UserError', exitCode: 2 });
    expect(String((lost.reason as Error).message)).toContain('another image-heist up');
    await (results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ release(): Promise<void> }>).value.release();
    await (await lockLabDir(dir)).release(); // free again
  });

  it('a lock left by a process that is gone is taken over', async () => {
    const dir = await freshDir();
    await writeFile(path.join(dir, '.image-heist-up.lock'), '999999999 deadbeef\n');
    await (await lockLabDir(dir)).release();
  });

  it('two up on one folder: the second exits 2 and the first keeps its files; stopping removes only its own files', async () => {
    const dir = await freshDir();
    const first = startUp(dir);
    const second = runUp({ profile: 'none', nodes: 1, dir, out: () => undefined });
    await expect(second).rejects.toMatchObject({ exitCode: 2 });
    await first.ready;
    const labJson = path.join(dir, 'lab.json');
    const before = await readFile(labJson, 'utf8');
    expect(JSON.parse(before).profile).toBe('none');
    // Someone else's lab.json replaces ours: stopping must leave it.
    await rm(labJson);
    await writeFile(labJson, '{"other":true}');
    first.stop();
    await first.done;
    expect(await readFile(labJson, 'utf8')).toBe('{"other":true}');
    await expect(stat(path.join(dir, 'kubeconfig'))).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(stat(path.join(dir, '.image-heist-up.lock'))).rejects.toMatchObject({ code: 'ENOENT' });
  }, 60_000);
});
