// Discovery documents: aggregated (apidiscovery.k8s.io/v2, what kubectl ≥1.30 asks for first) and
// legacy (APIVersions, APIGroupList, APIResourceList). Shapes follow
// k8s.io/api/apidiscovery/v2/types.go and k8s.io/apimachinery/pkg/apis/meta/v1/types.go.
import { groupVersion, groupVersions, resources, type ResourceInfo } from './resources.js';

/** The exact Content-Type kubectl requires before it reads an aggregated body (research §0.5). */
export const aggregatedDiscoveryContentType = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** True when the Accept header asks for aggregated discovery v2. */
export function wantsAggregatedDiscovery(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const params = part.split(';').map((p) => p.trim());
    return params.includes('g=apidiscovery.k8s.io') && params.includes('v=v2') && params.includes('as=APIGroupDiscoveryList');
  });
}

function aggregatedResource(r: ResourceInfo): Record<string, unknown> {
  const entry: Record<string, unknown> = {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
  };
  if (r.shortNames.length > 0) entry['shortNames'] = r.shortNames;
  if (r.categories.length > 0) entry['categories'] = r.categories;
  if (r.subresources.length > 0) {
    entry['subresources'] = r.subresources.map((s) => ({
      subresource: s.name,
      responseKind: { group: r.group, version: r.version, kind: s.kind },
      verbs: s.verbs,
    }));
  }
  return entry;
}

/** GET /api (core) or GET /apis (named groups), aggregated. */
export function aggregatedDiscovery(scope: 'core' | 'groups'): Record<string, unknown> {
  const byGroup = new Map<string, Map<string, ResourceInfo[]>>();
  for (const r of resources) {
    if ((scope === 'core') !== (r.group === '')) continue;
    const versions = byGroup.get(r.group) ?? new Map<string, ResourceInfo[]>();
    versions.set(r.version, [...(versions.get(r.version) ?? []), r]);
    byGroup.set(r.group, versions);
  }
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: 'apidiscovery.k8s.io/v2',
    metadata: {},
    items: [...byGroup].map(([group, versions]) => ({
      metadata: group === '' ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
      versions: [...versions].map(([version, list]) => ({
        version,
        resources: list.map(aggregatedResource),
        freshness: 'Current',
      })),
    })),
  };
}

/** GET /api, legacy. */
export function apiVersions(serverAddress: string): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

/** GET /apis, legacy. */
export function apiGroupList(): Record<string, unknown> {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: groupVersions()
      .filter((gv) => gv.group !== '')
      .map((gv) => apiGroup(gv.group)),
  };
}

/** GET /apis/<group>. */
export function apiGroup(group: string): Record<string, unknown> {
  const versions = groupVersions()
    .filter((gv) => gv.group === group)
    .map((gv) => ({ groupVersion: groupVersion(gv), version: gv.version }));
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions, preferredVersion: versions[0] };
}

/** GET /api/v1 or /apis/<group>/<version>; undefined when that group-version is not served. */
export function apiResourceList(group: string, version: string): Record<string, unknown> | undefined {
  const list = resources.filter((r) => r.group === group && r.version === version);
  if (list.length === 0) return undefined;
  const out: Record<string, unknown>[] = [];
  for (const r of list) {
    const entry: Record<string, unknown> = { name: r.resource, singularName: r.singular, namespaced: r.namespaced, kind: r.kind, verbs: r.verbs };
    if (r.shortNames.length > 0) entry['shortNames'] = r.shortNames;
    if (r.categories.length > 0) entry['categories'] = r.categories;
    out.push(entry);
    for (const s of r.subresources) {
      out.push({ name: `${r.resource}/${s.name}`, singularName: '', namespaced: r.namespaced, kind: s.kind, verbs: s.verbs });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion({ group, version }), resources: out };
}
