// MutatingAdmissionPolicyBinding (admissionregistration.k8s.io/v1, cluster-scoped; pkg/registry/admissionregistration/mutatingadmissionpolicybinding/strategy.go).
import { admissionPolicyStrategy } from './admission-policy-strategy.js';
import { admissionRegistrationResource } from './types.js';

export const mutatingAdmissionPolicyBindings = admissionPolicyStrategy({
  ...admissionRegistrationResource('mutatingadmissionpolicybindings', 'mutatingadmissionpolicybinding', 'MutatingAdmissionPolicyBinding'),
  kind: 'MutatingAdmissionPolicyBinding',
});
