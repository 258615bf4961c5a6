// The names and pins the kind backend uses; `image-heist down` finds what the lab made by these and nothing else.
import type { ProfileName } from '../lab/profiles.js';

/** Every cluster the lab makes is called image-heist-<profile>: kind gives node containers no custom labels. */
export const CLUSTER_PREFIX = 'image-heist-';
export const clusterName = (profile: ProfileName): string => `${CLUSTER_PREFIX}${profile}`;

/** Docker label on every container the lab starts itself (the registries); `down` removes by it. */
export const LAB_LABEL = 'dev.image-heist.lab';

/** kind v0.32.0's default node image, pinned by digest as its release notes ask (kind pkg/apis/config/defaults/image.go@v0.32.0). */
export const NODE_IMAGE = 'kindest/node:v1.36.1@sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5';

/** The distribution registry kind's own local-registry recipe runs (kind site/static/examples/kind-with-registry.sh, registry:3 since e2d7ad9f). */
export const REGISTRY_IMAGE = 'registry:3';

/** A real, small, runnable userland for the lab images; the flag layer goes on top. */
export const BASE_IMAGE = 'busybox:1.37';

/** The images the backend runs: defaults are the pinned upstream images; --node-image and friends name others (an offline kit). */
export interface KindImages {
  node: string;
  registry: string;
  busybox: string;
}

export const DEFAULT_KIND_IMAGES: KindImages = { node: NODE_IMAGE, registry: REGISTRY_IMAGE, busybox: BASE_IMAGE };

/** The network the first `kind create cluster` makes (kind pkg/cluster/internal/providers/docker/network.go@v0.32.0). */
export const KIND_NETWORK = 'kind';

/** The registries of one profile's cluster: each profile has its own pair, so one profile's outage or reset touches no other. */
export const REGISTRY_ROLES = ['secure', 'public'] as const;
export type RegistryRole = (typeof REGISTRY_ROLES)[number];
/** The port distribution listens on inside its container. */
export const REGISTRY_PORT = 5000;

/**
 * `image-heist-<profile>-registry` is htpasswd-protected (SuperSecretImage1; ImagePullSecret1 holds Admin1's login);
 * `image-heist-<profile>-public-registry` takes anonymous pulls (distribution's htpasswd covers every repository).
 */
export const registryContainer = (role: RegistryRole, profile: ProfileName): string => `${clusterName(profile)}-${role === 'secure' ? 'registry' : 'public-registry'}`;

/** `name:port`, the host part of image references in pods and of ImagePullSecret1's server. */
export const registryHost = (role: RegistryRole, profile: ProfileName): string => `${registryContainer(role, profile)}:${REGISTRY_PORT}`;

export const registryHosts = (profile: ProfileName): string[] => REGISTRY_ROLES.map((role) => registryHost(role, profile));

/** Where the backend keeps its private files (kind kubeconfigs, certs.d mirrors); `down` removes leftovers of this prefix. */
export const WORKDIR_PREFIX = 'image-heist-kind-';

export { LAB_NAMESPACE } from '../lab/names.js';

/** Workers per cluster unless --nodes says otherwise: one control-plane and one worker. */
export const DEFAULT_WORKERS = 1;
export const MAX_WORKERS = 8;
