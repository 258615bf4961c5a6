import { describe, expect, it } from 'vitest';
import { admissionPolicyManifests } from './stage.js';
import { PROFILES, PROFILE_NAMES, UnknownProfileError, parseProfiles } from './profiles.js';

describe('profiles', () => {
  it('enables AlwaysPullImages only in always-pull-images', () => {
    const withPlugin = PROFILE_NAMES.filter((p) => PROFILES[p].enableAdmissionPlugins.includes('AlwaysPullImages'));
    expect(withPlugin).toEqual(['always-pull-images']);
  });

  it('isolates each defence: only the kubelet profiles verify credentials', () => {
    expect(PROFILE_NAMES.map((p) => PROFILES[p].kubelet.imagePullCredentialsVerificationPolicy)).toEqual([
      'NeverVerify',
      'NeverVerify',
      'NeverVerifyPreloadedImages',
      'AlwaysVerify',
      'NeverVerify',
      'NeverVerify',
      'NeverVerify',
    ]);
  });

  it('carries admission policies only in the two policy profiles, each from a file that parses to a policy and its binding', () => {
    expect(PROFILE_NAMES.filter((p) => PROFILES[p].admissionPolicies.length > 0)).toEqual(['validating-admission-policy', 'mutating-admission-policy']);
    expect(admissionPolicyManifests('validating-admission-policy').map((o) => o.kind)).toEqual(['ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding']);
    expect(admissionPolicyManifests('mutating-admission-policy').map((o) => o.kind)).toEqual(['MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding']);
    expect(admissionPolicyManifests('none')).toEqual([]);
  });

  it('labels tenant namespaces only in pod-security: enforce=baseline, set by the cluster admin', () => {
    const labelled = PROFILE_NAMES.filter((p) => Object.keys(PROFILES[p].tenantNamespaceLabels).length > 0);
    expect(labelled).toEqual(['pod-security']);
    expect(PROFILES['pod-security'].tenantNamespaceLabels).toEqual({ 'pod-security.kubernetes.io/enforce': 'baseline' });
  });

  it('parses lists and all, and de-duplicates', () => {
    expect(parseProfiles('all')).toEqual([...PROFILE_NAMES]);
    expect(parseProfiles('none, always-pull-images,none')).toEqual(['none', 'always-pull-images']);
  });

  it('names the valid profiles when one is unknown', () => {
    expect(() => parseProfiles('none,strict')).toThrow(UnknownProfileError);
    expect(() => parseProfiles('strict')).toThrow(
      'unknown profile "strict"; valid profiles: none, always-pull-images, kubelet-default, kubelet-always-verify, pod-security, validating-admission-policy, mutating-admission-policy (or all)',
    );
    expect(() => parseProfiles(',')).toThrow(UnknownProfileError);
  });
});
