// Headless commands start without the UI: React, Ink and yoga load only where a screen is drawn (play,
// tutorial). A resolve hook makes any import of them fail the process (the last test shows that it does).
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/image-heist.js');
const hook = path.resolve('test/support/no-ui.mjs');
const withoutUi = (args: string[], options: { reject?: boolean } = {}) =>
  execa(process.execPath, ['--import', hook, bin, ...args], { reject: options.reject ?? true, env: { CI: undefined } });
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('headless commands never load React, Ink or yoga', () => {
  it('--version, list, doctor and run classic --json run with UI imports forbidden', async () => {
    expect((await withoutUi(['--version'])).stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    expect((await withoutUi(['list'])).stdout).toContain('classic');
    const doctor = await withoutUi(['doctor'], { reject: false });
    expect(doctor.stderr).not.toContain('UI module loaded');
    expect(doctor.exitCode === 0 || doctor.exitCode === 3).toBe(true);
    const run = JSON.parse((await withoutUi(['run', 'classic', '--profile', 'none', '--json'])).stdout) as { results: Array<{ verdict: string }> };
    expect(run.results.map((r) => r.verdict)).toEqual(['bypassed']);
  }, 120_000);

  it('up writes lab.json with UI imports forbidden', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'image-heist-headless-'));
    dirs.push(dir);
    const up = withoutUi(['up', '--dir', dir], { reject: false });
    try {
      const deadline = Date.now() + 60_000;
      while (!existsSync(path.join(dir, 'lab.json'))) {
        if (up.exitCode !== null || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(existsSync(path.join(dir, 'lab.json'))).toBe(true);
    } finally {
      up.kill('SIGINT');
    }
    const stopped = await up;
    expect(stopped.stderr).not.toContain('UI module loaded');
    expect(stopped.exitCode).toBe(0);
  }, 90_000);

  it('the hook does catch the UI: importing ink fails with it', async () => {
    const probe = await execa(process.execPath, ['--import', hook, '--input-type=module', '-e', "await import('ink')"], { reject: false });
    expect(probe.exitCode).not.toBe(0);
    expect(probe.stderr).toContain('UI module loaded by a headless command');
  });
});
