// Every resource the embedded API server serves, registered once, in discovery order. A new kind: one file in
// this folder with its ResourceStrategy, and one line here.
import { clusterRoleBindings } from './clusterrolebindings.js';
import { clusterRoles } from './clusterroles.js';
import { configMaps } from './configmaps.js';
import { events } from './events.js';
import { mutatingAdmissionPolicies } from './mutatingadmissionpolicies.js';
import { mutatingAdmissionPolicyBindings } from './mutatingadmissionpolicybindings.js';
import { namespaces } from './namespaces.js';
import { nodes } from './nodes.js';
import { pods } from './pods.js';
import { roleBindings } from './rolebindings.js';
import { roles } from './roles.js';
import { secrets } from './secrets.js';
import { selfSubjectAccessReviews, selfSubjectRulesReviews } from './selfsubjectreviews.js';
import { serviceAccounts } from './serviceaccounts.js';
import { services } from './services.js';
import type { ResourceStrategy } from './types.js';
import { validatingAdmissionPolicies } from './validatingadmissionpolicies.js';
import { validatingAdmissionPolicyBindings } from './validatingadmissionpolicybindings.js';

export type { ResourceStrategy } from './types.js';

export const strategies: readonly ResourceStrategy[] = [
  namespaces,
  nodes,
  pods,
  secrets,
  configMaps,
  serviceAccounts,
  services,
  events,
  clusterRoleBindings,
  clusterRoles,
  roleBindings,
  roles,
  selfSubjectRulesReviews,
  selfSubjectAccessReviews,
  validatingAdmissionPolicies,
  validatingAdmissionPolicyBindings,
  mutatingAdmissionPolicies,
  mutatingAdmissionPolicyBindings,
];

const byKey = new Map(strategies.map((s) => [`${s.info.group}/${s.info.resource}`, s]));

/** The strategy of a served resource. */
export function strategyFor(resource: { group: string; resource: string }): ResourceStrategy {
  const found = byKey.get(`${resource.group}/${resource.resource}`);
  if (!found) throw new Error(`no strategy for ${resource.resource}.${resource.group}`);
  return found;
}
