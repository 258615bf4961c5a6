// The Kubernetes CEL authorizer library (k8s.io/apiserver pkg/cel/library/authz.go): `authorizer.group(g)
// .resource(r).subresource(s).namespace(ns).name(n).check(verb).allowed()`, `authorizer.path(p).check(verb)`,
// `authorizer.serviceAccount(ns, name)`, `authorizer.requestResource`, and a decision's allowed/reason/errored/error.
// Values are maps tagged with their upstream type name; the authorizer itself is the caller's, set for the
// duration of one evaluation (evaluation is synchronous).
import { CelScalar, celList, celMap, celMethod, isCelMap, type CelFunc, type CelMap, type CelValue } from '@bufbuild/cel';
import { isDNS1123Label, isDNS1123Subdomain } from '../../validation.js';
import type { UserInfo } from './activation.js';
import { charge } from './cost.js';

/** authorizer.AttributesRecord as the library fills it. */
export interface AuthorizationRequest {
  user: UserInfo;
  verb: string;
  resourceRequest: boolean;
  path?: string;
  apiGroup?: string;
  apiVersion?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}
export interface AuthorizationDecision {
  decision: 'Allow' | 'Deny' | 'NoOpinion';
  reason: string;
  error?: string;
}
export type Authorize = (request: AuthorizationRequest) => AuthorizationDecision;

// cost.go: "An authorization check has a fixed cost … set to allow for only two authorization checks per expression".
const CHECK_COST = 350_000;
const TYPE = '@type';

let current: Authorize | undefined;

export function withAuthorizer<T>(authorize: Authorize | undefined, run: () => T): T {
  const saved = current;
  current = authorize;
  try {
    return run();
  } finally {
    current = saved;
  }
}

type Json = Record<string, unknown>;

/** A library value: a CEL map tagged with its upstream type. */
const tagged = (fields: Record<string, CelValue>): CelMap => celMap(new Map(Object.entries(fields)));

/** The `authorizer` variable for a request's user; `requestResource` is the check for the request itself. */
export function authorizerValue(user: UserInfo, request: { group: string; resource: string; subresource: string; namespace: string; name: string }): Json {
  const authorizer = { [TYPE]: 'Authorizer', user: { ...user } };
  const groupCheck = { [TYPE]: 'GroupCheck', authorizer, group: request.group };
  return {
    ...authorizer,
    requestResource: { [TYPE]: 'ResourceCheck', groupCheck, resource: request.resource, subresource: request.subresource, namespace: request.namespace, name: request.name },
  };
}

const str = (m: CelMap, key: string): string => {
  const v = m.get(key);
  return typeof v === 'string' ? v : '';
};

function asType(v: CelValue, type: string): CelMap {
  if (!isCelMap(v) || v.get(TYPE) !== type) throw new Error('no such overload');
  return v;
}

/** The CEL map of a user back to UserInfo (groups as a list of strings). */
function userOf(authorizer: CelMap): UserInfo {
  const u = authorizer.get('user') as CelMap;
  const groups = u.get('groups');
  return { username: str(u, 'username'), uid: str(u, 'uid'), groups: groups && typeof groups === 'object' ? ([...(groups as Iterable<CelValue>)] as string[]) : [] };
}

function decide(request: AuthorizationRequest): CelMap {
  charge(CHECK_COST);
  const d: AuthorizationDecision = current ? current(request) : { decision: 'NoOpinion', reason: '', error: 'no authorizer is configured' };
  return tagged({ [TYPE]: 'Decision', decision: d.decision, reason: d.reason, error: d.error ?? '' });
}

const setter = (field: 'subresource' | 'namespace' | 'name'): CelFunc =>
  celMethod(field, CelScalar.DYN, [CelScalar.STRING], CelScalar.DYN, function (value) {
    const check = asType(this, 'ResourceCheck');
    return tagged({ ...Object.fromEntries(check.entries() as Iterable<[string, CelValue]>), [field]: value });
  });

export const authzLibrary: readonly CelFunc[] = [
  celMethod('path', CelScalar.DYN, [CelScalar.STRING], CelScalar.DYN, function (path) {
    const authorizer = asType(this, 'Authorizer');
    if (path.trim() === '') throw new Error('path must not be empty');
    return tagged({ [TYPE]: 'PathCheck', authorizer, path });
  }),
  celMethod('group', CelScalar.DYN, [CelScalar.STRING], CelScalar.DYN, function (group) {
    return tagged({ [TYPE]: 'GroupCheck', authorizer: asType(this, 'Authorizer'), group });
  }),
  celMethod('serviceAccount', CelScalar.DYN, [CelScalar.STRING, CelScalar.STRING], CelScalar.DYN, function (namespace, name) {
    asType(this, 'Authorizer');
    if (isDNS1123Subdomain(name).length > 0) throw new Error('Invalid service account name');
    if (isDNS1123Label(namespace).length > 0) throw new Error('Invalid service account namespace');
    // serviceaccount.ServiceAccountInfo.UserInfo()
    const groups = ['system:serviceaccounts', `system:serviceaccounts:${namespace}`];
    const user = tagged({ username: `system:serviceaccount:${namespace}:${name}`, uid: '', groups: celList(groups) });
    return tagged({ [TYPE]: 'Authorizer', user });
  }),
  celMethod('resource', CelScalar.DYN, [CelScalar.STRING], CelScalar.DYN, function (resource) {
    const groupCheck = asType(this, 'GroupCheck');
    if (resource.trim() === '') throw new Error('resource must not be empty');
    return tagged({ [TYPE]: 'ResourceCheck', groupCheck, resource, subresource: '', namespace: '', name: '' });
  }),
  setter('subresource'),
  setter('namespace'),
  setter('name'),
  celMethod('check', CelScalar.DYN, [CelScalar.STRING], CelScalar.DYN, function (verb) {
    if (isCelMap(this) && this.get(TYPE) === 'PathCheck') {
      return decide({ user: userOf(this.get('authorizer') as CelMap), verb, resourceRequest: false, path: str(this, 'path') });
    }
    const check = asType(this, 'ResourceCheck');
    const groupCheck = check.get('groupCheck') as CelMap;
    return decide({
      user: userOf(groupCheck.get('authorizer') as CelMap),
      verb,
      resourceRequest: true,
      apiGroup: str(groupCheck, 'group'),
      apiVersion: '*',
      resource: str(check, 'resource'),
      subresource: str(check, 'subresource'),
      namespace: str(check, 'namespace'),
      name: str(check, 'name'),
    });
  }),
  celMethod('allowed', CelScalar.DYN, [], CelScalar.BOOL, function () {
    return asType(this, 'Decision').get('decision') === 'Allow';
  }),
  celMethod('reason', CelScalar.DYN, [], CelScalar.STRING, function () {
    return str(asType(this, 'Decision'), 'reason');
  }),
  celMethod('errored', CelScalar.DYN, [], CelScalar.BOOL, function () {
    return str(asType(this, 'Decision'), 'error') !== '';
  }),
  celMethod('error', CelScalar.DYN, [], CelScalar.STRING, function () {
    return str(asType(this, 'Decision'), 'error');
  }),
];
