// The least-privilege RBAC in docs/audit.md is enough: applied with kubectl to a lab and bound to admin2 (who
// otherwise has rights only in tenant-b), the audit probes `default`, reads nodes, and --attack runs and cleans up.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAttack } from '../src/audit/attack.js';
import { KubeHttp } from '../src/audit/kube-http.js';
import { runAudit } from '../src/audit/run-audit.js';
import { startEmbeddedLab, type EmbeddedLab } from '../src/embedded/lab.js';
import { makeDockerConfigJson } from '../src/registry/docker-config.js';

/** The ```yaml blocks of docs/audit.md, by the name of their first object. */
async function docYaml(): Promise<Map<string, string>> {
  const text = await readFile(path.resolve('docs/audit.md'), 'utf8');
  const blocks = [...text.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);
  return new Map(blocks.map((b) => [/name: (\S+)/.exec(b)![1]!, b]));
}

describe('the documented least-privilege roles', () => {
  let lab: EmbeddedLab;
  let dir: string;
  let admin2: KubeHttp;
  const kubectl = (args: string[], input?: string) =>
    execa('kubectl', ['--kubeconfig', lab.info.kubeconfig, '--context', 'admin', '--cache-dir', path.join(dir, 'cache'), ...args], { reject: false, ...(input ? { input } : {}) });

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-audit-rbac-'));
    lab = await startEmbeddedLab({ profile: 'kubelet-default', dir, timeScale: 50 });
    const kubeconfig = path.join(dir, 'admin2.kubeconfig');
    await writeFile(kubeconfig, lab.kubeconfigFor('admin2'));
    admin2 = KubeHttp.load({ kubeconfig });
  });
  afterAll(async () => {
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('without them admin2 can probe nothing outside tenant-b', async () => {
    const { observations } = await runAudit(admin2, { namespace: 'default' });
    expect(observations.admission.find((p) => p.path === 'containers')!.outcome.kind).toBe('inconclusive');
    expect(observations.kubelet.nodesUnlisted).toMatch(/forbidden/);
  });

  it('the passive roles: probes observed in default, nodes listed, configz read once nodes/proxy is granted', async () => {
    const yaml = await docYaml();
    const passive = yaml.get('image-heist-audit')!.replace('namespace: team-b', 'namespace: default');
    const applied = await kubectl(['apply', '-f', '-'], passive);
    expect(applied.stderr).toBe('');
    expect((await kubectl(['create', 'clusterrolebinding', 'audit', '--clusterrole', 'image-heist-audit', '--user', 'admin2'])).exitCode).toBe(0);
    expect((await kubectl(['create', 'rolebinding', 'audit', '-n', 'default', '--role', 'image-heist-audit-probe', '--user', 'admin2'])).exitCode).toBe(0);
    const first = await runAudit(admin2, { namespace: 'default' });
    for (const path of ['containers', 'init-containers', 'never-policy'] as const) {
      expect(first.observations.admission.find((p) => p.path === path)!.outcome).toEqual({
        kind: 'allowed-as-sent',
        policy: path === 'never-policy' ? 'Never' : 'IfNotPresent',
        warnings: [],
      });
    }
    expect(first.observations.kubelet.nodesUnlisted).toBeUndefined();
    expect(first.observations.kubelet.nodes.map((n) => (n.read ? 'read' : n.reason))).toEqual(lab.info.nodes.map(() => 'forbidden: get nodes/proxy is not granted'));

    expect((await kubectl(['apply', '-f', '-'], yaml.get('image-heist-audit-kubelet')!)).exitCode).toBe(0);
    expect((await kubectl(['create', 'clusterrolebinding', 'audit-kubelet', '--clusterrole', 'image-heist-audit-kubelet', '--user', 'admin2'])).exitCode).toBe(0);
    const second = await runAudit(admin2, { namespace: 'default' });
    // now allowed: the embedded API server answers each node's configz, so the kubelet defence is settled
    expect(second.observations.kubelet.nodes.map((n) => n.read)).toEqual(lab.info.nodes.map(() => true));
    expect(second.findings.defences.find((d) => d.id === 'kubelet-ensure-secret-pulled-images')!.status).toBe('effective');
  });

  it('the attack role: admin2 plays the heist and everything it made is gone', async () => {
    const yaml = await docYaml();
    expect((await kubectl(['apply', '-f', '-'], yaml.get('image-heist-audit-attack')!)).exitCode).toBe(0);
    expect((await kubectl(['create', 'clusterrolebinding', 'audit-attack', '--clusterrole', 'image-heist-audit-attack', '--user', 'admin2'])).exitCode).toBe(0);
    const attack = await runAttack(admin2, {
      image: lab.info.images.secret,
      dockerConfigJson: makeDockerConfigJson(lab.info.registry.host, lab.info.registry.username, lab.info.registry.password),
      hostImage: lab.info.images.public,
      timeoutMs: 30_000,
    });
    expect(attack.cleanedUp).toBe(true);
    expect(attack.containers).toMatchObject({ kind: 'blocked', by: 'kubelet' });
    expect(attack['ephemeral-containers']).toMatchObject({ kind: 'blocked', by: 'kubelet' });
    expect((await kubectl(['get', 'ns', '-o', 'name'])).stdout).not.toContain('image-heist-audit');
  });
});
