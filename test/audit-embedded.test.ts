// `image-heist audit` against the embedded lab of every profile: the passive audit sees the admission layer the
// profile has, and `--attack` reproduces exactly the catalogue's verdicts for the classic, init-container,
// never-policy and ephemeral-container scenarios, leaving no object behind.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAttack } from '../src/audit/attack.js';
import type { GapId } from '../src/audit/findings.js';
import { KubeHttp } from '../src/audit/kube-http.js';
import { runAudit } from '../src/audit/run-audit.js';
import { startEmbeddedLab, type EmbeddedLab } from '../src/embedded/lab.js';
import { PROFILE_NAMES, PROFILES } from '../src/lab/profiles.js';
import { makeDockerConfigJson } from '../src/registry/docker-config.js';
import { loadBuiltInCatalogue } from '../src/scenario/catalogue.js';

const TIME_SCALE = 50;
const SCENARIO_OF: Partial<Record<GapId, string>> = {
  containers: 'classic',
  'init-containers': 'init-container',
  'never-policy': 'never-policy',
  'ephemeral-containers': 'ephemeral-container',
};

describe.each(PROFILE_NAMES)('audit of the embedded lab under %s', (profile) => {
  let lab: EmbeddedLab;
  let dir: string;
  let admin: KubeHttp;
  const expected = new Map<GapId, 'open' | 'closed'>();

  const namespaces = async (): Promise<string[]> => {
    const r = await admin.get('/api/v1/namespaces');
    return ((r.body as { items: { metadata: { name: string } }[] }).items ?? []).map((n) => n.metadata.name).sort();
  };
  const allPods = async (): Promise<string[]> => {
    const r = await admin.get('/api/v1/pods');
    return ((r.body as { items: { metadata: { namespace: string; name: string } }[] }).items ?? []).map((p) => `${p.metadata.namespace}/${p.metadata.name}`).sort();
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), `image-heist-audit-${profile}-`));
    lab = await startEmbeddedLab({ profile, dir, timeScale: TIME_SCALE });
    admin = KubeHttp.load({ kubeconfig: lab.info.kubeconfig, context: 'admin' });
    for (const s of await loadBuiltInCatalogue()) {
      for (const [gap, name] of Object.entries(SCENARIO_OF)) {
        if (s.metadata.name === name && s.verdict.kind === 'attack') expected.set(gap as GapId, s.verdict.expected[profile] === 'bypassed' ? 'open' : 'closed');
      }
    }
    expect(expected.size).toBe(4);
  });

  afterAll(async () => {
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('passive: the admission layer the profile has, the kubelet settled from configz, nothing stored', async () => {
    const nsBefore = await namespaces();
    const podsBefore = await allPods();
    const { findings, observations } = await runAudit(admin, {});
    const hasApl = PROFILES[profile].enableAdmissionPlugins.includes('AlwaysPullImages');
    // the policy profiles' VAP refuses and MAP rewrites the dry-run IfNotPresent pod: an admission layer that holds
    const policies = PROFILES[profile].admissionPolicies;
    const admissionHolds = hasApl || policies.length > 0;
    const defence = (id: string) => findings.defences.find((d) => d.id === id)!;
    const gap = (id: string) => findings.gaps.find((g) => g.id === id)!;
    expect(defence('admission-always-pull').status).toBe(admissionHolds ? 'effective' : 'not-effective');
    for (const id of ['containers', 'init-containers', 'never-policy']) expect(gap(id).admission).toBe(admissionHolds ? 'closed' : 'open');
    // AlwaysPullImages ignores pods/ephemeralcontainers: open at admission on every profile without a policy
    // (with a policy in the cluster the audit cannot infer that, and says unknown until --attack)
    expect(gap('ephemeral-containers').admission).toBe(policies.length > 0 ? 'unknown' : 'open');
    expect(observations.admission.find((p) => p.path === 'ephemeral-containers')!.basis).toBe('inferred');
    // the admin reads every node's kubelet settings through nodes/<n>/proxy/configz: the defence is settled
    const kubelet = defence('kubelet-ensure-secret-pulled-images');
    const verifies = profile === 'kubelet-default' || profile === 'kubelet-always-verify';
    expect(kubelet.status).toBe(verifies ? 'effective' : 'not-effective');
    expect(kubelet.probe).toBe('GET /api/v1/nodes/<node>/proxy/configz');
    expect(observations.kubelet.nodes.map((n) => n.read)).toEqual(lab.info.nodes.map(() => true));
    // the admission policy kinds are served; only the policy profiles have one
    const cel = observations.policies.filter((s) => s.api === 'ValidatingAdmissionPolicy' || s.api === 'MutatingAdmissionPolicy');
    expect(cel.map((s) => s.state)).toEqual([policies.includes('require-always') ? 'found' : 'none', policies.includes('force-always') ? 'found' : 'none']);
    expect(observations.policies.filter((s) => !cel.includes(s)).every((s) => s.state === 'not-served')).toBe(true);
    // with the kubelet read, every gap is settled without an attack; kubelet-default still runs preloaded images
    // (a policy leaves the ephemeral path unknown without --attack: undetermined, not a false "exposed")
    expect(findings.conclusion).toBe(profile === 'kubelet-always-verify' ? 'protected' : policies.length > 0 ? 'undetermined' : 'exposed');
    expect(await namespaces()).toEqual(nsBefore);
    expect(await allPods()).toEqual(podsBefore);
  });

  it('--attack: the catalogue verdict on every path, and no object left behind', async () => {
    const nsBefore = await namespaces();
    const podsBefore = await allPods();
    const dockerConfigJson = makeDockerConfigJson(lab.info.registry.host, lab.info.registry.username, lab.info.registry.password);
    const progress: string[] = [];
    const { findings, observations } = await runAudit(admin, {}, () =>
      runAttack(admin, { image: lab.info.images.secret, dockerConfigJson, hostImage: lab.info.images.public, timeoutMs: 30_000, onProgress: (l) => progress.push(l) }),
    );
    for (const [gap, status] of expected) expect([gap, findings.gaps.find((g) => g.id === gap)!.status]).toEqual([gap, status]);
    const attack = observations.attack!;
    expect(attack.cleanedUp).toBe(true);
    expect(attack.namespaces).toHaveLength(2);
    if (attack.containers.kind === 'bypassed') expect(attack.containers.evidence).toContain(lab.info.flag);
    if (profile === 'kubelet-default' || profile === 'kubelet-always-verify') {
      expect(findings.defences.find((d) => d.id === 'kubelet-ensure-secret-pulled-images')!.status).toBe('effective');
      expect(attack.containers).toMatchObject({ kind: 'blocked', by: 'kubelet' });
    }
    if (profile === 'always-pull-images') expect(attack.containers).toMatchObject({ kind: 'blocked', by: 'registry', policy: 'Always' });
    // nothing the attack made is left, and nothing else was touched
    expect(await namespaces()).toEqual(nsBefore);
    expect(await allPods()).toEqual(podsBefore);
    expect(JSON.stringify(progress)).not.toContain(lab.info.registry.password);
  });
});

