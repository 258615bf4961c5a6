// `image-heist up` as a user runs it: the real binary, lab.json's exact keys, kubectl against the lab,
// then SIGINT → a clean exit with no port left listening and the written files gone.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { portClosed } from './support/ports.js';

const bin = path.resolve('bin/image-heist.js');

async function waitForFile(file: string, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} did not appear within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('image-heist up', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('writes lab.json with exactly the contract keys, serves kubectl, and stops cleanly on SIGINT', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'image-heist-up-'));
    dirs.push(dir);
    const labDir = path.join(dir, 'lab');
    const child = execa('node', [bin, 'up', '--dir', labDir, '--profile', 'kubelet-default', '--nodes', '3'], { reject: false });
    try {
      await waitForFile(path.join(labDir, 'lab.json'), 20_000);
      const info = JSON.parse(await readFile(path.join(labDir, 'lab.json'), 'utf8')) as Record<string, unknown>;
      expect(Object.keys(info)).toEqual(['profile', 'apiServer', 'kubeconfig', 'registry', 'tenants', 'images', 'flag', 'nodes', 'auditLog']);
      expect(info['profile']).toBe('kubelet-default');
      expect(info['kubeconfig']).toBe(path.join(labDir, 'kubeconfig'));
      expect(info['apiServer']).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const registry = info['registry'] as Record<string, string>;
      expect(Object.keys(registry)).toEqual(['host', 'username', 'password']);
      expect(registry['host']).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(info['tenants']).toEqual({ admin1: { namespace: 'tenant-a', pullSecret: 'image-pull-secret-1' }, admin2: { namespace: 'tenant-b' } });
      expect(info['images']).toEqual({ secret: `${registry['host']}/secure/super-secret-image:1`, public: `${registry['host']}/public/hello:1` });
      expect(info['flag']).toMatch(/^FLAG\{[0-9a-f]{32}\}$/);
      expect(info['nodes']).toEqual(['image-heist-worker', 'image-heist-worker2', 'image-heist-worker3']);

      const kubectl = (...args: string[]) =>
        execa('kubectl', ['--kubeconfig', path.join(labDir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache'), ...args], { reject: false });
      const contexts = await kubectl('config', 'get-contexts', '-o', 'name');
      expect(contexts.stdout.split('\n').sort()).toEqual(['admin', 'admin1', 'admin2']);
      expect((await kubectl('config', 'current-context')).stdout).toBe('admin');
      const nodes = await kubectl('get', 'nodes', '--no-headers');
      expect(nodes.stdout.split('\n').map((l) => l.split(/\s+/).slice(0, 2).join(' '))).toEqual([
        'image-heist-worker Ready',
        'image-heist-worker2 Ready',
        'image-heist-worker3 Ready',
      ]);
      expect((await kubectl('--context', 'admin2', 'get', 'secrets', '-n', 'tenant-a')).stderr).toContain('Forbidden');
      expect((await kubectl('get', 'secret', 'image-pull-secret-1', '-n', 'tenant-a', '-o', 'jsonpath={.type}')).stdout).toBe('kubernetes.io/dockerconfigjson');

      const ports = [Number(new URL(info['apiServer'] as string).port), Number(registry['host']!.split(':')[1])];
      child.kill('SIGINT');
      const result = await child;
      expect(result.exitCode).toBe(0);
      expect(result.stdout).toContain('--context admin2 logs pod2');
      expect(result.stdout).not.toContain(registry['password']);
      for (const port of ports) expect(await portClosed(port)).toBe(true);
      expect(existsSync(path.join(labDir, 'lab.json'))).toBe(false);
      expect(existsSync(path.join(labDir, 'kubeconfig'))).toBe(false);
      expect(existsSync(path.join(labDir, 'audit.log'))).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('an unknown profile is one line naming the valid ones, exit 2', async () => {
    const result = await execa('node', [bin, 'up', '--profile', 'nope'], { reject: false });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toEqual([
      'image-heist: unknown profile "nope"; did you mean "none"? — valid profiles: none, always-pull-images, kubelet-default, kubelet-always-verify, pod-security, validating-admission-policy, mutating-admission-policy, or all',
    ]);
  });

  it('bad --nodes and --time-scale are usage errors', async () => {
    const nodes = await execa('node', [bin, 'up', '--nodes', '0'], { reject: false });
    expect(nodes.exitCode).toBe(2);
    expect(nodes.stderr).toContain('--nodes must be a whole number from 1 to 16, got "0"');
    const scale = await execa('node', [bin, 'up', '--time-scale', 'fast'], { reject: false });
    expect(scale.exitCode).toBe(2);
    expect(scale.stderr).toContain('--time-scale must be a number greater than 0, got "fast"');
  });
});
