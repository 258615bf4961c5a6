// Impersonation (Impersonate-User, -Group, -Uid, -Extra-<key>), as k8s.io/apiserver/pkg/endpoints/filters/impersonation.go
// does it: every requested identity is authorized for the requesting user with the verb "impersonate" on users,
// groups, serviceaccounts, uids or userextras; one denial is upstream's 403, and the request then runs as the
// impersonated user (with system:authenticated), never with the requester's groups.
import { StatusError } from '../../../k8s/api-errors.js';
import type { UserInfo } from '../authn.js';
import type { AuthorizationRequest } from '../handlers/context.js';

export interface Impersonator {
  authorize(user: UserInfo, request: AuthorizationRequest): { allowed: boolean; reason: string };
  forbidden(user: UserInfo, request: AuthorizationRequest, reason: string): StatusError;
}

type Headers = Record<string, string[] | undefined>;

const serviceAccountPrefix = 'system:serviceaccount:';

/** The user a request acts as: `user` itself without impersonation headers. Throws the 403 (or upstream's 500). */
export function impersonatedUser(distinct: Headers, user: UserInfo, authorizer: Impersonator): UserInfo {
  const names = distinct['impersonate-user'] ?? [];
  const groups = distinct['impersonate-group'] ?? [];
  const uids = distinct['impersonate-uid'] ?? [];
  const extras = Object.keys(distinct)
    .filter((h) => h.startsWith('impersonate-extra-'))
    .flatMap((h) => (distinct[h] ?? []).map((value) => ({ key: safeUnescape(h.slice('impersonate-extra-'.length)), value })));
  if (names.length === 0 && groups.length === 0 && uids.length === 0 && extras.length === 0) return user;
  if (names.length === 0) {
    // impersonation.go answers InternalError here (documented in docs/apiserver.md).
    throw new StatusError({
      code: 500,
      reason: 'InternalError',
      message: `Internal error occurred: requested ${describe(groups, uids, extras)} without impersonating a user`,
      details: { causes: [{ message: `requested ${describe(groups, uids, extras)} without impersonating a user` }] },
    });
  }
  const check = (request: AuthorizationRequest): void => {
    const decision = authorizer.authorize(user, request);
    if (!decision.allowed) throw authorizer.forbidden(user, request, decision.reason);
  };
  const username = names[0] ?? '';
  let impersonatedGroups: string[] = [];
  if (username.startsWith(serviceAccountPrefix)) {
    const [namespace = '', name = ''] = username.slice(serviceAccountPrefix.length).split(':');
    check({ resourceRequest: true, verb: 'impersonate', apiGroup: '', resource: 'serviceaccounts', namespace, name });
    // serviceaccount.MakeGroupNames, unless groups were asked for.
    if (groups.length === 0) impersonatedGroups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
  } else {
    check({ resourceRequest: true, verb: 'impersonate', apiGroup: '', resource: 'users', name: username });
  }
  for (const group of groups) {
    check({ resourceRequest: true, verb: 'impersonate', apiGroup: '', resource: 'groups', name: group });
    impersonatedGroups.push(group);
  }
  for (const { key, value } of extras) {
    check({ resourceRequest: true, verb: 'impersonate', apiGroup: 'authentication.k8s.io', resource: 'userextras', subresource: key, name: value });
  }
  for (const uid of uids) check({ resourceRequest: true, verb: 'impersonate', apiGroup: 'authentication.k8s.io', resource: 'uids', name: uid });
  if (username === 'system:anonymous') {
    if (!impersonatedGroups.includes('system:unauthenticated')) impersonatedGroups.push('system:unauthenticated');
  } else if (!impersonatedGroups.includes('system:authenticated')) {
    impersonatedGroups.push('system:authenticated');
  }
  return { name: username, groups: impersonatedGroups };
}

function safeUnescape(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

function describe(groups: string[], uids: string[], extras: { key: string; value: string }[]): string {
  const refs = [...groups.map((g) => `{Group ${g}}`), ...uids.map((u) => `{UID ${u}}`), ...extras.map((e) => `{UserExtra ${e.key}=${e.value}}`)];
  return `[${refs.join(' ')}]`;
}
