// The lab's admission policy files (cluster-configs/policies/): which exist, and their objects as the cluster admin
// applies them through the Kubernetes API. The same objects go to the embedded API server and to a kind cluster.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

export const POLICIES_DIR = fileURLToPath(new URL('../../cluster-configs/policies/', import.meta.url));

/** The defences (a profile's policies) and the gaps (applied by a scenario step), by file name without `.yaml`. */
export const POLICY_FILES = [
  'require-always',
  'force-always',
  'gap-containers-only',
  'gap-forgets-ephemeral-containers',
  'gap-ignore-missing-param',
  'gap-namespace-label-exemption',
  'gap-tenants-may-label-namespaces',
] as const;
export type PolicyFile = (typeof POLICY_FILES)[number];

/** Put on every object a scenario step applies, so the reset between scenarios can find and remove them. */
export const SCENARIO_APPLIED_LABEL = 'image-heist.lab/applied-by-scenario';

/** The kinds a policy file may hold: the four admissionregistration kinds, and the RBAC that opens a gap. */
export const POLICY_FILE_KINDS = [
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicy' },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingAdmissionPolicyBinding' },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingAdmissionPolicy' },
  { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingAdmissionPolicyBinding' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole' },
  { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding' },
] as const;

/** The objects of one policy file, in file order; anything but the kinds above is refused (the files are cluster-scoped only). */
export function policyManifests(file: PolicyFile): KubernetesObject[] {
  const text = readFileSync(`${POLICIES_DIR}${file}.yaml`, 'utf8');
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`cluster-configs/policies/${file}.yaml: document ${i + 1}: ${doc.errors[0]!.message}`);
    const object = doc.toJS() as KubernetesObject;
    if (!POLICY_FILE_KINDS.some((k) => k.apiVersion === object.apiVersion && k.kind === object.kind) || !object.metadata?.name) {
      throw new Error(
        `cluster-configs/policies/${file}.yaml: document ${i + 1}: expected a named ${POLICY_FILE_KINDS.map((k) => k.kind).join(', ')} (got ${object.apiVersion}/${object.kind})`,
      );
    }
    return object;
  });
}

/** The same objects, labelled as applied by a scenario (the reset removes them). */
export function scenarioPolicyManifests(file: PolicyFile): KubernetesObject[] {
  return policyManifests(file).map((o) => ({ ...o, metadata: { ...o.metadata, labels: { ...o.metadata?.labels, [SCENARIO_APPLIED_LABEL]: 'true' } } }));
}
