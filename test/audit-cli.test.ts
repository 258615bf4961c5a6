// `image-heist audit` as a user runs it: the real binary against an embedded lab, its exit codes, its files,
// an unreachable cluster, usage errors, and Ctrl-C in the middle of --attack.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { startEmbeddedLab, type EmbeddedLab } from '../src/embedded/lab.js';
import { makeDockerConfigJson } from '../src/registry/docker-config.js';
import { startRegistry, type RunningRegistry } from '../src/registry/server.js';

const bin = path.resolve('bin/image-heist.js');
const audit = (args: string[]) => execa('node', [bin, 'audit', ...args], { reject: false });

describe('image-heist audit: usage and an unreachable cluster', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-audit-cli-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('an API server that does not answer is exit 3 with one line', async () => {
    // a port that was just free: nothing listens there
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    await new Promise((r) => server.close(r));
    const kubeconfig = path.join(dir, 'closed.kubeconfig');
    await writeFile(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: sekrit-token}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
    const r = await audit(['--kubeconfig', kubeconfig]);
    expect(r.exitCode).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^image-heist: cluster unreachable: https:\/\/127\.0\.0\.1:\d+: .*ECONNREFUSED/);
    expect(r.stderr + r.stdout).not.toContain('sekrit-token');
  });

  it.each([
    [['--image', 'x'], '--image is for --attack'],
    [['--attack', '--yes', '--pull-secret', 'f'], '--attack needs exactly one of --image IMAGE or --push-to REPOSITORY'],
    [['--attack', '--image', 'x'], '--attack needs --pull-secret FILE'],
    [['--timeout', 'soon'], '--timeout must be a number of seconds greater than 0'],
    [['--kubeconfig', '/nonexistent/kubeconfig'], 'cannot read the kubeconfig /nonexistent/kubeconfig'],
  ])('%j is a usage error (exit 2)', async (args, message) => {
    const r = await audit(args);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(message);
  });
});

