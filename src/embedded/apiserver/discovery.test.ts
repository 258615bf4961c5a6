import { describe, expect, it } from 'vitest';
import { aggregatedDiscovery, apiResourceList, wantsAggregatedDiscovery } from './discovery.js';
import { buildOpenApi } from './openapi.js';
import { resources } from './resources.js';

describe('discovery', () => {
  it('recognises the Accept header kubectl sends for aggregated discovery', () => {
    expect(
      wantsAggregatedDiscovery(
        'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json',
      ),
    ).toBe(true);
    expect(wantsAggregatedDiscovery('application/json, */*')).toBe(false);
  });

  it('lists every served resource once, with subresources', () => {
    const core = aggregatedDiscovery('core') as { items: { versions: { resources: { resource: string; subresources?: { subresource: string }[] }[] }[] }[] };
    const groups = aggregatedDiscovery('groups') as { items: { metadata: { name: string } }[] };
    const names = core.items[0]!.versions[0]!.resources.map((r) => r.resource);
    expect(names).toEqual(resources.filter((r) => r.group === '').map((r) => r.resource));
    const podsEntry = core.items[0]!.versions[0]!.resources.find((r) => r.resource === 'pods');
    expect(podsEntry?.subresources?.map((s) => s.subresource).sort()).toEqual(['ephemeralcontainers', 'log', 'status']);
    expect(groups.items.map((g) => g.metadata.name)).toEqual(['rbac.authorization.k8s.io', 'authorization.k8s.io', 'admissionregistration.k8s.io']);
    const legacy = apiResourceList('', 'v1') as { resources: { name: string }[] };
    expect(legacy.resources.map((r) => r.name)).toContain('pods/log');
    expect(legacy.resources.map((r) => r.name)).toContain('nodes/proxy');
    const policies = apiResourceList('admissionregistration.k8s.io', 'v1') as { resources: { name: string; namespaced: boolean }[] };
    expect(policies.resources.map((r) => r.name)).toEqual([
      'validatingadmissionpolicies',
      'validatingadmissionpolicies/status',
      'validatingadmissionpolicybindings',
      'mutatingadmissionpolicies',
      'mutatingadmissionpolicybindings',
    ]);
    expect(policies.resources.every((r) => !r.namespaced)).toBe(true);
    expect(apiResourceList('apps', 'v1')).toBeUndefined();
  });
});

describe('OpenAPI v3', () => {
  it('has one PATCH operation with fieldValidation per patchable kind, and no schemas', () => {
    const { root, byPath } = buildOpenApi('v1.36.3');
    const paths = (root as { paths: Record<string, { serverRelativeURL: string }> }).paths;
    expect(Object.keys(paths).sort()).toEqual(['api/v1', 'apis/admissionregistration.k8s.io/v1', 'apis/rbac.authorization.k8s.io/v1']);
    const core = JSON.parse(byPath.get('api/v1')!.body) as { paths: Record<string, { patch: Record<string, unknown> }>; components?: unknown };
    const kinds = Object.values(core.paths).map((p) => (p.patch['x-kubernetes-group-version-kind'] as { kind: string }).kind);
    expect(kinds.sort()).toEqual(['ConfigMap', 'Event', 'Namespace', 'Node', 'Pod', 'Secret', 'ServiceAccount']);
    for (const p of Object.values(core.paths)) {
      expect(p.patch['parameters']).toContainEqual(expect.objectContaining({ name: 'fieldValidation', in: 'query' }));
      expect(p.patch['requestBody']).toBeUndefined();
    }
    expect(core.components).toBeUndefined();
    expect(paths['api/v1']!.serverRelativeURL).toBe(`/openapi/v3/api/v1?hash=${byPath.get('api/v1')!.hash}`);
  });
});
