// Renders a kind cluster config (kind.x-k8s.io/v1alpha4) per profile from the one profile table, so the
// embedded and kind backends cannot drift; cluster-configs/ holds these renderings, checked by a test.
import { stringify } from 'yaml';
import { PROFILES, type ProfileName } from '../lab/profiles.js';
import { DEFAULT_WORKERS, MAX_WORKERS, NODE_IMAGE, clusterName } from './names.js';

export interface KindConfigOptions {
  /** Worker nodes beside the control plane (default 1). */
  workers?: number;
  nodeImage?: string;
}

/** kind's containerd base config is `version = 2` (images/base/files/etc/containerd/config.toml@v0.32.0); this key is kind's own recipe (site/static/examples/kind-with-registry.sh). */
export const CONTAINERD_CONFIG_PATCH = `[plugins."io.containerd.grpc.v1.cri".registry]
  config_path = "/etc/containerd/certs.d"`;

/**
 * kubeadm ClusterConfiguration patch: unversioned and in map form, which kind >= v0.32 converts to v1beta4's
 * name/value list (pkg/internal/patch/kubeadm_merge.go@v0.32.0). User extraArgs replace kubeadm's default
 * `enable-admission-plugins=NodeRestriction` (cmd/kubeadm/app/phases/controlplane/manifests.go), so the
 * list always carries NodeRestriction.
 */
export function clusterConfigurationPatch(profile: ProfileName): string {
  const plugins = [...new Set(['NodeRestriction', ...PROFILES[profile].enableAdmissionPlugins])];
  return stringify({ kind: 'ClusterConfiguration', apiServer: { extraArgs: { 'enable-admission-plugins': plugins.join(',') } } });
}

/**
 * KubeletConfiguration patch at cluster level: kubeadm reads the kubelet config of the first node only
 * (kind site/content/docs/user/configuration.md, issue #3849). The gate is set explicitly: the kubelet refuses
 * imagePullCredentialsVerificationPolicy without it (research/kind-recipe.md §1.5).
 */
export function kubeletConfigurationPatch(profile: ProfileName): string {
  const { kubelet } = PROFILES[profile];
  return stringify({
    kind: 'KubeletConfiguration',
    featureGates: { KubeletEnsureSecretPulledImages: kubelet.ensureSecretPulledImages },
    ...(kubelet.ensureSecretPulledImages ? { imagePullCredentialsVerificationPolicy: kubelet.imagePullCredentialsVerificationPolicy } : {}),
  });
}

export interface KindClusterConfig {
  kind: 'Cluster';
  apiVersion: 'kind.x-k8s.io/v1alpha4';
  name: string;
  nodes: { role: 'control-plane' | 'worker'; image: string }[];
  containerdConfigPatches: string[];
  kubeadmConfigPatches: string[];
}

export function kindConfig(profile: ProfileName, options: KindConfigOptions = {}): KindClusterConfig {
  const workers = options.workers ?? DEFAULT_WORKERS;
  if (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS) {
    throw new RangeError(`--nodes must be a whole number from 1 to ${MAX_WORKERS}, got ${String(options.workers)}`);
  }
  const image = options.nodeImage ?? NODE_IMAGE;
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: clusterName(profile),
    nodes: [{ role: 'control-plane', image }, ...Array.from({ length: workers }, () => ({ role: 'worker' as const, image }))],
    containerdConfigPatches: [CONTAINERD_CONFIG_PATCH],
    kubeadmConfigPatches: [clusterConfigurationPatch(profile), kubeletConfigurationPatch(profile)],
  };
}

/** The config as the YAML handed to `kind create cluster --config -`, with a header saying where it comes from. */
export function renderKindConfig(profile: ProfileName, options: KindConfigOptions = {}): string {
  const header = [
    `# kind cluster for the image-heist profile "${profile}": ${PROFILES[profile].summary}`,
    '# Rendered from src/lab/profiles.ts by src/kind/config.ts; do not edit by hand (a test compares them).',
  ];
  return `${header.join('\n')}\n${stringify(kindConfig(profile, options), { lineWidth: 0 })}`;
}

/**
 * /etc/containerd/certs.d/<host>/hosts.toml: plain HTTP to the registry by its name on the kind network; containerd
 * uses https for every non-loopback host without it (containerd core/remotes/docker/config/hosts.go). No credentials here.
 */
export function hostsToml(host: string): string {
  if (!/^[a-z0-9.-]+:\d+$/.test(host)) throw new Error(`registry host must be name:port, got ${JSON.stringify(host)}`);
  return [`server = "http://${host}"`, '', `[host."http://${host}"]`, '  capabilities = ["pull", "resolve"]', ''].join('\n');
}

/** The directory containerd looks in for a host with a port (containerd docs/hosts.md "Port Handling"). */
export const hostsTomlPath = (host: string): string => `/etc/containerd/certs.d/${host}/hosts.toml`;
