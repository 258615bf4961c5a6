// Ctrl-C during `run`: the real binary, a real SIGINT. It prints the matrix so far, stops every lab, leaves no
// temporary folder behind, and exits 130 without an "unexpected error".
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../src/lab/profiles.js';
import { loadBuiltInCatalogue } from '../src/scenario/catalogue.js';

const bin = path.resolve('bin/image-heist.js');

describe('run, cancelled', () => {
  it('SIGINT after the first result: partial matrix, clean-up, exit 130, quietly', async () => {
    // a temp folder of its own, so what the run leaves behind is all that is there
    const tmp = await mkdtemp(path.join(tmpdir(), 'run-cancel-'));
    const child = execa(process.execPath, [bin, 'run', '--profile', 'all'], { reject: false, stdin: 'ignore', all: true, env: { TMPDIR: tmp } });
    await new Promise<void>((resolve) => {
      child.all!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('×')) resolve();
      });
    });
    child.kill('SIGINT');
    const result = await child;
    expect(result.exitCode).toBe(130);
    // the partial matrix: the profiles with a result so far (the fastest first: a policy refuses at admission)
    expect(result.all).toMatch(/\nscenario\s+[a-z-]+/);
    // nothing after the matrix: a scenario left running reports no more, and not every run happened
    const [, passed, failed] = /(\d+) passed, (\d+) failed$/.exec(result.all!.trimEnd()) ?? [];
    expect(passed).toBeDefined();
    expect(Number(passed) + Number(failed)).toBeLessThan((await loadBuiltInCatalogue()).length * PROFILE_NAMES.length);
    expect(result.all).not.toMatch(/unexpected error/);
    // tsx keeps its transform cache there (tsx-<uid>)
    expect((await readdir(tmp)).filter((n) => !n.startsWith('tsx-'))).toEqual([]);
    await rm(tmp, { recursive: true, force: true });
    // ≈ 23 s on a quiet 2-core machine (the whole process starts, the catalogue runs until a first result); the
    // default 30 s ran out once beside a live kind suite
  }, 90_000);
});
