import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { kindConfig, mirrorHostsToml, renderKindConfig } from './config.js';
import { CNI_LABEL, SYSTEM_IMAGES_LABEL, parseNodeImageLabels } from './node-image.js';
import { systemRegistries } from './system-images.js';

describe('node image labels (the interface with the offline node image)', () => {
  it('reads the builtin CNI and the system images; upstream images have neither', () => {
    expect(parseNodeImageLabels({ [CNI_LABEL]: 'builtin', [SYSTEM_IMAGES_LABEL]: 'registry.k8s.io/kube-proxy:v1.36.3, registry.k8s.io/coredns/coredns:v1.14.2,' })).toEqual({
      builtinCni: true,
      systemImages: ['registry.k8s.io/kube-proxy:v1.36.3', 'registry.k8s.io/coredns/coredns:v1.14.2'],
    });
    expect(parseNodeImageLabels(null)).toEqual({ builtinCni: false, systemImages: [] });
    expect(parseNodeImageLabels({ [CNI_LABEL]: 'kindnet' }).builtinCni).toBe(false);
    expect(systemRegistries(['registry.k8s.io/pause:3.10', 'busybox:1', 'registry.k8s.io/etcd:3.6.8'])).toEqual(['docker.io', 'registry.k8s.io']);
  });
});

describe('kind config adapted to the node image and the host', () => {
  it('a builtin CNI turns kindnet off; the default config stays as rendered in cluster-configs/', () => {
    expect(kindConfig('none', { builtinCni: true }).networking).toEqual({ disableDefaultCNI: true });
    expect(kindConfig('none').networking).toBeUndefined();
  });

  it('cgroup v1 and a withheld CAP_SYS_RESOURCE become failCgroupV1: false and restrict_oom_score_adj', () => {
    const text = renderKindConfig('kubelet-default', { host: { cgroupV1: true, oomScoreAdjRestricted: true } });
    const config = parse(text) as { containerdConfigPatches: string[]; kubeadmConfigPatches: string[] };
    const kubelet = config.kubeadmConfigPatches.map((p) => parse(p) as Record<string, unknown>).find((p) => p['kind'] === 'KubeletConfiguration')!;
    expect(kubelet).toMatchObject({ failCgroupV1: false, imagePullCredentialsVerificationPolicy: 'NeverVerifyPreloadedImages' });
    expect(config.containerdConfigPatches.join('\n')).toMatch(/\[plugins\."io\.containerd\.grpc\.v1\.cri"\]\n\s+restrict_oom_score_adj = true/);
    expect(renderKindConfig('kubelet-default')).not.toMatch(/failCgroupV1|restrict_oom_score_adj/);
  });

  it('mounts certs.d mirror entries read-only into every node', () => {
    const config = kindConfig('always-pull-images', { workers: 2, mirrors: [{ registry: 'registry.k8s.io', hostPath: '/tmp/x/registry.k8s.io' }] });
    expect(config.nodes).toHaveLength(3);
    for (const node of config.nodes)
      expect(node.extraMounts).toEqual([{ hostPath: '/tmp/x/registry.k8s.io', containerPath: '/etc/containerd/certs.d/registry.k8s.io', readOnly: true }]);
  });

  it("a mirror's hosts.toml asks the lab's anonymous registry over HTTP, then the real server", () => {
    expect(mirrorHostsToml('registry.k8s.io', 'image-heist-always-pull-images-public-registry:5000')).toBe(
      'server = "https://registry.k8s.io"\n\n[host."http://image-heist-always-pull-images-public-registry:5000"]\n  capabilities = ["pull", "resolve"]\n',
    );
    expect(mirrorHostsToml('docker.io', 'm:5000')).toMatch(/^server = "https:\/\/registry-1\.docker\.io"/);
    expect(() => mirrorHostsToml('evil"]\n[x', 'm:5000')).toThrow(/not a registry name/);
  });
});
