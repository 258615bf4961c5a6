// `image-heist status` as a user runs it, beside a real `up` lab: the running lab with its profile and API
// server, a stale lab.json marked as such.
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { runUp } from '../src/embedded/up.js';
import type { LabInfo } from '../src/lab/backend.js';
import { BIN } from './support/tmux.js';

describe('image-heist status', () => {
  const stop = new AbortController();
  let up: Promise<void> | undefined;
  let root: string | undefined;
  afterAll(async () => {
    stop.abort();
    await up;
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('lists the running labs from their lab.json files, and marks a stale one', async () => {
    root = await mkdtemp(path.join(tmpdir(), 'image-heist-status-'));
    const labDir = path.join(root, '.lab');
    up = runUp({ profile: 'kubelet-default', dir: labDir, signal: stop.signal, out: () => {} });
    while (!existsSync(path.join(labDir, 'lab.json'))) await new Promise((r) => setTimeout(r, 50));
    const info = JSON.parse(await readFile(path.join(labDir, 'lab.json'), 'utf8')) as LabInfo;
    // a lab that was killed without cleaning up: its port answers no more
    await mkdir(path.join(labDir, 'play', 'none'), { recursive: true });
    await writeFile(path.join(labDir, 'play', 'none', 'lab.json'), JSON.stringify({ ...info, profile: 'none', apiServer: 'https://127.0.0.1:1' }));

    const result = await execa(process.execPath, [BIN, 'status'], { cwd: root });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^running  kubelet-default  ${info.apiServer.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(result.stdout).toContain('export KUBECONFIG=.lab/kubeconfig');
    expect(result.stdout).toMatch(/^stopped {2}none +https:\/\/127\.0\.0\.1:1 {2}\(stale lab\.json: nothing answers\)$/m);
    const json = JSON.parse((await execa(process.execPath, [BIN, 'status', '--json'], { cwd: root })).stdout) as { profile: string; running: boolean }[];
    expect(json.map((l) => [l.profile, l.running])).toEqual([
      ['kubelet-default', true],
      ['none', false],
    ]);
  });
});
