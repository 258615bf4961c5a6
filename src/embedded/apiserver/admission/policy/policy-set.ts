// Sorts admissionregistration.k8s.io/v1 objects (e.g. the documents of a `kubectl apply -f` file) into a PolicySet.
import { parseAllDocuments } from 'yaml';
import type { PolicySet } from './evaluate.js';
import { API_VERSION, POLICY_KINDS, type PolicyKind } from './types.js';
import type { MutatingAdmissionPolicy, MutatingAdmissionPolicyBinding, ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from './types.js';

export interface MutablePolicySet {
  validatingPolicies: ValidatingAdmissionPolicy[];
  validatingBindings: ValidatingAdmissionPolicyBinding[];
  mutatingPolicies: MutatingAdmissionPolicy[];
  mutatingBindings: MutatingAdmissionPolicyBinding[];
}

const SET_KEY: Record<PolicyKind, keyof MutablePolicySet> = {
  ValidatingAdmissionPolicy: 'validatingPolicies',
  ValidatingAdmissionPolicyBinding: 'validatingBindings',
  MutatingAdmissionPolicy: 'mutatingPolicies',
  MutatingAdmissionPolicyBinding: 'mutatingBindings',
};

/** The objects of the four policy kinds, by kind; other objects are returned apart (e.g. ConfigMap params). */
export function policySetOf(objects: readonly unknown[]): { set: MutablePolicySet; others: Record<string, unknown>[] } {
  const set: MutablePolicySet = { validatingPolicies: [], validatingBindings: [], mutatingPolicies: [], mutatingBindings: [] };
  const others: Record<string, unknown>[] = [];
  for (const o of objects) {
    if (typeof o !== 'object' || o === null) continue;
    const { apiVersion, kind } = o as { apiVersion?: string; kind?: string };
    if (apiVersion !== API_VERSION || !(kind !== undefined && kind in POLICY_KINDS)) {
      others.push(o as Record<string, unknown>);
      continue;
    }
    (set[SET_KEY[kind as PolicyKind]] as unknown[]).push(o);
  }
  return { set, others };
}

/** A multi-document YAML file as a PolicySet. */
export function policySetFromYaml(text: string): PolicySet {
  const docs = parseAllDocuments(text).map((d) => {
    if (d.errors.length > 0) throw new Error(d.errors[0]!.message);
    return d.toJSON() as unknown;
  });
  return policySetOf(docs).set;
}
