// Policy discovery: which admission policies and webhooks exist, found through discovery (an API that is not
// served is said so, not guessed), and which pod fields and requests each one reaches, by a static reading.
// The dry-run probes say what they do; this says why, and covers the ephemeral path when no pod can be probed.
import type { Coverage, PolicyObject, PolicySource } from '../findings.js';
import { statusMessage, type KubeHttp } from '../kube-http.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => arr(v).map(String);

export interface RuleReach {
  /** CREATE of pods: containers and init containers. */
  pods: boolean;
  /** UPDATE of pods/ephemeralcontainers: `kubectl debug`. */
  ephemeral: boolean;
}

/**
 * Whether admissionregistration rules reach pod creates and the ephemeral-container subresource. Per the API:
 * "'*' means all resources, but not subresources. 'pods/*' means all subresources of pods. '*\/*' means all
 * resources and their subresources" (k8s.io/api admissionregistration/v1 types.go Rule.Resources).
 */
export function rulesReach(rules: unknown[]): RuleReach {
  const reach: RuleReach = { pods: false, ephemeral: false };
  for (const rule of rules.map(obj)) {
    const groups = strs(rule['apiGroups']);
    if (groups.length > 0 && !groups.includes('') && !groups.includes('*')) continue;
    const ops = strs(rule['operations']);
    const op = (o: string) => ops.length === 0 || ops.includes('*') || ops.includes(o);
    for (const res of strs(rule['resources'])) {
      if (op('CREATE') && (res === 'pods' || res === '*' || res === '*/*')) reach.pods = true;
      if (op('UPDATE') && ['pods/ephemeralcontainers', 'pods/*', '*/*', '*/ephemeralcontainers'].includes(res)) reach.ephemeral = true;
    }
  }
  return reach;
}

/** Which container lists a policy's text names: `containers` alone, `initContainers`, `ephemeralContainers`. */
export function fieldsNamed(text: string): { containers: boolean; initContainers: boolean; ephemeralContainers: boolean } {
  return {
    containers: /(?<![A-Za-z])containers/.test(text),
    initContainers: /initContainers/.test(text),
    ephemeralContainers: /ephemeralContainers/.test(text),
  };
}

const yesNo = (reached: boolean, named: boolean): Coverage => (reached ? (named ? 'yes' : 'no') : 'no');

/** A CEL policy (VAP, MAP, Kyverno's ValidatingPolicy/MutatingPolicy): its match rules and its expressions. */
export function celPolicyCoverage(api: string, o: Json): PolicyObject {
  const spec = obj(o['spec']);
  const reach = rulesReach(arr(obj(spec['matchConstraints'])['resourceRules']));
  const text = JSON.stringify([spec['validations'], spec['variables'], spec['mutations'], spec['matchConditions']]);
  const named = fieldsNamed(text);
  return {
    api,
    name: String(obj(o['metadata'])['name'] ?? ''),
    covers: {
      containers: yesNo(reach.pods, named.containers),
      initContainers: yesNo(reach.pods, named.initContainers),
      ephemeralContainers: yesNo(reach.ephemeral, named.ephemeralContainers),
    },
  };
}

/** One object per webhook: what it does is opaque, so a webhook that reaches a request covers it "unknown". */
export function webhookCoverage(api: string, o: Json): PolicyObject[] {
  const config = String(obj(o['metadata'])['name'] ?? '');
  return arr(o['webhooks'])
    .map(obj)
    .map((w) => {
      const reach = rulesReach(arr(w['rules']));
      const c = (r: boolean): Coverage => (r ? 'unknown' : 'no');
      const fail = w['failurePolicy'] === 'Ignore' ? 'failurePolicy Ignore: fails open' : undefined;
      return {
        api,
        name: `${config}/${String(w['name'] ?? '')}`,
        covers: { containers: c(reach.pods), initContainers: c(reach.pods), ephemeralContainers: c(reach.ephemeral) },
        ...(fail ? { note: fail } : {}),
      };
    });
}

/**
 * A Kyverno ClusterPolicy/Policy: rules matching Pod; Kyverno's webhook adds pods/ephemeralcontainers whenever
 * pods are matched (kyverno pkg/controllers/webhook/utils.go), so the rule text decides what is covered.
 */
export function kyvernoCoverage(api: string, o: Json): PolicyObject {
  const spec = obj(o['spec']);
  const rules = arr(spec['rules']).map(obj);
  const matchesPod = (r: Json) => JSON.stringify(r['match'] ?? {}).match(/"kinds":\[[^\]]*"(?:[^"]*\/)?Pod(?:[/.][A-Za-z]+)?"/) !== null;
  const podRules = rules.filter(matchesPod);
  const named = fieldsNamed(JSON.stringify(podRules.map((r) => [r['mutate'], r['validate']])));
  const reached = podRules.length > 0;
  const action = String(spec['validationFailureAction'] ?? spec['failureAction'] ?? '');
  const audit = /^audit$/i.test(action) && podRules.every((r) => r['mutate'] === undefined);
  return {
    api,
    name: String(obj(o['metadata'])['namespace'] ? `${String(obj(o['metadata'])['namespace'])}/` : '') + String(obj(o['metadata'])['name'] ?? ''),
    covers: {
      containers: yesNo(reached, named.containers),
      initContainers: yesNo(reached, named.initContainers),
      ephemeralContainers: yesNo(reached, named.ephemeralContainers),
    },
    ...(audit ? { note: 'validationFailureAction Audit: reports, does not block' } : {}),
  };
}

