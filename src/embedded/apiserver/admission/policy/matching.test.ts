// The rule grammar (cases from k8s.io/apiserver pkg/admission/plugin/webhook/predicates/rules/rules_test.go
// TestResource, TestOperation, TestScope) and matchResources (policy/matching/matching_test.go behaviour).
import { describe, expect, it } from 'vitest';
import { matchResources, ruleMatches, type RequestResource } from './matching.js';
import type { NamedRuleWithOperations } from './types.js';

const a = (group: string, version: string, resource: string, subresource: string, extra: Partial<RequestResource> = {}): RequestResource => ({
  operation: 'CREATE',
  group,
  version,
  resource,
  subresource,
  name: 'name',
  namespace: 'ns',
  ...extra,
});
const rule = (resources: string[], extra: Partial<NamedRuleWithOperations> = {}): NamedRuleWithOperations => ({
  apiGroups: ['*'],
  apiVersions: ['*'],
  operations: ['*'],
  resources,
  ...extra,
});

describe('ruleMatches: resources and subresources', () => {
  const table: { name: string; resources: string[]; match: RequestResource[]; noMatch: RequestResource[] }[] = [
    { name: 'no subresources', resources: ['*'], match: [a('g', 'v', 'r', ''), a('2', 'v', 'r2', '')], noMatch: [a('g', 'v', 'r', 'exec'), a('2', 'v', 'r2', 'proxy')] },
    { name: 'r & subresources', resources: ['r/*'], match: [a('g', 'v', 'r', ''), a('g', 'v', 'r', 'exec')], noMatch: [a('2', 'v', 'r2', ''), a('2', 'v', 'r2', 'proxy')] },
    {
      name: 'r & subresources or r2',
      resources: ['r/*', 'r2'],
      match: [a('g', 'v', 'r', ''), a('g', 'v', 'r', 'exec'), a('2', 'v', 'r2', '')],
      noMatch: [a('2', 'v', 'r2', 'proxy')],
    },
    {
      name: 'proxy or exec',
      resources: ['*/proxy', '*/exec'],
      match: [a('g', 'v', 'r', 'exec'), a('2', 'v', 'r2', 'proxy'), a('2', 'v', 'r3', 'proxy')],
      noMatch: [a('g', 'v', 'r', ''), a('2', 'v', 'r2', '')],
    },
    { name: 'everything', resources: ['*/*'], match: [a('g', 'v', 'r', ''), a('g', 'v', 'r', 'exec')], noMatch: [] },
    {
      name: 'pods is not pods/ephemeralcontainers',
      resources: ['pods'],
      match: [a('', 'v1', 'pods', '')],
      noMatch: [a('', 'v1', 'pods', 'ephemeralcontainers', { operation: 'UPDATE' }), a('', 'v1', 'pods', 'status')],
    },
    {
      name: 'pods and pods/ephemeralcontainers',
      resources: ['pods', 'pods/ephemeralcontainers'],
      match: [a('', 'v1', 'pods', ''), a('', 'v1', 'pods', 'ephemeralcontainers', { operation: 'UPDATE' })],
      noMatch: [a('', 'v1', 'pods', 'exec'), a('', 'v1', 'pods', 'status')],
    },
  ];
  for (const t of table) {
    it(t.name, () => {
      for (const m of t.match) expect(ruleMatches(rule(t.resources), m), `${m.resource}/${m.subresource}`).toBe(true);
      for (const m of t.noMatch) expect(ruleMatches(rule(t.resources), m), `${m.resource}/${m.subresource}`).toBe(false);
    });
  }

  it('operations, groups and versions', () => {
    expect(ruleMatches(rule(['pods'], { operations: ['CREATE'] }), a('', 'v1', 'pods', '', { operation: 'UPDATE' }))).toBe(false);
    expect(ruleMatches(rule(['pods'], { operations: ['UPDATE'] }), a('', 'v1', 'pods', '', { operation: 'UPDATE' }))).toBe(true);
    expect(ruleMatches(rule(['pods'], { apiGroups: ['apps'] }), a('', 'v1', 'pods', ''))).toBe(false);
    expect(ruleMatches(rule(['pods'], { apiVersions: ['v2'] }), a('', 'v1', 'pods', ''))).toBe(false);
  });

  it('scope: Namespaced and Cluster (namespaces themselves are cluster-scoped)', () => {
    expect(ruleMatches(rule(['*'], { scope: 'Namespaced' }), a('', 'v1', 'pods', ''))).toBe(true);
    expect(ruleMatches(rule(['*'], { scope: 'Namespaced' }), a('', 'v1', 'nodes', '', { namespace: '' }))).toBe(false);
    expect(ruleMatches(rule(['*'], { scope: 'Cluster' }), a('', 'v1', 'namespaces', '', { namespace: 'ns' }))).toBe(true);
    expect(ruleMatches(rule(['*'], { scope: 'Cluster' }), a('', 'v1', 'pods', ''))).toBe(false);
  });
});

