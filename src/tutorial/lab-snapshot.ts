// Reads the learner's lab as `image-heist up` left it: DIR/lab.json, then the tenants' pods (and the logs of
// those that started) as the cluster admin, through the kubeconfig `up` wrote.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { podDisplayStatus } from '../k8s/pod-status.js';
import type { LabInfo } from '../lab/backend.js';
import { readPolicyEvidence } from './policy-probe.js';
import type { LabSnapshot, PodFacts, Refusal } from './tasks.js';

export async function readLabSnapshot(dir: string): Promise<LabSnapshot> {
  let info: LabInfo;
  try {
    info = JSON.parse(await readFile(path.join(dir, 'lab.json'), 'utf8')) as LabInfo;
  } catch {
    return { kind: 'no-lab', dir };
  }
  try {
    const config = new KubeConfig();
    config.loadFromFile(info.kubeconfig);
    config.setCurrentContext('admin');
    const core = config.makeApiClient(CoreV1Api);
    const namespaces = { admin1: info.tenants.admin1.namespace, admin2: info.tenants.admin2.namespace };
    const pods = (await Promise.all([namespaces.admin1, namespaces.admin2].map(async (namespace) => (await core.listNamespacedPod({ namespace })).items))).flat();
    const { policies, probes } = await readPolicyEvidence(
      info,
      pods.filter((p) => p.metadata?.namespace === namespaces.admin2),
    );
    return {
      kind: 'lab',
      profile: info.profile,
      namespaces,
      secretImage: info.images.secret,
      flag: info.flag,
      pods: await Promise.all(pods.map((p) => podFacts(core, p))),
      policies,
      ...(probes ? { policyProbes: probes } : {}),
      ...(info.auditLog ? { refusals: await readRefusals(info.auditLog) } : {}),
    };
  } catch (error) {
    return { kind: 'unreachable', dir, message: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

async function podFacts(core: CoreV1Api, pod: V1Pod): Promise<PodFacts> {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  const status = podDisplayStatus(pod);
  const started = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])]
    .filter((s) => s.state?.running || s.state?.terminated)
    .map((s) => s.name);
  const logs = await Promise.all(started.map((container) => core.readNamespacedPodLog({ namespace, name, container }).then(String, () => '')));
  const created = pod.metadata?.creationTimestamp ? new Date(pod.metadata.creationTimestamp).getTime() : 0;
  const hostPaths = (pod.spec?.volumes ?? []).flatMap((v) => (v.hostPath ? [v.hostPath.path] : []));
  return {
    namespace,
    name,
    uid: pod.metadata?.uid ?? `${namespace}/${name}`,
    created,
    images: containers.map((c) => c.image ?? ''),
    pullPolicies: containers.map((c) => c.imagePullPolicy ?? ''),
    status,
    log: logs.join('\n'),
    hostPaths,
  };
}

/** Refused pod creates in the API server's audit log (audit.k8s.io/v1 Events, one a line; a line being written is skipped). */
async function readRefusals(file: string): Promise<Refusal[]> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const refusals: Refusal[] = [];
  for (const line of text.split('\n')) {
    let event: AuditEventLine;
    try {
      event = JSON.parse(line) as AuditEventLine;
    } catch {
      continue;
    }
    const code = event.responseStatus?.code ?? 0;
    if (event.verb !== 'create' || event.objectRef?.resource !== 'pods' || code < 400) continue;
    refusals.push({
      namespace: event.objectRef.namespace ?? '',
      name: event.objectRef.name ?? '',
      user: event.user?.username ?? '',
      code,
      message: event.responseStatus?.message ?? '',
      at: Date.parse(event.requestReceivedTimestamp ?? '') || 0,
    });
  }
  return refusals;
}

interface AuditEventLine {
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number; message?: string };
  requestReceivedTimestamp?: string;
}
