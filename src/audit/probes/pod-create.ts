// The pod-create probes: server-side dry-run creates (nothing is stored) with IfNotPresent on a container,
// on an init container, and Never, each checked against a control with Always when refused (§B5.2).
import { randomBytes } from 'node:crypto';
import type { AdmissionProbe, PathName, PullPolicy } from '../findings.js';
import type { KubeHttp } from '../kube-http.js';
import { classifyDryRun, withControl, type ContainerField } from './admission-outcome.js';

/** Restricted-PSA-clean, with resources, so that Pod Security, LimitRange and quota do not refuse it for other reasons. */
export const restrictedSecurityContext = {
  runAsNonRoot: true,
  runAsUser: 65532,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
};
const resources = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '10m', memory: '16Mi' } };

export const PROBE_LABELS = { 'app.kubernetes.io/managed-by': 'image-heist-audit' };

export function probeContainer(name: string, image: string, policy: PullPolicy): Record<string, unknown> {
  return { name, image, imagePullPolicy: policy, securityContext: restrictedSecurityContext, resources };
}

export function probePod(name: string, image: string, field: 'containers' | 'initContainers', policy: PullPolicy): Record<string, unknown> {
  const spec: Record<string, unknown> = {
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [probeContainer('probe', image, field === 'containers' ? policy : 'Always')],
  };
  if (field === 'initContainers') spec['initContainers'] = [probeContainer('probe-init', image, policy)];
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: PROBE_LABELS }, spec };
}

const variants: { path: PathName; field: 'containers' | 'initContainers'; policy: PullPolicy }[] = [
  { path: 'containers', field: 'containers', policy: 'IfNotPresent' },
  { path: 'init-containers', field: 'initContainers', policy: 'IfNotPresent' },
  { path: 'never-policy', field: 'containers', policy: 'Never' },
];

export async function probePodCreate(http: KubeHttp, namespace: string, image: string): Promise<AdmissionProbe[]> {
  const path = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods?dryRun=All&fieldManager=image-heist-audit`;
  const name = `image-heist-audit-probe-${randomBytes(3).toString('hex')}`;
  const send = async (field: 'containers' | 'initContainers', policy: PullPolicy) => {
    const response = await http.request('POST', path, probePod(name, image, field, policy));
    const sent = { field: field as ContainerField, name: field === 'initContainers' ? 'probe-init' : 'probe', policy };
    return classifyDryRun(response, sent);
  };
  const out: AdmissionProbe[] = [];
  for (const v of variants) {
    const outcome = await send(v.field, v.policy);
    const control = outcome.kind === 'refused' ? await send(v.field, 'Always') : undefined;
    out.push({
      path: v.path,
      probe: `dryRun=All POST /api/v1/namespaces/${namespace}/pods (${v.field}, ${v.policy})`,
      namespace,
      basis: 'observed',
      outcome: withControl(outcome, control),
    });
  }
  return out;
}