describe('matchResources', () => {
  const labels: Record<string, Record<string, string>> = { ns: { team: 'a' } };
  const ctx = { namespaceLabels: (n: string) => labels[n] };
  const pods = [rule(['pods'])];

  it('namespace selector, object selector (new or old object), exclude rules, resourceNames', () => {
    expect(matchResources({ resourceRules: pods, namespaceSelector: { matchLabels: { team: 'a' } } }, a('', 'v1', 'pods', ''), ctx).matches).toBe(true);
    expect(matchResources({ resourceRules: pods, namespaceSelector: { matchLabels: { team: 'b' } } }, a('', 'v1', 'pods', ''), ctx).matches).toBe(false);
    const withLabels = (o: Record<string, string>) => ({ metadata: { labels: o } });
    const sel = { matchExpressions: [{ key: 'app', operator: 'In' as const, values: ['x'] }] };
    expect(
      matchResources({ resourceRules: pods, objectSelector: sel }, a('', 'v1', 'pods', '', { object: withLabels({ app: 'y' }), oldObject: withLabels({ app: 'x' }) }), ctx).matches,
    ).toBe(true);
    expect(matchResources({ resourceRules: pods, objectSelector: sel }, a('', 'v1', 'pods', '', { object: withLabels({ app: 'y' }) }), ctx).matches).toBe(false);
    expect(matchResources({ resourceRules: [rule(['*'])], excludeResourceRules: pods }, a('', 'v1', 'pods', ''), ctx).matches).toBe(false);
    expect(matchResources({ resourceRules: [rule(['pods'], { resourceNames: ['other'] })] }, a('', 'v1', 'pods', ''), ctx).matches).toBe(false);
  });

  it('cluster-scoped requests ignore the namespace selector; a missing namespace is an error once the rules match', () => {
    expect(matchResources({ resourceRules: [rule(['nodes'])], namespaceSelector: { matchLabels: { team: 'b' } } }, a('', 'v1', 'nodes', '', { namespace: '' }), ctx).matches).toBe(
      true,
    );
    expect(matchResources({ resourceRules: pods, namespaceSelector: { matchLabels: { team: 'a' } } }, a('', 'v1', 'pods', '', { namespace: 'gone' }), ctx)).toEqual({
      matches: false,
      error: 'NamespaceNotFound',
    });
    expect(matchResources({ resourceRules: [rule(['secrets'])], namespaceSelector: { matchLabels: { team: 'a' } } }, a('', 'v1', 'pods', '', { namespace: 'gone' }), ctx)).toEqual({
      matches: false,
    });
  });

  it('matchPolicy Equivalent tries equivalent resources, Exact does not', () => {
    const eq = { ...ctx, equivalents: [{ group: 'apps', version: 'v1', resource: 'deployments' }] };
    const req = a('extensions', 'v1beta1', 'deployments', '');
    const rules = [rule(['deployments'], { apiGroups: ['apps'], apiVersions: ['v1'] })];
    expect(matchResources({ resourceRules: rules, matchPolicy: 'Equivalent' }, req, eq)).toEqual({
      matches: true,
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
    });
    expect(matchResources({ resourceRules: rules, matchPolicy: 'Exact' }, req, eq).matches).toBe(false);
  });
});