/** A Gatekeeper Assign: one location, e.g. spec.containers[name:*].imagePullPolicy (Gatekeeper's docs example). */
export function assignCoverage(api: string, o: Json): PolicyObject {
  const spec = obj(o['spec']);
  const pod = JSON.stringify(spec['applyTo'] ?? []).includes('"Pod"');
  const location = String(spec['location'] ?? '');
  const at = (field: string): Coverage => (pod && location.startsWith(`spec.${field}[`) && location.endsWith('imagePullPolicy') ? 'yes' : 'no');
  return {
    api,
    name: String(obj(o['metadata'])['name'] ?? ''),
    covers: { containers: at('containers'), initContainers: at('initContainers'), ephemeralContainers: at('ephemeralContainers') },
  };
}

/** A Gatekeeper constraint on Pods: its Rego lives in the template, so what it covers is not read here. */
export function constraintCoverage(api: string, o: Json): PolicyObject {
  const pod = JSON.stringify(obj(obj(o['spec'])['match'])['kinds'] ?? []).includes('"Pod"');
  const c: Coverage = pod ? 'unknown' : 'no';
  return { api: `${api} ${String(o['kind'] ?? '')}`, name: String(obj(o['metadata'])['name'] ?? ''), covers: { containers: c, initContainers: c, ephemeralContainers: c } };
}

interface Wanted {
  api: string;
  group: string;
  resource: string;
  read: (api: string, o: Json) => PolicyObject | PolicyObject[];
}

const WANTED: Wanted[] = [
  { api: 'ValidatingAdmissionPolicy', group: 'admissionregistration.k8s.io', resource: 'validatingadmissionpolicies', read: celPolicyCoverage },
  { api: 'MutatingAdmissionPolicy', group: 'admissionregistration.k8s.io', resource: 'mutatingadmissionpolicies', read: celPolicyCoverage },
  { api: 'MutatingWebhookConfiguration', group: 'admissionregistration.k8s.io', resource: 'mutatingwebhookconfigurations', read: webhookCoverage },
  { api: 'ValidatingWebhookConfiguration', group: 'admissionregistration.k8s.io', resource: 'validatingwebhookconfigurations', read: webhookCoverage },
  { api: 'Kyverno ClusterPolicy', group: 'kyverno.io', resource: 'clusterpolicies', read: kyvernoCoverage },
  { api: 'Kyverno Policy', group: 'kyverno.io', resource: 'policies', read: kyvernoCoverage },
  { api: 'Kyverno ValidatingPolicy', group: 'policies.kyverno.io', resource: 'validatingpolicies', read: celPolicyCoverage },
  { api: 'Kyverno MutatingPolicy', group: 'policies.kyverno.io', resource: 'mutatingpolicies', read: celPolicyCoverage },
  { api: 'Gatekeeper Assign', group: 'mutations.gatekeeper.sh', resource: 'assign', read: assignCoverage },
];
const CONSTRAINTS = 'constraints.gatekeeper.sh';

/** Served group-versions, preferred first, and the resources each serves. */
async function servedResources(http: KubeHttp, versions: string[]): Promise<Map<string, string>> {
  const byResource = new Map<string, string>();
  for (const gv of versions) {
    const r = await http.get(`/apis/${gv}`);
    if (r.status !== 200) continue;
    for (const res of arr(obj(r.body)['resources']).map(obj)) {
      const name = String(res['name'] ?? '');
      if (!name.includes('/') && !byResource.has(name)) byResource.set(name, gv);
    }
  }
  return byResource;
}

export async function discoverPolicies(http: KubeHttp): Promise<PolicySource[]> {
  const groupsAnswer = await http.get('/apis');
  if (groupsAnswer.status !== 200) {
    const detail = `GET /apis: ${statusMessage(groupsAnswer)}`;
    return WANTED.map((w) => ({ api: w.api, state: 'error', detail, objects: [] }));
  }
  const groups = new Map<string, string[]>();
  for (const g of arr(obj(groupsAnswer.body)['groups']).map(obj)) {
    const preferred = String(obj(g['preferredVersion'])['groupVersion'] ?? '');
    const all = arr(g['versions']).map((v) => String(obj(v)['groupVersion'] ?? ''));
    groups.set(String(g['name'] ?? ''), [preferred, ...all.filter((v) => v !== preferred)].filter(Boolean));
  }
  const resourcesOf = new Map<string, Map<string, string>>();
  const served = async (group: string) => {
    if (!resourcesOf.has(group)) resourcesOf.set(group, groups.has(group) ? await servedResources(http, groups.get(group)!) : new Map());
    return resourcesOf.get(group)!;
  };
  const sources: PolicySource[] = [];
  const list = async (api: string, gv: string, resource: string, read: Wanted['read']): Promise<PolicySource> => {
    const r = await http.get(`/apis/${gv}/${resource}?limit=500`);
    if (r.status === 403) return { api, state: 'forbidden', detail: statusMessage(r), objects: [] };
    if (r.status !== 200) return { api, state: 'error', detail: `${gv}/${resource}: ${statusMessage(r)}`, objects: [] };
    const objects = arr(obj(r.body)['items'])
      .map(obj)
      .flatMap((o) => read(api, o));
    return { api, state: objects.length ? 'found' : 'none', detail: gv, objects };
  };
  for (const w of WANTED) {
    const gv = (await served(w.group)).get(w.resource);
    sources.push(gv ? await list(w.api, gv, w.resource, w.read) : { api: w.api, state: 'not-served', objects: [] });
  }
  const constraintKinds = await served(CONSTRAINTS);
  if (constraintKinds.size === 0) sources.push({ api: 'Gatekeeper constraints', state: 'not-served', objects: [] });
  for (const [resource, gv] of constraintKinds) sources.push(await list('Gatekeeper constraint', gv, resource, constraintCoverage));
  return sources;
}
