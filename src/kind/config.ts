// Renders a kind cluster config (kind.x-k8s.io/v1alpha4) per profile from the one profile table, so the
// embedded and kind backends cannot drift; cluster-configs/ holds these renderings, checked by a test.
import { stringify } from 'yaml';
import { PROFILES, type ProfileName } from '../lab/profiles.js';
import { DEFAULT_WORKERS, MAX_WORKERS, NODE_IMAGE, clusterName } from './names.js';

export interface KindConfigOptions {
  /** Worker nodes beside the control plane (default 1). */
  workers?: number;
  nodeImage?: string;
  /** What preflight found on the Docker host that the nodes must allow for. */
  host?: HostSettings;
  /** The node image brings its own CNI (dev.image-heist.kind.cni=builtin): kind installs none. */
  builtinCni?: boolean;
  /** containerd certs.d entries mounted into every node: a mirror for registries the nodes cannot reach. */
  mirrors?: readonly MirrorMount[];
}

/** Host facts the cluster config adapts to instead of refusing (preflight says which applied). */
export interface HostSettings {
  /** The host runs cgroup v1: the kubelet refuses it since 1.35 unless failCgroupV1 is false (KEP-5573). */
  cgroupV1: boolean;
  /** Privileged containers lack CAP_SYS_RESOURCE (nested or rootless Docker): containerd must not lower oom_score_adj. */
  oomScoreAdjRestricted: boolean;
}

export interface MirrorMount {
  /** The registry the mirror stands in for (registry.k8s.io, docker.io). */
  registry: string;
  /** A directory on the Docker host holding that registry's hosts.toml. */
  hostPath: string;
}

/** containerd's CRI option for hosts where oom_score_adj cannot be lowered (containerd docs/cri/config.md, `restrict_oom_score_adj`). */
export const RESTRICT_OOM_SCORE_ADJ_PATCH = `[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = true`;

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
export function kubeletConfigurationPatch(profile: ProfileName, host?: HostSettings): string {
  const { kubelet } = PROFILES[profile];
  return stringify({
    kind: 'KubeletConfiguration',
    featureGates: { KubeletEnsureSecretPulledImages: kubelet.ensureSecretPulledImages },
    ...(kubelet.ensureSecretPulledImages ? { imagePullCredentialsVerificationPolicy: kubelet.imagePullCredentialsVerificationPolicy } : {}),
    // kubelet config/v1beta1 KubeletConfiguration.failCgroupV1 (default true since v1.35)
    ...(host?.cgroupV1 ? { failCgroupV1: false } : {}),
  });
}

export interface KindClusterConfig {
  kind: 'Cluster';
  apiVersion: 'kind.x-k8s.io/v1alpha4';
  name: string;
  networking?: { disableDefaultCNI: true };
  nodes: { role: 'control-plane' | 'worker'; image: string; extraMounts?: { hostPath: string; containerPath: string; readOnly: true }[] }[];
  containerdConfigPatches: string[];
  kubeadmConfigPatches: string[];
}

export function kindConfig(profile: ProfileName, options: KindConfigOptions = {}): KindClusterConfig {
  const workers = options.workers ?? DEFAULT_WORKERS;
  if (!Number.isInteger(workers) || workers < 0 || workers > MAX_WORKERS) {
    throw new RangeError(`--nodes must be a whole number from 1 to ${MAX_WORKERS}, got ${String(options.workers)}`);
  }
  const image = options.nodeImage ?? NODE_IMAGE;
  const mounts = (options.mirrors ?? []).map((m) => ({ hostPath: m.hostPath, containerPath: hostsDirPath(m.registry), readOnly: true as const }));
  const node = (role: 'control-plane' | 'worker') => ({ role, image, ...(mounts.length > 0 ? { extraMounts: mounts } : {}) });
  return {
    kind: 'Cluster',
    apiVersion: 'kind.x-k8s.io/v1alpha4',
    name: clusterName(profile),
    // kind pkg/apis/config/v1alpha4/types.go Networking.DisableDefaultCNI
    ...(options.builtinCni ? { networking: { disableDefaultCNI: true as const } } : {}),
    nodes: [node('control-plane'), ...Array.from({ length: workers }, () => node('worker'))],
    containerdConfigPatches: [CONTAINERD_CONFIG_PATCH, ...(options.host?.oomScoreAdjRestricted ? [RESTRICT_OOM_SCORE_ADJ_PATCH] : [])],
    kubeadmConfigPatches: [clusterConfigurationPatch(profile), kubeletConfigurationPatch(profile, options.host)],
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
export const hostsDirPath = (host: string): string => `/etc/containerd/certs.d/${host}`;
export const hostsTomlPath = (host: string): string => `${hostsDirPath(host)}/hosts.toml`;

/** Where a registry name really lives: docker.io's API is registry-1.docker.io (containerd docs/hosts.md, "docker.io"). */
const upstreamServer = (registry: string): string => (registry === 'docker.io' ? 'https://registry-1.docker.io' : `https://${registry}`);

/**
 * hosts.toml for a registry the nodes cannot reach: containerd asks the lab's anonymous registry first (plain HTTP
 * on the kind network), then the real server (containerd docs/hosts.md "Setup a Local Mirror for Docker").
 */
export function mirrorHostsToml(registry: string, mirrorHost: string): string {
  if (!/^[a-z0-9.-]+(:\d+)?$/.test(registry)) throw new Error(`not a registry name: ${JSON.stringify(registry)}`);
  if (!/^[a-z0-9.-]+:\d+$/.test(mirrorHost)) throw new Error(`mirror host must be name:port, got ${JSON.stringify(mirrorHost)}`);
  return [`server = "${upstreamServer(registry)}"`, '', `[host."http://${mirrorHost}"]`, '  capabilities = ["pull", "resolve"]', ''].join('\n');
}
