// ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, cluster-scoped; pkg/registry/admissionregistration/validatingadmissionpolicy/strategy.go).
import { admissionPolicyStrategy } from './admission-policy-strategy.js';
import { admissionRegistrationResource } from './types.js';

export const validatingAdmissionPolicies = admissionPolicyStrategy({
  ...admissionRegistrationResource('validatingadmissionpolicies', 'validatingadmissionpolicy', 'ValidatingAdmissionPolicy', {
    subresources: [{ name: 'status', kind: 'ValidatingAdmissionPolicy', verbs: ['get', 'patch', 'update'] }],
  }),
  kind: 'ValidatingAdmissionPolicy',
});
