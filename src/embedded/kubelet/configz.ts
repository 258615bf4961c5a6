// What a kubelet's /configz answers (cmd/kubelet/app/server.go initConfigz: {"kubeletconfig": <KubeletConfiguration
// v1beta1, defaulted>}), for the settings the lab models. Field names are k8s.io/kubelet/config/v1beta1's;
// featureGates lists only gates set explicitly, as the kubelet reports them (the lab sets this one explicitly).
import type { KubeletSettings } from './node-context.js';

export function kubeletConfigz(settings: KubeletSettings): { kubeletconfig: Record<string, unknown> } {
  const kubeletconfig: Record<string, unknown> = {
    enableServer: true,
    syncFrequency: '1m0s',
    fileCheckFrequency: '20s',
    httpCheckFrequency: '20s',
    address: '0.0.0.0',
    port: 10250,
    serializeImagePulls: true,
    imageMinimumGCAge: '2m0s',
    imageGCHighThresholdPercent: 85,
    imageGCLowThresholdPercent: 80,
    containerRuntimeEndpoint: 'unix:///run/containerd/containerd.sock',
    featureGates: { KubeletEnsureSecretPulledImages: settings.ensureSecretPulledImages },
  };
  // v1beta1 defaults.go fills the policy only when the gate is on; validation refuses it set with the gate off.
  if (settings.ensureSecretPulledImages) kubeletconfig['imagePullCredentialsVerificationPolicy'] = settings.imagePullCredentialsVerificationPolicy;
  return { kubeletconfig };
}
