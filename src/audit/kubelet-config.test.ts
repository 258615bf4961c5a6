import { describe, expect, it } from 'vitest';
import { parseConfigz } from './kubelet-config.js';

describe('parseConfigz: the KEP-2535 settings from /configz', () => {
  it('reads the policy and allowlist', () => {
    expect(
      parseConfigz({ kubeletconfig: { imagePullCredentialsVerificationPolicy: 'NeverVerifyAllowlistedImages', preloadedImagesVerificationAllowlist: ['registry.k8s.io/pause'] } }),
    ).toEqual({ gate: true, policy: 'NeverVerifyAllowlistedImages', allowlist: ['registry.k8s.io/pause'] });
  });
  it('an absent policy means the gate is off: the kubelet defaults it only with the gate on', () => {
    expect(parseConfigz({ kubeletconfig: { staticPodPath: '/etc/kubernetes/manifests' } })).toEqual({ gate: false, allowlist: [] });
  });
  it('an explicit featureGates false wins', () => {
    expect(parseConfigz({ kubeletconfig: { featureGates: { KubeletEnsureSecretPulledImages: false }, imagePullCredentialsVerificationPolicy: 'AlwaysVerify' } })).toEqual({
      gate: false,
      allowlist: [],
    });
  });
  it('hostile or foreign answers are errors, not verdicts', () => {
    expect(parseConfigz('<html>')).toHaveProperty('error');
    expect(parseConfigz({ componentconfig: {} })).toHaveProperty('error');
    expect(parseConfigz({ kubeletconfig: { imagePullCredentialsVerificationPolicy: 'Sometimes' } })).toEqual({
      error: 'unknown imagePullCredentialsVerificationPolicy "Sometimes"',
    });
  });
});
