// The audit's rules: one per defence and per gap, with stable IDs, help text, and the IDs other scanners use for
// the same control (research/policies-audit.md §B7/§B8, peers.md): they only read the AlwaysPullImages flag.
import type { DefenceId, GapId } from './findings.js';

export interface RelatedId {
  /** The scanner or benchmark, as a SARIF taxonomy name. */
  taxonomy: string;
  id: string;
}

export interface Rule {
  id: string;
  name: string;
  title: string;
  help: string;
  helpUri: string;
  /** GitHub code scanning's severity bucket (0-10). */
  securitySeverity: string;
  related: RelatedId[];
}

const SCANNERS: RelatedId[] = [
  { taxonomy: 'CIS Kubernetes Benchmark', id: 'CIS 1.2.11' },
  { taxonomy: 'Kubescape', id: 'C-0123' },
  { taxonomy: 'Trivy', id: 'KCV-0012' },
  { taxonomy: 'Multi-Tenancy Benchmarks', id: 'MTB-PL1-CC-DI-1' },
  { taxonomy: 'Checkov', id: 'CKV_K8S_80' },
];
const KEP = 'https://github.com/kubernetes/enhancements/tree/master/keps/sig-node/2535-ensure-secret-pulled-images';
const APL = 'https://kubernetes.io/docs/reference/access-authn-authz/admission-controllers/#alwayspullimages';

export const DEFENCE_RULES: Record<DefenceId, Rule> = {
  'admission-always-pull': {
    id: 'IH-D001',
    name: 'AdmissionForcesAlwaysPull',
    title: 'admission forces or requires imagePullPolicy Always (AlwaysPullImages or a policy)',
    help: 'Enable the AlwaysPullImages admission plugin (--enable-admission-plugins=…,AlwaysPullImages), or a MutatingAdmissionPolicy/ValidatingAdmissionPolicy that forces or requires Always on containers, initContainers and ephemeralContainers. Scanners report this control from the API server flag; this rule is from what admission did to a dry-run pod.',
    helpUri: APL,
    securitySeverity: '5.0',
    related: SCANNERS,
  },
  'kubelet-ensure-secret-pulled-images': {
    id: 'IH-D002',
    name: 'KubeletEnsureSecretPulledImages',
    title: 'the kubelet re-verifies pull credentials for cached images (KEP-2535)',
    help: 'Run kubelets >= 1.35 (KubeletEnsureSecretPulledImages on by default) and keep imagePullCredentialsVerificationPolicy at NeverVerifyPreloadedImages or, better, AlwaysVerify. NeverVerify restores the shared cache.',
    helpUri: KEP,
    securitySeverity: '5.0',
    related: [],
  },
  'admission-policies': {
    id: 'IH-D003',
    name: 'AdmissionPoliciesCoverAllContainers',
    title: 'admission policies cover containers, initContainers and pods/ephemeralcontainers',
    help: "A policy that forces or requires Always must match pods and pods/ephemeralcontainers and act on all three container lists. Kyverno's and Gatekeeper's library examples act on spec.containers only.",
    helpUri: 'https://kubernetes.io/docs/reference/access-authn-authz/validating-admission-policy/',
    securitySeverity: '4.0',
    related: [],
  },
};

export const GAP_RULES: Record<GapId, Rule> = {
  containers: {
    id: 'IH-G001',
    name: 'CachedImageRunIfNotPresent',
    title: 'a tenant can run a cached private image with imagePullPolicy IfNotPresent',
    help: 'A pod without the pull secret, on the node that holds the image, runs it from the cache. Close it at admission (Always) or at the kubelet (KubeletEnsureSecretPulledImages).',
    helpUri: KEP,
    securitySeverity: '7.5',
    related: SCANNERS,
  },
  'init-containers': {
    id: 'IH-G002',
    name: 'CachedImageRunInitContainer',
    title: 'a tenant can run a cached private image as an init container',
    help: 'Policies that only touch spec.containers leave initContainers open; AlwaysPullImages covers them.',
    helpUri: KEP,
    securitySeverity: '7.5',
    related: SCANNERS,
  },
  'never-policy': {
    id: 'IH-G003',
    name: 'CachedImageRunNever',
    title: 'a tenant can run a cached private image with imagePullPolicy Never',
    help: 'Never never pulls, so the registry is never asked; only admission (Always) or the kubelet check stops it.',
    helpUri: KEP,
    securitySeverity: '7.5',
    related: SCANNERS,
  },
  'ephemeral-containers': {
    id: 'IH-G004',
    name: 'CachedImageRunEphemeralContainer',
    title: 'a tenant can run a cached private image in an ephemeral container (kubectl debug)',
    help: "AlwaysPullImages ignores every subresource, so pods/ephemeralcontainers keeps IfNotPresent; a policy must match pods/ephemeralcontainers, or the kubelet must verify. The scanners' AlwaysPullImages check passes while this is open.",
    helpUri: KEP,
    securitySeverity: '7.5',
    related: SCANNERS,
  },
  'preloaded-images': {
    id: 'IH-G005',
    name: 'PreloadedImageRun',
    title: 'a tenant can run an image preloaded on a node outside the kubelet',
    help: 'With NeverVerifyPreloadedImages (the 1.35+ default) images put on a node by kind load, crictl or the node image are not verified. Use AlwaysVerify, or an allowlist that names only public images.',
    helpUri: KEP,
    securitySeverity: '6.0',
    related: [],
  },
};
