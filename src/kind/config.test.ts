import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PROFILES, PROFILE_NAMES } from '../lab/profiles.js';
import { CONTAINERD_CONFIG_PATCH, hostsToml, hostsTomlPath, kindConfig, renderKindConfig } from './config.js';
import { NODE_IMAGE } from './names.js';

interface Parsed {
  kind: string;
  apiVersion: string;
  name: string;
  nodes: { role: string; image: string }[];
  containerdConfigPatches: string[];
  kubeadmConfigPatches: string[];
}

const patchOf = (config: Parsed, kind: string) => config.kubeadmConfigPatches.map((p) => parse(p) as Record<string, unknown>).filter((p) => p['kind'] === kind);

describe('kind configs per profile', () => {
  for (const profile of PROFILE_NAMES) {
    describe(profile, () => {
      const parsed = parse(renderKindConfig(profile)) as Parsed;

      it('is a kind v1alpha4 Cluster named after the profile, one control plane and one worker on the pinned node image', () => {
        expect(parsed.kind).toBe('Cluster');
        expect(parsed.apiVersion).toBe('kind.x-k8s.io/v1alpha4');
        expect(parsed.name).toBe(`image-heist-${profile}`);
        expect(parsed.nodes.map((n) => n.role)).toEqual(['control-plane', 'worker']);
        for (const n of parsed.nodes) expect(n.image).toMatch(/^kindest\/node:v1\.3[5-9]\.\d+@sha256:[0-9a-f]{64}$/);
      });

      it('enables exactly the profile admission plugins and always keeps NodeRestriction', () => {
        const cc = patchOf(parsed, 'ClusterConfiguration');
        expect(cc).toHaveLength(1);
        expect(cc[0]!['apiVersion']).toBeUndefined(); // unversioned: kind converts it for v1beta4 (kubeadm_merge.go)
        const value = (cc[0]!['apiServer'] as Record<string, Record<string, string>>)['extraArgs']!['enable-admission-plugins']!;
        const plugins = value.split(',');
        expect(plugins).toContain('NodeRestriction');
        expect(new Set(plugins)).toEqual(new Set(['NodeRestriction', ...PROFILES[profile].enableAdmissionPlugins]));
        expect(plugins.includes('AlwaysPullImages')).toBe(profile === 'always-pull-images');
      });

      it('sets the kubelet gate and the verification policy from the profile table', () => {
        const kc = patchOf(parsed, 'KubeletConfiguration');
        expect(kc).toHaveLength(1);
        expect(kc[0]!['featureGates']).toEqual({ KubeletEnsureSecretPulledImages: true });
        const expected = {
          none: 'NeverVerify',
          'always-pull-images': 'NeverVerify',
          'kubelet-default': 'NeverVerifyPreloadedImages',
          'kubelet-always-verify': 'AlwaysVerify',
          'pod-security': 'NeverVerify',
          'validating-admission-policy': 'NeverVerify',
          'mutating-admission-policy': 'NeverVerify',
        }[profile];
        expect(kc[0]!['imagePullCredentialsVerificationPolicy']).toBe(expected);
        expect(kc[0]!['imagePullCredentialsVerificationPolicy']).toBe(PROFILES[profile].kubelet.imagePullCredentialsVerificationPolicy);
      });

      it('points containerd at /etc/containerd/certs.d and puts no credentials on the node', () => {
        expect(parsed.containerdConfigPatches).toEqual([CONTAINERD_CONFIG_PATCH]);
        expect(parsed.containerdConfigPatches[0]).toMatch(/^\[plugins\."io\.containerd\.grpc\.v1\.cri"\.registry\]\n\s+config_path = "\/etc\/containerd\/certs\.d"$/);
        const text = renderKindConfig(profile);
        expect(text).not.toMatch(/auth|password|config\.json|extraMounts/i);
      });

      it('equals the committed file in cluster-configs/', () => {
        const committed = readFileSync(new URL(`../../cluster-configs/${profile}.yaml`, import.meta.url), 'utf8');
        expect(committed).toBe(renderKindConfig(profile));
      });
    });
  }

  it('only the profile table decides: profiles differ exactly where the table differs', () => {
    const none = renderKindConfig('none').split('\n').slice(2).join('\n').replaceAll('image-heist-none', 'X');
    const apl = renderKindConfig('always-pull-images').split('\n').slice(2).join('\n').replaceAll('image-heist-always-pull-images', 'X');
    expect(apl.replace('NodeRestriction,AlwaysPullImages', 'NodeRestriction')).toBe(none);
  });

  it('renders more workers on request and refuses nonsense', () => {
    expect(kindConfig('none', { workers: 2 }).nodes.map((n) => n.role)).toEqual(['control-plane', 'worker', 'worker']);
    expect(kindConfig('none', { nodeImage: 'kindest/node:v1.37.0@sha256:' + 'a'.repeat(64) }).nodes[0]!.image).toContain('v1.37.0');
    expect(kindConfig('none').nodes[0]!.image).toBe(NODE_IMAGE);
    expect(() => kindConfig('none', { workers: -1 })).toThrow(/--nodes/);
    expect(() => kindConfig('none', { workers: 1.5 })).toThrow(/whole number/);
    expect(() => kindConfig('none', { workers: 99 })).toThrow(/from 1 to/);
  });
});

describe('hosts.toml', () => {
  it('sends the registry name on the kind network to plain HTTP, pull and resolve only, without credentials', () => {
    const toml = hostsToml('image-heist-registry:5000');
    expect(toml.split('\n')).toEqual(['server = "http://image-heist-registry:5000"', '', '[host."http://image-heist-registry:5000"]', '  capabilities = ["pull", "resolve"]', '']);
    expect(toml).not.toMatch(/header|Authorization|auth/i);
    expect(hostsTomlPath('image-heist-registry:5000')).toBe('/etc/containerd/certs.d/image-heist-registry:5000/hosts.toml');
  });

  it('refuses a host without a port or with characters that could break the file', () => {
    expect(() => hostsToml('image-heist-registry')).toThrow(/name:port/);
    expect(() => hostsToml('a"b:5000')).toThrow(/name:port/);
    expect(() => hostsToml('evil\n[host]:1')).toThrow(/name:port/);
  });
});
