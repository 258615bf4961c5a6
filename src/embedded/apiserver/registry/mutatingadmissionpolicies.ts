// MutatingAdmissionPolicy (admissionregistration.k8s.io/v1, cluster-scoped; pkg/registry/admissionregistration/mutatingadmissionpolicy/strategy.go).
import { admissionPolicyStrategy } from './admission-policy-strategy.js';
import { admissionRegistrationResource } from './types.js';

export const mutatingAdmissionPolicies = admissionPolicyStrategy({
  ...admissionRegistrationResource('mutatingadmissionpolicies', 'mutatingadmissionpolicy', 'MutatingAdmissionPolicy'),
  kind: 'MutatingAdmissionPolicy',
});
