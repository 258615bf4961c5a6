// The ephemeral-container probe: a dry-run PATCH of pods/<pod>/ephemeralcontainers, the request `kubectl debug`
// sends (admission sees an UPDATE of the subresource; AlwaysPullImages ignores it). Ephemeral containers cannot
// be set on create, so it needs an existing pod; without one the outcome is inferred from the policy inventory.
import { randomBytes } from 'node:crypto';
import type { AdmissionProbe, PolicySource } from '../findings.js';
import type { KubeHttp } from '../kube-http.js';
import { classifyDryRun, withControl } from './admission-outcome.js';
import { probeContainer } from './pod-create.js';

/** The first pod in the namespace that can still take an ephemeral container (not finished, not a static pod). */
export async function findTargetPod(http: KubeHttp, namespace: string): Promise<string | { reason: string }> {
  const r = await http.get(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?limit=50`);
  if (r.status !== 200) return { reason: `cannot list pods in ${namespace} (HTTP ${r.status})` };
  const items = ((r.body as { items?: unknown[] }).items ?? []) as { metadata?: { name?: string; annotations?: Record<string, string> }; status?: { phase?: string } }[];
  const pod = items.find((p) => (p.status?.phase === 'Running' || p.status?.phase === 'Pending') && !p.metadata?.annotations?.['kubernetes.io/config.mirror']);
  return pod?.metadata?.name ?? { reason: `no running pod in ${namespace} to probe` };
}

export async function probeEphemeral(http: KubeHttp, namespace: string, pod: string, image: string): Promise<AdmissionProbe> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(pod)}/ephemeralcontainers?dryRun=All&fieldManager=image-heist-audit`;
  const name = `image-heist-audit-${randomBytes(3).toString('hex')}`;
  const send = async (policy: 'IfNotPresent' | 'Always') => {
    // strategic merge keyed by name: appends to spec.ephemeralContainers, as kubectl 1.32+ `patch --subresource` does
    // no resources: "cannot be set for an Ephemeral Container" (pkg/apis/core/validation ValidateEphemeralContainers)
    const { resources: _, ...container } = probeContainer(name, image, policy);
    const body = { spec: { ephemeralContainers: [container] } };
    const response = await http.request('PATCH', path, body, 'application/strategic-merge-patch+json');
    return classifyDryRun(response, { field: 'ephemeralContainers', name, policy });
  };
  const outcome = await send('IfNotPresent');
  const control = outcome.kind === 'refused' ? await send('Always') : undefined;
  return {
    path: 'ephemeral-containers',
    probe: `dryRun=All PATCH /api/v1/namespaces/${namespace}/pods/${pod}/ephemeralcontainers (IfNotPresent)`,
    namespace,
    basis: 'observed',
    outcome: withControl(outcome, control),
  };
}

/**
 * Without a pod to patch: if every policy API was read and nothing reaches pods/ephemeralcontainers, admission can
 * only be built-in plugins, and AlwaysPullImages skips every subresource
 * (plugin/pkg/admission/alwayspullimages/admission.go shouldIgnore), so the request is admitted as sent.
 */
export function inferEphemeral(namespace: string, sources: PolicySource[], why: string): AdmissionProbe {
  const probe = `dryRun=All PATCH /api/v1/namespaces/${namespace}/pods/<pod>/ephemeralcontainers (not sent: ${why})`;
  const base = { path: 'ephemeral-containers', probe, namespace, basis: 'inferred' } as const;
  const unread = sources.filter((s) => s.state === 'forbidden' || s.state === 'error');
  if (unread.length > 0) {
    return { ...base, outcome: { kind: 'inconclusive', reason: `${why}, and ${unread.map((s) => s.api).join(', ')} could not be read; pass --pod NAME or use --attack` } };
  }
  const reaching = sources.flatMap((s) => s.objects).filter((o) => o.covers.ephemeralContainers !== 'no');
  if (reaching.length > 0) {
    return {
      ...base,
      outcome: { kind: 'inconclusive', reason: `${why}, and ${reaching.map((o) => `${o.api} ${o.name}`).join(', ')} may act on it; pass --pod NAME or use --attack` },
    };
  }
  return {
    ...base,
    note: 'no policy or webhook reaches pods/ephemeralcontainers, and AlwaysPullImages ignores subresources',
    outcome: { kind: 'allowed-as-sent', policy: 'IfNotPresent', warnings: [] },
  };
}
