// The kind backend's kubeconfig construction (src/kind/tenants.ts) checked with real clients against a real TLS
// API server: the embedded one stands in for a kind cluster (it has the same lab users and tenant RBAC), since no
// Docker engine runs here. kubectl and client-node must verify the CA, send each context's token, and Admin2 must be
// forbidden in tenant-a while Admin1 is not.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startEmbeddedLab, type EmbeddedLab } from '../src/embedded/lab.js';
import { ClusterClient } from '../src/scenario/cluster-client.js';
import { clusterEndpoint, labKubeconfig, withCurrentContext } from '../src/kind/tenants.js';
import type { LabUser } from '../src/lab/backend.js';

let lab: EmbeddedLab;
let dir: string;
let kubeconfig: string;
let file: string;

beforeAll(async () => {
  lab = await startEmbeddedLab({ profile: 'none', nodes: 1 });
  dir = await mkdtemp(path.join(tmpdir(), 'image-heist-kubeconfig-'));
  // take server, CA and tokens from the embedded lab's own kubeconfig, as the kind backend takes them from kind and TokenRequest
  const embedded = parse(lab.kubeconfigFor('admin')) as { users: { name: LabUser; user: { token: string } }[] };
  const tokens = Object.fromEntries(embedded.users.map((u) => [u.name, u.user.token])) as Record<LabUser, string>;
  kubeconfig = labKubeconfig(clusterEndpoint(lab.kubeconfigFor('admin')), tokens, 'image-heist-none');
  file = path.join(dir, 'kubeconfig');
  await writeFile(file, kubeconfig, { mode: 0o600 });
});

afterAll(async () => {
  await lab?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const kubectl = (args: string[]) => execa('kubectl', ['--kubeconfig', file, ...args], { reject: false, stdin: 'ignore' });

describe('the lab kubeconfig with real clients', () => {
  it('kubectl sees the three contexts, admin current, tenants in their namespaces', async () => {
    const result = await kubectl(['config', 'get-contexts', '--no-headers']);
    expect(result.exitCode).toBe(0);
    const rows = result.stdout
      .trim()
      .split('\n')
      .map((l) =>
        l
          .replace(/^\*?\s+/, (m) => (m.includes('*') ? '* ' : ''))
          .trim()
          .split(/\s+/),
      );
    expect(rows).toEqual([
      ['*', 'admin', 'image-heist-none', 'admin'],
      ['admin1', 'image-heist-none', 'admin1', 'tenant-a'],
      ['admin2', 'image-heist-none', 'admin2', 'tenant-b'],
    ]);
  });

  it('kubectl over verified TLS: Admin1 reads ImagePullSecret1, Admin2 is forbidden in tenant-a', async () => {
    const admin1 = await kubectl(['--context', 'admin1', 'get', 'secret', 'image-pull-secret-1', '-o', 'name']);
    expect(admin1.stderr).toBe('');
    expect(admin1.stdout.trim()).toBe('secret/image-pull-secret-1');
    const admin2 = await kubectl(['--context', 'admin2', 'get', 'secrets', '-n', 'tenant-a']);
    expect(admin2.exitCode).toBe(1);
    expect(admin2.stderr).toMatch(/forbidden/);
    expect((await kubectl(['--context', 'admin2', 'auth', 'can-i', 'create', 'pods'])).stdout.trim()).toBe('yes');
  });

  it('client-node, as the engine uses it, with the context each actor gets', async () => {
    const admin2 = new ClusterClient(withCurrentContext(kubeconfig, 'admin2'));
    const denied = await admin2.readPod('tenant-a', 'nothing');
    expect(denied.ok).toBe(false);
    if (!denied.ok) expect(denied.refusal.code).toBe(403);
    const own = await admin2.readPod('tenant-b', 'nothing');
    expect(own.ok).toBe(false);
    if (!own.ok) expect(own.refusal.code).toBe(404);
  });
});