describe('image-heist audit against a lab', () => {
  let lab: EmbeddedLab;
  let dir: string;
  let token: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-audit-cli-lab-'));
    lab = await startEmbeddedLab({ profile: 'always-pull-images', dir, timeScale: 50 });
    const config = parseYaml(await readFile(lab.info.kubeconfig, 'utf8')) as { users: { user: { token?: string } }[] };
    token = config.users.map((u) => u.user.token ?? '').find((t) => t !== '') ?? '';
    expect(token).not.toBe('');
  });
  afterAll(async () => {
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('--json, --sarif and --junit; findings are exit 1; no credential in any output', async () => {
    const sarif = path.join(dir, 'audit.sarif');
    const junit = path.join(dir, 'audit.xml');
    const r = await audit(['--kubeconfig', lab.info.kubeconfig, '--json', '--sarif', sarif, '--junit', junit]);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(1);
    const json = JSON.parse(r.stdout) as { exitCode: number; mode: string; defences: { id: string; status: string }[]; gaps: { id: string; admission: string }[] };
    expect(json.exitCode).toBe(1);
    expect(json.mode).toBe('passive');
    expect(json.defences.find((d) => d.id === 'admission-always-pull')!.status).toBe('effective');
    expect(json.gaps.find((g) => g.id === 'ephemeral-containers')!.admission).toBe('open');
    const files = (await readFile(sarif, 'utf8')) + (await readFile(junit, 'utf8'));
    expect(files).toContain('"version": "2.1.0"');
    expect(files).toContain('<testsuites name="image-heist audit"');
    for (const secret of [token, lab.info.registry.password]) expect(r.stdout + r.stderr + files).not.toContain(secret);
  });

  it('--attack without a terminal and without --yes refuses, creating nothing', async () => {
    const secret = path.join(dir, 'secret.json');
    await writeFile(secret, makeDockerConfigJson(lab.info.registry.host, lab.info.registry.username, lab.info.registry.password));
    const r = await audit(['--kubeconfig', lab.info.kubeconfig, '--attack', '--image', lab.info.images.secret, '--pull-secret', secret]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe('image-heist: --attack creates two namespaces and runs pods in the cluster, and there is no terminal to ask — add --yes to confirm');
    const ns = await execa('kubectl', ['--kubeconfig', lab.info.kubeconfig, 'get', 'ns', '-o', 'name']);
    expect(ns.stdout).not.toContain('image-heist-audit');
  });
});

describe('image-heist audit --attack interrupted', () => {
  let lab: EmbeddedLab;
  let dir: string;
  let stall: Server;
  const sockets: Socket[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-audit-cli-int-'));
    lab = await startEmbeddedLab({ profile: 'none', dir, timeScale: 1 });
    // a registry that accepts connections and never answers: the owner's pull hangs, so the attack is mid-way
    stall = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => stall.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    for (const s of sockets) s.destroy();
    await new Promise((r) => stall.close(r));
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('Ctrl-C deletes the namespaces it created and exits 130', async () => {
    const host = `127.0.0.1:${(stall.address() as { port: number }).port}`;
    const secret = path.join(dir, 'secret.json');
    await writeFile(secret, makeDockerConfigJson(host, 'u', 'p'));
    const child = execa(
      'node',
      [bin, 'audit', '--kubeconfig', lab.info.kubeconfig, '--attack', '--yes', '--image', `${host}/private/app:1`, '--pull-secret', secret, '--timeout', '300'],
      { reject: false },
    );
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the attack did not start: ${stderr}`)), 60_000);
      child.stderr!.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes("owner's pod")) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const kubectl = (...args: string[]) => execa('kubectl', ['--kubeconfig', lab.info.kubeconfig, ...args]);
    expect((await kubectl('get', 'ns', '-l', 'app.kubernetes.io/managed-by=image-heist-audit', '-o', 'name')).stdout.split('\n')).toHaveLength(2);
    child.kill('SIGINT');
    const r = await child;
    expect(r.exitCode).toBe(130);
    expect(r.stderr).toContain('deleted namespace image-heist-audit-a-');
    expect(r.stderr).toContain('image-heist: interrupted; the namespaces the audit created were deleted');
    expect((await kubectl('get', 'ns', '-l', 'app.kubernetes.io/managed-by=image-heist-audit', '-o', 'name')).stdout).toBe('');
    expect((await kubectl('get', 'ns', '-o', 'name')).stdout.split('\n').sort()).toEqual([
      'namespace/default',
      'namespace/kube-node-lease',
      'namespace/kube-public',
      'namespace/kube-system',
      'namespace/tenant-a',
      'namespace/tenant-b',
    ]);
    expect(existsSync(secret)).toBe(true);
  });
});

describe('image-heist audit --attack --push-to', () => {
  let lab: EmbeddedLab;
  let dir: string;
  let registry: RunningRegistry;
  const team = { username: `team-${Date.now()}`, password: 'p-' + Math.random().toString(36).slice(2) };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-audit-cli-push-'));
    lab = await startEmbeddedLab({ profile: 'none', dir, timeScale: 50 });
    // the user's own registry: the team may push and pull team/*, nobody else anything
    registry = await startRegistry({ users: [team], access: [{ repository: 'team/*', actions: ['pull', 'push'], who: [team.username] }] });
  });
  afterAll(async () => {
    await registry.close();
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("pushes the lab image with the pull secret's credentials and shows its flag read from the cache", async () => {
    const secret = path.join(dir, 'team.json');
    await writeFile(secret, makeDockerConfigJson(registry.host, team.username, team.password));
    const r = await audit([
      '--kubeconfig',
      lab.info.kubeconfig,
      '--attack',
      '--yes',
      '--push-to',
      `${registry.host}/team/heist`,
      '--pull-secret',
      secret,
      '--host-image',
      lab.info.images.public,
      '--json',
    ]);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`pushed the lab's secret image as ${registry.host}/team/heist:audit-[0-9a-f]{8}`));
    const json = JSON.parse(r.stdout) as { mode: string; attack: { containers: { kind: string; evidence: string }; cleanedUp: boolean } };
    expect(json.mode).toBe('attack');
    expect(json.attack.cleanedUp).toBe(true);
    expect(json.attack.containers.kind).toBe('bypassed');
    expect(json.attack.containers.evidence).toMatch(/its log shows the image's secret FLAG\{[0-9a-f]{32}\}/);
    expect(r.stdout + r.stderr).not.toContain(team.password);
  });

  it('a registry that refuses the push is one line, exit 2', async () => {
    const secret = path.join(dir, 'other.json');
    await writeFile(secret, makeDockerConfigJson(registry.host, 'nobody', 'wrong'));
    const r = await audit(['--kubeconfig', lab.info.kubeconfig, '--attack', '--yes', '--push-to', `${registry.host}/team/heist`, '--pull-secret', secret]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain(`image-heist: cannot push the lab's secret image to ${registry.host}/team/heist:`);
    expect(r.stderr).not.toContain('wrong');
  });
});
