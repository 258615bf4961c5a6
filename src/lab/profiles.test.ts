import { describe, expect, it } from 'vitest';
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
    ]);
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
      'unknown profile "strict"; valid profiles: none, always-pull-images, kubelet-default, kubelet-always-verify, pod-security (or all)',
    );
    expect(() => parseProfiles(',')).toThrow(UnknownProfileError);
  });
});
