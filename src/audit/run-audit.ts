// The passive audit: finds a namespace the user may write, sends the dry-run probes, reads kubelets and
// policies, and hands the observations to the pure findings model. Nothing is stored in the cluster.
import { BackendUnavailableError } from '../errors.js';
import { PAUSE_IMAGE } from './defaults.js';
import { evaluate, type AdmissionProbe, type AttackObservation, type Findings, type Observations } from './findings.js';
import { canI, type KubeHttp } from './kube-http.js';
import { findTargetPod, inferEphemeral, probeEphemeral } from './probes/ephemeral.js';
import { probeKubelets } from './probes/kubelet.js';
import { probePodCreate } from './probes/pod-create.js';
import { discoverPolicies } from './probes/policies.js';

export interface AuditOptions {
  namespace?: string;
  pod?: string;
  probeImage?: string;
}

export interface AuditResult {
  target: { server: string; context: string; namespace?: string };
  observations: Observations;
  findings: Findings;
}

/** Fails with exit 3 when the API server does not answer or refuses the credentials. */
export async function checkReachable(http: KubeHttp): Promise<void> {
  const r = await http.get('/version');
  if (r.status === 401) {
    throw new BackendUnavailableError(`cluster unreachable: ${http.target.server} refused the credentials (401 Unauthorized)`, 'check the user in --kubeconfig/--context');
  }
}

/** The namespace to probe: the one asked for, the context's, then any the user may create pods in. */
export async function chooseNamespace(http: KubeHttp, asked?: string): Promise<{ namespace: string } | { reason: string }> {
  const may = (namespace: string) => canI(http, { verb: 'create', resource: 'pods', namespace });
  if (asked) return (await may(asked)) ? { namespace: asked } : { reason: `the user may not create pods in ${asked}` };
  const preferred = http.target.namespace ?? 'default';
  if (await may(preferred)) return { namespace: preferred };
  const list = await http.get('/api/v1/namespaces?limit=50');
  if (list.status === 200) {
    const names = (((list.body as { items?: unknown[] }).items ?? []) as { metadata?: { name?: string } }[]).map((n) => n.metadata?.name ?? '');
    for (const name of names) if (name && (await may(name))) return { namespace: name };
  }
  return { reason: `the user may not create pods in ${preferred}${list.status === 200 ? ' nor in any namespace it can list' : ''}; pass --namespace N` };
}

export async function observe(http: KubeHttp, options: AuditOptions): Promise<Omit<Observations, 'attack'> & { namespace?: string }> {
  await checkReachable(http);
  const image = options.probeImage ?? PAUSE_IMAGE;
  const [policies, kubelet, chosen] = await Promise.all([discoverPolicies(http), probeKubelets(http), chooseNamespace(http, options.namespace)]);
  const admission: AdmissionProbe[] = [];
  if ('namespace' in chosen) {
    const ns = chosen.namespace;
    admission.push(...(await probePodCreate(http, ns, image)));
    const target = options.pod ?? (await findTargetPod(http, ns));
    if (typeof target === 'string') {
      const allowed = await canI(http, { verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers', namespace: ns });
      admission.push(allowed ? await probeEphemeral(http, ns, target, image) : inferEphemeral(ns, policies, `the user may not patch pods/ephemeralcontainers in ${ns}`));
    } else admission.push(inferEphemeral(ns, policies, target.reason));
  } else {
    const reason = `no namespace to probe: ${chosen.reason}`;
    for (const path of ['containers', 'init-containers', 'never-policy'] as const) {
      admission.push({ path, probe: 'dryRun=All POST /api/v1/namespaces/<ns>/pods', namespace: '', basis: 'observed', outcome: { kind: 'inconclusive', reason } });
    }
    admission.push(inferEphemeral('<ns>', policies, reason));
  }
  return { admission, kubelet, policies, ...('namespace' in chosen ? { namespace: chosen.namespace } : {}) };
}

export async function runAudit(http: KubeHttp, options: AuditOptions, attack?: (namespace?: string) => Promise<AttackObservation>): Promise<AuditResult> {
  const { namespace, ...seen } = await observe(http, options);
  const observations: Observations = { ...seen, ...(attack ? { attack: await attack(namespace) } : {}) };
  return {
    target: { server: http.target.server, context: http.target.context, ...(namespace ? { namespace } : {}) },
    observations,
    findings: evaluate(observations),
  };
}
