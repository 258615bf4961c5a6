// What a request asks for, parsed from its method and path like upstream's RequestInfoFactory
// (k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).

export interface ResourceRequestInfo {
  isResourceRequest: true;
  path: string;
  verb: string;
  apiPrefix: 'api' | 'apis';
  group: string;
  version: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  /** More path segments than resource/name/subresource: no such route (404); a proxy subresource takes a path. */
  unrouted: boolean;
}

export interface NonResourceRequestInfo {
  isResourceRequest: false;
  path: string;
  verb: string;
}

export type RequestInfo = ResourceRequestInfo | NonResourceRequestInfo;

// Subresources of a namespace, not namespaced resources (requestinfo.go namespaceSubresources).
const namespaceSubresources = new Set(['status', 'finalize']);

const verbByMethod: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const methodVerb = verbByMethod[method] ?? method.toLowerCase();
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  const prefix = parts[0];
  if (prefix !== 'api' && prefix !== 'apis') return { isResourceRequest: false, path, verb: methodVerb };
  let rest = parts.slice(1);
  let group = '';
  if (prefix === 'apis') {
    if (rest.length < 3) return { isResourceRequest: false, path, verb: methodVerb };
    group = rest[0] ?? '';
    rest = rest.slice(1);
  } else if (rest.length < 2) {
    return { isResourceRequest: false, path, verb: methodVerb };
  }
  const version = rest[0] ?? '';
  rest = rest.slice(1);
  let verb = methodVerb;
  let namespace = '';
  // /namespaces/{namespace}/{resource}/…: parts become relative to the resource; a namespace's own
  // subresources (status, finalize) keep the namespace as the resource, and namespace == name.
  if (rest[0] === 'namespaces' && rest.length > 1) {
    namespace = rest[1] ?? '';
    if (rest.length > 2 && !namespaceSubresources.has(rest[2] ?? '')) rest = rest.slice(2);
  }
  const resource = rest[0] ?? '';
  const name = rest[1] ?? '';
  const subresource = rest[2] ?? '';
  if (name === '' && verb === 'get') verb = isTrue(query.get('watch')) ? 'watch' : 'list';
  else if (verb === 'get' && isTrue(query.get('watch'))) verb = 'watch';
  if (name === '' && verb === 'delete') verb = 'deletecollection';
  return { isResourceRequest: true, path, verb, apiPrefix: prefix, group, version, namespace, resource, subresource, name, unrouted: rest.length > 3 && subresource !== 'proxy' };
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}
