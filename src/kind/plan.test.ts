import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { PROFILES, PROFILE_NAMES } from '../lab/profiles.js';
import { renderKindConfig } from './config.js';
import { RESET_GRACE_PERIOD_SECONDS } from '../lab/stage.js';
import { planKindLab, renderKindPlan } from './plan.js';

describe('kind dry run', () => {
  const plan = planKindLab({ profiles: [...PROFILE_NAMES] });
  const text = renderKindPlan(plan);

  it('shows, per profile, the config the backend would hand to kind, with exactly that profile defence', () => {
    for (const profile of PROFILE_NAMES) {
      const section = text.split(`## Cluster image-heist-${profile} `)[1]!.split('\n## ')[0]!;
      const yaml = section.slice(section.indexOf('\n\n') + 2);
      expect(yaml.trimEnd()).toBe(renderKindConfig(profile).trimEnd());
      const patches = (parse(yaml) as { kubeadmConfigPatches: string[] }).kubeadmConfigPatches.map((p) => parse(p) as Record<string, never>);
      const kubelet = patches.find((p) => p['kind'] === 'KubeletConfiguration')!;
      expect(kubelet['imagePullCredentialsVerificationPolicy']).toBe(PROFILES[profile].kubelet.imagePullCredentialsVerificationPolicy);
      const plugins = (patches.find((p) => p['kind'] === 'ClusterConfiguration')! as unknown as { apiServer: { extraArgs: Record<string, string> } }).apiServer.extraArgs[
        'enable-admission-plugins'
      ];
      expect(plugins).toBe(profile === 'always-pull-images' ? 'NodeRestriction,AlwaysPullImages' : 'NodeRestriction');
    }
  });

  it('lists the commands in order: create in parallel, registries, hosts.toml on every node, readiness, reset, delete', () => {
    const titles = plan.phases.map((p) => p.title);
    expect(titles[2]).toMatch(/Create the clusters in parallel/);
    expect(titles[4]).toMatch(/As soon as the kind network exists/);
    for (const profile of PROFILE_NAMES) {
      expect(text).toContain(`kind create cluster --name image-heist-${profile} --config - --kubeconfig`);
      expect(text).toContain(`kind delete cluster --name image-heist-${profile}`);
      for (const node of [`image-heist-${profile}-worker`, `image-heist-${profile}-control-plane`]) {
        // each cluster's nodes name their own profile's registries
        expect(text).toContain(`docker exec -i ${node} sh -c 'mkdir -p '\\''/etc/containerd/certs.d/image-heist-${profile}-registry:5000'\\''`);
        expect(text).toContain(`docker exec ${node} crictl images -o json`);
      }
    }
    expect(text).toContain('--network kind');
    expect(text).toContain('-e REGISTRY_AUTH=htpasswd');
    expect(text).toContain('docker rm --force --volumes image-heist-none-registry image-heist-none-public-registry image-heist-always-pull-images-registry');
    expect(plan.registries.map((r) => r.name)).toHaveLength(PROFILE_NAMES.length * 2);
    expect(text).not.toMatch(/^\s*docker (--config \S+ )?login/m);
  });

  it('prints manifests that parse, with every credential redacted', () => {
    const manifests = text.split("## Manifests (applied as the kind admin; ImagePullSecret1 names each cluster's own registry)\n\n")[1]!;
    const docs = parseAllDocuments(manifests).map((d) => d.toJSON() as { kind: string; stringData?: Record<string, string> });
    expect(docs.map((d) => d.kind)).toEqual(plan.manifests.map((m) => m.kind));
    const secret = docs.find((d) => d.kind === 'Secret')!;
    expect(JSON.parse(secret.stringData!['.dockerconfigjson']!)).toEqual({
      auths: { 'image-heist-none-registry:5000': { username: '<random per run, redacted>', password: '<random per run, redacted>', auth: '<random per run, redacted>' } },
    });
    expect(text).not.toMatch(/\$2[aby]\$/); // no real bcrypt hash either
  });

  it('says the grace period the reset really uses, and names the images it was given', () => {
    expect(text).toContain(`gracePeriodSeconds ${RESET_GRACE_PERIOD_SECONDS}`);
    const offline = renderKindPlan(planKindLab({ profiles: ['none'], images: { node: 'local/node:v1.36.3', registry: 'local/registry:3', busybox: 'local/busybox:1' } }));
    expect(offline).toContain('image: local/node:v1.36.3');
    expect(offline).toContain('local/registry:3');
    expect(offline).toContain('docker image save local/busybox:1');
    expect(offline).not.toContain('kindest/node');
  });

  it('with --keep, deletes nothing at exit; with more workers, names them', () => {
    const kept = renderKindPlan(planKindLab({ profiles: ['none'], keep: true, workers: 2 }));
    expect(kept).not.toContain('kind delete cluster');
    expect(kept).toContain('image-heist down removes them');
    expect(kept).toContain('nodes image-heist-none-worker, image-heist-none-worker2, image-heist-none-control-plane');
    expect(() => planKindLab({ profiles: [] })).toThrow(/at least one profile/);
  });
});
