// Which requests a policy or binding applies to: the rule grammar
// (k8s.io/apiserver pkg/admission/plugin/webhook/predicates/rules/rules.go), and matchConstraints / matchResources
// with namespace and object selectors (pkg/admission/plugin/policy/matching/matching.go,
// predicates/namespace/matcher.go, predicates/object/matcher.go).
import { isEmptySelector, labelSelectorMatches } from './label-selector.js';
import type { MatchResources, NamedRuleWithOperations } from './types.js';

/** What a rule is matched against (admission.Attributes). `group` is "" for the core group. */
export interface RequestResource {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  group: string;
  version: string;
  resource: string;
  subresource: string;
  name: string;
  namespace: string;
  object?: unknown;
  oldObject?: unknown;
}

/** Another name for the same resource (matchPolicy Equivalent), e.g. deployments in apps/v1 vs a later version. */
export interface EquivalentResource {
  group: string;
  version: string;
  resource: string;
}

const exactOrWildcard = (items: readonly string[] | undefined, requested: string): boolean => (items ?? []).some((i) => i === '*' || i === requested);

function scopeMatches(rule: NamedRuleWithOperations, a: RequestResource): boolean {
  const isNamespace = a.group === '' && a.version === 'v1' && a.resource === 'namespaces';
  switch (rule.scope ?? '*') {
    case '*':
      return true;
    case 'Namespaced':
      return !isNamespace && a.namespace !== '';
    case 'Cluster':
      return isNamespace || a.namespace === '';
    default:
      return false;
  }
}

/** splitResource: "pods/ephemeralcontainers" → ["pods", "ephemeralcontainers"], "pods" → ["pods", ""]. */
function splitResource(resSub: string): [string, string] {
  const i = resSub.indexOf('/');
  return i < 0 ? [resSub, ''] : [resSub.slice(0, i), resSub.slice(i + 1)];
}

/**
 * rules.Matcher.Matches: `pods` matches only the pods resource itself (no subresource), `pods/*` pods and every
 * pods subresource, `*` every resource but no subresource, `*\/*` everything.
 */
export function ruleMatches(rule: NamedRuleWithOperations, a: RequestResource, resource: EquivalentResource = a): boolean {
  if (!scopeMatches(rule, a)) return false;
  if (!(rule.operations ?? []).some((op) => op === '*' || op === a.operation)) return false;
  if (!exactOrWildcard(rule.apiGroups, resource.group) || !exactOrWildcard(rule.apiVersions, resource.version)) return false;
  return (rule.resources ?? []).some((r) => {
    const [res, sub] = splitResource(r);
    return (res === '*' || res === resource.resource) && (sub === '*' || sub === a.subresource);
  });
}

const nameMatches = (rule: NamedRuleWithOperations, name: string): boolean => (rule.resourceNames ?? []).length === 0 || (rule.resourceNames ?? []).includes(name);

/** matchesResourceRules: the matched resource, or undefined. Equivalent resources are tried only under matchPolicy Equivalent. */
function matchesResourceRules(
  rules: readonly NamedRuleWithOperations[],
  matchPolicy: MatchResources['matchPolicy'],
  a: RequestResource,
  equivalents: readonly EquivalentResource[],
): EquivalentResource | undefined {
  for (const rule of rules) if (ruleMatches(rule, a) && nameMatches(rule, a.name)) return a;
  if (matchPolicy === undefined || matchPolicy === 'Exact') return undefined;
  for (const rule of rules) {
    for (const eq of equivalents) {
      if (eq.group === a.group && eq.version === a.version && eq.resource === a.resource) continue;
      if (ruleMatches(rule, a, eq) && nameMatches(rule, a.name)) return eq;
    }
  }
  return undefined;
}

function labelsOf(object: unknown): Record<string, string> | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  return (object as { metadata?: { labels?: Record<string, string> } }).metadata?.labels ?? {};
}

export interface MatchContext {
  /** The labels of the request's namespace; undefined when it does not exist (upstream answers NotFound). */
  namespaceLabels(name: string): Record<string, string> | undefined;
  /** Other names for the request's resource (RESTMapper equivalents); none in the lab. */
  equivalents?: readonly EquivalentResource[];
}

export type MatchResult = { matches: false } | { matches: true; resource: EquivalentResource } | { matches: false; error: 'NamespaceNotFound' };

/** Matcher.Matches (matching.go): namespace selector, object selector, exclude rules, then resource rules. */
export function matchResources(m: MatchResources | undefined, a: RequestResource, ctx: MatchContext): MatchResult {
  const criteria = m ?? {};
  let namespaceNotFound = false;
  // MatchNamespaceSelector: cluster-scoped requests (other than namespaces) always match.
  if (!(a.namespace === '' && a.resource !== 'namespaces') && !isEmptySelector(criteria.namespaceSelector)) {
    // GetNamespaceLabels: a namespace being created or updated is judged by its own labels.
    const own = a.resource === 'namespaces' && a.subresource === '' && (a.operation === 'CREATE' || a.operation === 'UPDATE');
    const labels = own ? labelsOf(a.object) : ctx.namespaceLabels(a.namespace);
    if (labels === undefined) namespaceNotFound = true;
    else if (!labelSelectorMatches(criteria.namespaceSelector, labels)) return { matches: false };
  }
  // MatchObjectSelector: the new or the old object's labels.
  if (!isEmptySelector(criteria.objectSelector)) {
    const matchObject = (o: unknown): boolean => labelsOf(o) !== undefined && labelSelectorMatches(criteria.objectSelector, labelsOf(o));
    if (!matchObject(a.object) && !matchObject(a.oldObject)) return { matches: false };
  }
  const equivalents = ctx.equivalents ?? [];
  if (matchesResourceRules(criteria.excludeResourceRules ?? [], criteria.matchPolicy, a, equivalents)) return { matches: false };
  const resource = (criteria.resourceRules ?? []).length === 0 ? a : matchesResourceRules(criteria.resourceRules ?? [], criteria.matchPolicy, a, equivalents);
  if (!resource) return { matches: false };
  if (namespaceNotFound) return { matches: false, error: 'NamespaceNotFound' };
  return { matches: true, resource };
}
