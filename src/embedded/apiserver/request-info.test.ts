import { describe, expect, it } from 'vitest';
import { parseRequestInfo } from './request-info.js';

const parse = (method: string, url: string) => {
  const u = new URL(url, 'https://x');
  return parseRequestInfo(method, u.pathname, u.searchParams);
};

describe('parseRequestInfo (upstream RequestInfoFactory)', () => {
  it.each([
    ['GET', '/api/v1/namespaces/ns/pods', { verb: 'list', namespace: 'ns', resource: 'pods', name: '' }],
    ['GET', '/api/v1/namespaces/ns/pods?watch=true', { verb: 'watch', resource: 'pods' }],
    ['GET', '/api/v1/namespaces/ns/pods/p/log', { verb: 'get', resource: 'pods', name: 'p', subresource: 'log' }],
    ['PATCH', '/api/v1/namespaces/ns/pods/p/ephemeralcontainers', { verb: 'patch', subresource: 'ephemeralcontainers' }],
    ['GET', '/api/v1/namespaces/tenant-a', { verb: 'get', resource: 'namespaces', name: 'tenant-a', namespace: 'tenant-a' }],
    ['PUT', '/api/v1/namespaces/tenant-a/status', { verb: 'update', resource: 'namespaces', name: 'tenant-a', subresource: 'status' }],
    ['DELETE', '/api/v1/namespaces/ns/secrets', { verb: 'deletecollection', resource: 'secrets' }],
    ['POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/ns/rolebindings', { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' }],
    ['GET', '/api/v1/pods', { verb: 'list', namespace: '', resource: 'pods' }],
  ])('%s %s', (method, url, expected) => {
    expect(parse(method, url)).toMatchObject({ isResourceRequest: true, ...expected });
  });

  it('discovery and other paths are non-resource requests', () => {
    for (const path of ['/api', '/api/v1', '/apis', '/apis/rbac.authorization.k8s.io', '/apis/rbac.authorization.k8s.io/v1', '/version', '/openapi/v3']) {
      expect(parse('GET', path)).toMatchObject({ isResourceRequest: false, verb: 'get', path });
    }
  });

  it('marks paths deeper than resource/name/subresource as unrouted', () => {
    expect(parse('GET', '/api/v1/namespaces/ns/pods/p/log/x')).toMatchObject({ unrouted: true });
  });
});
