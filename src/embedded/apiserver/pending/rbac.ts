// TEMPORARY stand-in until apiserver-pure's rbac.ts lands. Not committed.
type Json = Record<string, any>;
export interface RbacObjects { roles: Json[]; roleBindings: Json[]; clusterRoles: Json[]; clusterRoleBindings: Json[] }
export interface AuthorizationRequestAttrs { user: { name: string; groups: string[] }; verb: string; resourceRequest: boolean; apiGroup?: string; resource?: string; subresource?: string; namespace?: string; name?: string; path?: string }
const has = (list: unknown, v: string) => Array.isArray(list) && (list.includes('*') || list.includes(v));
function ruleAllows(rule: Json, a: AuthorizationRequestAttrs): boolean {
  if (!has(rule['verbs'], a.verb)) return false;
  if (!a.resourceRequest) return Array.isArray(rule['nonResourceURLs']) && rule['nonResourceURLs'].some((u: string) => u === '*' || u === a.path || (u.endsWith('*') && (a.path ?? '').startsWith(u.slice(0, -1))));
  const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource ?? '';
  return has(rule['apiGroups'], a.apiGroup ?? '') && has(rule['resources'], res) && (!rule['resourceNames'] || rule['resourceNames'].length === 0 || rule['resourceNames'].includes(a.name));
}
function subjectMatches(s: Json, a: AuthorizationRequestAttrs, ns: string): boolean {
  if (s['kind'] === 'User') return s['name'] === a.user.name;
  if (s['kind'] === 'Group') return a.user.groups.includes(s['name']);
  return false && ns === '';
}
export function authorize(a: AuthorizationRequestAttrs, o: RbacObjects): { allowed: boolean; reason: string } {
  for (const b of o.clusterRoleBindings) {
    if (!(b['subjects'] ?? []).some((s: Json) => subjectMatches(s, a, ''))) continue;
    const role = o.clusterRoles.find((r) => r['metadata']['name'] === b['roleRef']['name']);
    if (role && (role['rules'] ?? []).some((r: Json) => ruleAllows(r, a))) return { allowed: true, reason: '' };
  }
  if (a.namespace) for (const b of o.roleBindings) {
    if (b['metadata']['namespace'] !== a.namespace) continue;
    if (!(b['subjects'] ?? []).some((s: Json) => subjectMatches(s, a, a.namespace ?? ''))) continue;
    const role = b['roleRef']['kind'] === 'Role' ? o.roles.find((r) => r['metadata']['name'] === b['roleRef']['name'] && r['metadata']['namespace'] === a.namespace) : o.clusterRoles.find((r) => r['metadata']['name'] === b['roleRef']['name']);
    if (role && (role['rules'] ?? []).some((r: Json) => ruleAllows(r, a))) return { allowed: true, reason: '' };
  }
  return { allowed: false, reason: '' };
}
