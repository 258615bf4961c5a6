// Reading a kubelet's /configz answer for the KEP-2535 settings, pure.
// /configz reports {"kubeletconfig": {<KubeletConfiguration v1beta1>}} (cmd/kubelet/app/server.go initConfigz).
import type { ImagePullCredentialsVerificationPolicy } from '../lab/profiles.js';

export type VerificationPolicy = ImagePullCredentialsVerificationPolicy;
const POLICIES: readonly string[] = ['NeverVerify', 'NeverVerifyPreloadedImages', 'NeverVerifyAllowlistedImages', 'AlwaysVerify'];

export interface KubeletPullSettings {
  gate: boolean;
  policy?: VerificationPolicy;
  allowlist: string[];
}

/**
 * The gate and policy from a configz body. The kubelet fills in imagePullCredentialsVerificationPolicy only when the
 * gate is on (pkg/kubelet/apis/config/v1beta1/defaults.go), so an absent field means the gate is off (or a kubelet
 * older than 1.33); featureGates lists only gates set explicitly.
 */
export function parseConfigz(body: unknown): KubeletPullSettings | { error: string } {
  if (typeof body !== 'object' || body === null) return { error: 'configz did not answer a JSON object' };
  const config = (body as Record<string, unknown>)['kubeletconfig'];
  if (typeof config !== 'object' || config === null) return { error: 'configz has no "kubeletconfig" object' };
  const c = config as Record<string, unknown>;
  const gates = typeof c['featureGates'] === 'object' && c['featureGates'] !== null ? (c['featureGates'] as Record<string, unknown>) : {};
  const raw = c['imagePullCredentialsVerificationPolicy'];
  const allowlist = Array.isArray(c['preloadedImagesVerificationAllowlist']) ? c['preloadedImagesVerificationAllowlist'].map(String) : [];
  if (gates['KubeletEnsureSecretPulledImages'] === false) return { gate: false, allowlist };
  if (typeof raw === 'string' && POLICIES.includes(raw)) return { gate: true, policy: raw as VerificationPolicy, allowlist };
  if (raw === undefined || raw === '') return { gate: false, allowlist };
  return { error: `unknown imagePullCredentialsVerificationPolicy ${JSON.stringify(raw)}` };
}
