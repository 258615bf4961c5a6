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

/** The network the first `kind create cluster` makes (kind pkg/cluster/internal/providers/docker/network.go@v0.32.0). */
export const KIND_NETWORK = 'kind';

/** The registries the nodes pull from, by their names on the kind network. */
export const REGISTRIES = {
  /** htpasswd-protected: SuperSecretImage1 lives here; ImagePullSecret1 holds Admin1's login. */
  secure: { container: 'image-heist-registry', port: 5000 },
  /** Anonymous pulls: distribution's htpasswd auth covers every repository, so public images need their own registry. */
  public: { container: 'image-heist-public-registry', port: 5000 },
} as const;
export type RegistryRole = keyof typeof REGISTRIES;

/** `name:port`, the host part of image references in pods and of ImagePullSecret1's server. */
export const registryHost = (role: RegistryRole): string => `${REGISTRIES[role].container}:${REGISTRIES[role].port}`;

/** Where the lab's own identities (ServiceAccounts behind admin, admin1, admin2) live; reset leaves it alone. */
export const LAB_NAMESPACE = 'image-heist-system';

/** Workers per cluster unless --nodes says otherwise: one control-plane and one worker. */
export const DEFAULT_WORKERS = 1;
export const MAX_WORKERS = 8;
