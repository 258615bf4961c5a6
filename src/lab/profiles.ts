// The lab's profiles: which defence each cluster runs. One table drives the embedded API server's
// admission chain, the embedded kubelets' settings and the kind configs, so they cannot drift apart.
import type { PolicyFile } from './admission-policies.js';

/** kubelet.config.k8s.io/v1beta1 ImagePullCredentialsVerificationPolicy (kubernetes/kubelet config/v1beta1/types.go). */
export type ImagePullCredentialsVerificationPolicy = 'NeverVerify' | 'NeverVerifyPreloadedImages' | 'NeverVerifyAllowlistedImages' | 'AlwaysVerify';

export interface Profile {
  name: ProfileName;
  /** One line for `image-heist list` and the UI. */
  summary: string;
  /** kube-apiserver --enable-admission-plugins beyond the defaults (the order does not matter since v1.10). */
  enableAdmissionPlugins: readonly ('NodeRestriction' | 'AlwaysPullImages')[];
  kubelet: {
    /** The KubeletEnsureSecretPulledImages feature gate: beta and on by default since v1.35. */
    ensureSecretPulledImages: boolean;
    imagePullCredentialsVerificationPolicy: ImagePullCredentialsVerificationPolicy;
  };
  /** Labels the cluster admin puts on the tenant namespaces (Pod Security Admission reads `pod-security.kubernetes.io/*`). */
  tenantNamespaceLabels: Readonly<Record<string, string>>;
  /** Admission policies (cluster-configs/policies/) the cluster admin applies through the API when the stage is set. */
  admissionPolicies: readonly ProfilePolicyFile[];
}

/** The policy files that are defences; the gap files are applied by scenario steps, never by a profile. */
export type ProfilePolicyFile = Extract<PolicyFile, 'require-always' | 'force-always'>;

export const PROFILE_NAMES = [
  'none',
  'always-pull-images',
  'kubelet-default',
  'kubelet-always-verify',
  'pod-security',
  'validating-admission-policy',
  'mutating-admission-policy',
] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

// NeverVerify for `none` and `always-pull-images`: on v1.35+ the kubelet default would otherwise block the
// bypass by itself and hide what the admission plugin does (research/kind-recipe.md §1.5).
export const PROFILES: Readonly<Record<ProfileName, Profile>> = {
  none: {
    name: 'none',
    summary: 'no defence: the kubelet runs any cached image for any pod (pre-1.35 behaviour)',
    enableAdmissionPlugins: ['NodeRestriction'],
    kubelet: { ensureSecretPulledImages: true, imagePullCredentialsVerificationPolicy: 'NeverVerify' },
    tenantNamespaceLabels: {},
    admissionPolicies: [],
  },
  'always-pull-images': {
    name: 'always-pull-images',
    summary: 'the AlwaysPullImages admission plugin forces imagePullPolicy Always, so the registry checks every pod',
    enableAdmissionPlugins: ['NodeRestriction', 'AlwaysPullImages'],
    kubelet: { ensureSecretPulledImages: true, imagePullCredentialsVerificationPolicy: 'NeverVerify' },
    tenantNamespaceLabels: {},
    admissionPolicies: [],
  },
  'kubelet-default': {
    name: 'kubelet-default',
    summary: 'Kubernetes 1.35+ default: the kubelet re-verifies credentials for images it pulled (preloaded images still bypass)',
    enableAdmissionPlugins: ['NodeRestriction'],
    kubelet: { ensureSecretPulledImages: true, imagePullCredentialsVerificationPolicy: 'NeverVerifyPreloadedImages' },
    tenantNamespaceLabels: {},
    admissionPolicies: [],
  },
  'kubelet-always-verify': {
    name: 'kubelet-always-verify',
    summary: 'the kubelet re-verifies credentials for every cached image, preloaded ones too (AlwaysVerify)',
    enableAdmissionPlugins: ['NodeRestriction'],
    kubelet: { ensureSecretPulledImages: true, imagePullCredentialsVerificationPolicy: 'AlwaysVerify' },
    tenantNamespaceLabels: {},
    admissionPolicies: [],
  },
  // Pull-side settings as `none`: what stops the node-access attack is Pod Security Admission (on by default
  // since v1.25), enforcing baseline on the tenant namespaces; a tenant cannot relabel its own namespace.
  'pod-security': {
    name: 'pod-security',
    summary: 'Pod Security Admission enforces baseline on tenant namespaces: no hostPath, privileged or host-namespace pods',
    enableAdmissionPlugins: ['NodeRestriction'],
    kubelet: { ensureSecretPulledImages: true, imagePullCredentialsVerificationPolicy: 'NeverVerify' },
    tenantNamespaceLabels: { 'pod-security.kubernetes.io/enforce': 'baseline' },
    admissionPolicies: [],
  },
  // Pull-side settings as `none` for both policy profiles, so the policy alone is what is measured. Both are built
  // into kube-apiserver v1.36 (VAP GA since 1.30; MAP GA in 1.36, gate on by default: k8s.io/apiserver
  // pkg/features/kube_features.go), so kind needs no flag; the stage applies the objects through the API.
  'validating-admission-policy': {
    name: 'validating-admission-policy',
    summary: 'a ValidatingAdmissionPolicy (CEL) refuses containers, init and ephemeral containers without imagePullPolicy Always',
    enableAdmissionPlugins: ['NodeRestriction'],
    kubelet: { ensureSecretPulledImages: true, imagePullCredentialsVerificationPolicy: 'NeverVerify' },
    tenantNamespaceLabels: {},
    admissionPolicies: ['require-always'],
  },
  'mutating-admission-policy': {
    name: 'mutating-admission-policy',
    summary: 'a MutatingAdmissionPolicy (CEL) sets imagePullPolicy Always on new containers, init and ephemeral containers',
    enableAdmissionPlugins: ['NodeRestriction'],
    kubelet: { ensureSecretPulledImages: true, imagePullCredentialsVerificationPolicy: 'NeverVerify' },
    tenantNamespaceLabels: {},
    admissionPolicies: ['force-always'],
  },
};

export function isProfileName(name: string): name is ProfileName {
  return (PROFILE_NAMES as readonly string[]).includes(name);
}

/** Parses `--profile a,b` or `all`; the error names the valid profiles so the fix is in the message. */
export function parseProfiles(spec: string): ProfileName[] {
  if (spec.trim() === 'all') return [...PROFILE_NAMES];
  const names = spec
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (names.length === 0) throw new UnknownProfileError(spec);
  for (const name of names) if (!isProfileName(name)) throw new UnknownProfileError(name);
  return [...new Set(names as ProfileName[])];
}

export class UnknownProfileError extends Error {
  constructor(readonly profile: string) {
    super(`unknown profile "${profile}"; valid profiles: ${PROFILE_NAMES.join(', ')} (or all)`);
    this.name = 'UnknownProfileError';
  }
}