describe('audit as a tenant (admin2) with a pod of its own', () => {
  let lab: EmbeddedLab;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-audit-tenant-'));
    lab = await startEmbeddedLab({ profile: 'always-pull-images', dir, timeScale: TIME_SCALE });
  });
  afterAll(async () => {
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('probes the ephemeral path for real on its pod, sees admission forced only on creates, and changes nothing', async () => {
    const kubeconfig = path.join(dir, 'admin2.kubeconfig');
    await writeFile(kubeconfig, lab.kubeconfigFor('admin2'));
    const admin2 = KubeHttp.load({ kubeconfig });
    const created = await admin2.request('POST', '/api/v1/namespaces/tenant-b/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'workload' },
      spec: { containers: [{ name: 'app', image: lab.info.images.public }] },
    });
    expect(created.status).toBe(201);
    for (let i = 0; i < 100; i++) {
      const p = await admin2.get('/api/v1/namespaces/tenant-b/pods/workload');
      if ((p.body as { status?: { phase?: string } }).status?.phase === 'Running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const { findings, observations, target } = await runAudit(admin2, { namespace: 'tenant-b' });
    expect(target.namespace).toBe('tenant-b');
    const ephemeral = observations.admission.find((p) => p.path === 'ephemeral-containers')!;
    expect(ephemeral.basis).toBe('observed');
    expect(ephemeral.probe).toContain('/pods/workload/ephemeralcontainers');
    expect(ephemeral.outcome).toEqual({ kind: 'allowed-as-sent', policy: 'IfNotPresent', warnings: [] });
    expect(findings.gaps.find((g) => g.id === 'containers')!.status).toBe('closed');
    // a tenant may not list nodes: said so
    expect(observations.kubelet.nodesUnlisted).toMatch(/forbidden/);
    const after = await admin2.get('/api/v1/namespaces/tenant-b/pods/workload');
    expect((after.body as { spec: { ephemeralContainers?: unknown[] } }).spec.ephemeralContainers ?? []).toEqual([]);
    // the tenant's own namespace only: tenant-a stays out of reach
    const other = await runAudit(admin2, { namespace: 'tenant-a' });
    expect(other.findings.gaps.find((g) => g.id === 'containers')!.status).toBe('unknown');
    expect(other.target.namespace).toBeUndefined();
  });
});
