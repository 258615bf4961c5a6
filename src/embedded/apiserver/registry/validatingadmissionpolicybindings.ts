// ValidatingAdmissionPolicyBinding (admissionregistration.k8s.io/v1, cluster-scoped; pkg/registry/admissionregistration/validatingadmissionpolicybinding/strategy.go).
import { admissionPolicyStrategy } from './admission-policy-strategy.js';
import { admissionRegistrationResource } from './types.js';

export const validatingAdmissionPolicyBindings = admissionPolicyStrategy({
  ...admissionRegistrationResource('validatingadmissionpolicybindings', 'validatingadmissionpolicybinding', 'ValidatingAdmissionPolicyBinding'),
  kind: 'ValidatingAdmissionPolicyBinding',
});
