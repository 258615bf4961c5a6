// The kind commands of the real binary on a machine without a Docker engine (this development machine): exit 3
// with one clear line. Where a Docker engine answers, these cases are skipped: `down` would really remove labs.
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { probeDocker } from '../src/kind/preflight.js';

const bin = path.resolve('bin/image-heist.js');
const cli = (args: string[]) => execa(process.execPath, [bin, ...args], { reject: false, stdin: 'ignore' });
const docker = await probeDocker();
const why = docker.engine ? `a Docker engine (${docker.serverVersion}) answers here, and these cases need its absence` : '';
if (why) console.log(`test/kind-cli.test.ts skipped: ${why}`);

describe.skipIf(docker.engine)('kind commands without a Docker engine', () => {
  it('image-heist down exits 3 with one line naming the missing engine and the fix', async () => {
    const result = await cli(['down']);
    expect(result.exitCode).toBe(3);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^image-heist: down needs a Docker engine, and none answers \(.+\) — start Docker/);
    expect(result.stdout).toBe('');
  });
});
