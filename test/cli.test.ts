// The real binary, as a user runs it: bin/image-heist.js under this Node, with the machine's own tools.
import { mkdtemp, rm, symlink, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/image-heist.js');
const cli = (args: string[], env: Record<string, string> = {}) => execa(process.execPath, [bin, ...args], { reject: false, env, extendEnv: true, stdin: 'ignore' });

describe('image-heist CLI', () => {
  it('prints its version from package.json', async () => {
    const { version } = (await import('../package.json', { with: { type: 'json' } })).default;
    const result = await cli(['--version']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it('prints help and exits 0 with no arguments outside a terminal', async () => {
    const result = await cli([]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('Usage: image-heist');
    expect(result.stdout).toContain('doctor');
  });

  it('answers an unknown command with one line and exit code 2', async () => {
    const result = await cli(['frobnicate']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain("unknown command 'frobnicate'");
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers an unknown option with exit code 2', async () => {
    const result = await cli(['doctor', '--frob']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("unknown option '--frob'");
  });
});

describe('image-heist doctor', () => {
  it('tells the truth about this machine: kind is available exactly when a Docker engine answers', async () => {
    const docker = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], { reject: false, stdin: 'ignore' });
    const engineAnswers = docker.exitCode === 0 && docker.stdout.trim() !== '';
    const result = await cli(['doctor', '--json']);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.node.version).toBe(process.versions.node);
    expect(report.docker.engine).toBe(engineAnswers);
    expect(report.backends.embedded).toEqual({ available: true });
    if (!engineAnswers) {
      expect(report.backends.kind.available).toBe(false);
      expect(report.backends.kind.reason).toMatch(/Docker/);
      expect(report.backends.kind.fix).toMatch(/Docker/);
    }
  });

  describe('with a PATH of our choosing', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'image-heist-doctor-'));
    });
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('says Docker and kind are not installed when they are not on PATH', async () => {
      const empty = path.join(dir, 'empty');
      await execa('mkdir', ['-p', empty]);
      const result = await cli(['doctor'], { PATH: empty });
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('kind      unavailable: Docker is not installed; the kind CLI is not installed');
      expect(result.stdout).toContain('no  kubectl  kubectl is not installed');
    });

    it('refuses a kind older than v0.32.0 (a stand-in kind script, since kind is not installed here)', async () => {
      const withKind = path.join(dir, 'old-kind');
      await execa('mkdir', ['-p', withKind]);
      const kind = path.join(withKind, 'kind');
      await writeFile(kind, '#!/bin/sh\necho "kind v0.31.0 go1.24.2 linux/amd64"\n');
      await chmod(kind, 0o755);
      await symlink('/bin/sh', path.join(withKind, 'sh'));
      const result = await cli(['doctor', '--json'], { PATH: withKind });
      const report = JSON.parse(result.stdout);
      expect(report.kind).toEqual({ found: true, version: '0.31.0', supported: false });
      expect(report.backends.kind.reason).toContain('kind v0.31.0 is older than v0.32.0');
    });
  });
});
