// Reads the learner's lab as `image-heist up` left it: DIR/lab.json, then the tenants' pods (and the logs of
// those that started) as the cluster admin, through the kubeconfig `up` wrote. The snapshot is built from a
// LabReader, so the workshop board reads its labs in-process (src/workshop/lab-reader.ts) into the very same shape.
import { open, readFile } from 'node:fs/promises';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { podDisplayStatus } from '../k8s/pod-status.js';
import type { LabInfo } from '../lab/backend.js';
import { readPolicyEvidence, type PolicyFacts, type PolicyProbes } from './policy-probe.js';
import type { LabSnapshot, PodFacts, Refusal } from './tasks.js';

/** Where a snapshot's facts come from. */
export interface LabReader {
  /** The pods of one namespace, as the cluster admin lists them. */
  pods(namespace: string): Promise<readonly V1Pod[]>;
  /** What GET pods/log answers for one container ('' when it answers an error). */
  podLog(pod: V1Pod, container: string): Promise<string>;
  /** The lab's ValidatingAdmissionPolicies, and the dry-run probes when there is one (src/tutorial/policy-probe.ts). */
  policyEvidence(admin2Pods: readonly V1Pod[]): Promise<{ policies: PolicyFacts[]; probes?: PolicyProbes }>;
}

export async function readLabSnapshot(dir: string): Promise<LabSnapshot> {
  let info: LabInfo;
  try {
    info = JSON.parse(await readFile(path.join(dir, 'lab.json'), 'utf8')) as LabInfo;
  } catch {
    return { kind: 'no-lab', dir };
  }
  return snapshotOf(info, dir, httpsReader(info), info.auditLog ? new AuditRefusals(info.auditLog) : undefined);
}

/** The lab's API over HTTPS, as the cluster admin (the tutorial, in its own process). */
function httpsReader(info: LabInfo): LabReader {
  const config = new KubeConfig();
  config.loadFromFile(info.kubeconfig);
  config.setCurrentContext('admin');
  const core = config.makeApiClient(CoreV1Api);
  return {
    pods: async (namespace) => (await core.listNamespacedPod({ namespace })).items,
    podLog: (pod, container) => core.readNamespacedPodLog({ namespace: pod.metadata?.namespace ?? '', name: pod.metadata?.name ?? '', container }).then(String, () => ''),
    policyEvidence: (admin2Pods) => readPolicyEvidence(info, admin2Pods),
  };
}

/** One lab's snapshot from `reader`; a reader that fails makes the lab `unreachable`, with the first line of why. */
export async function snapshotOf(info: LabInfo, dir: string, reader: LabReader, refusals?: AuditRefusals): Promise<LabSnapshot> {
  try {
    const namespaces = { admin1: info.tenants.admin1.namespace, admin2: info.tenants.admin2.namespace };
    const pods = (await Promise.all([namespaces.admin1, namespaces.admin2].map((namespace) => reader.pods(namespace)))).flat();
    const { policies, probes } = await reader.policyEvidence(pods.filter((p) => p.metadata?.namespace === namespaces.admin2));
    return {
      kind: 'lab',
      profile: info.profile,
      namespaces,
      secretImage: info.images.secret,
      flag: info.flag,
      pods: await Promise.all(pods.map((p) => podFacts(reader, p))),
      policies,
      ...(probes ? { policyProbes: probes } : {}),
      ...(refusals ? { refusals: await refusals.read() } : {}),
    };
  } catch (error) {
    return { kind: 'unreachable', dir, message: error instanceof Error ? error.message.split('\n')[0]! : String(error) };
  }
}

async function podFacts(reader: LabReader, pod: V1Pod): Promise<PodFacts> {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  const containers = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? []), ...(pod.spec?.ephemeralContainers ?? [])];
  const status = podDisplayStatus(pod);
  const started = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])]
    .filter((s) => s.state?.running || s.state?.terminated)
    .map((s) => s.name);
  const logs = await Promise.all(started.map((container) => reader.podLog(pod, container)));
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

/**
 * Refused pod creates in the API server's audit log (audit.k8s.io/v1 Events, one a line). Each read goes on from
 * where the last one stopped, so a reader kept across polls (the workshop board) reads every line once; a line
 * still being written waits for the next read.
 */
export class AuditRefusals {
  private offset = 0;
  private partial = '';
  private readonly found: Refusal[] = [];

  constructor(private readonly file: string) {}

  async read(): Promise<Refusal[]> {
    const handle = await open(this.file, 'r').catch(() => undefined);
    if (!handle) return [...this.found];
    try {
      const { size } = await handle.stat();
      if (size < this.offset) [this.offset, this.partial, this.found.length] = [0, '', 0]; // a new log (the lab started again)
      if (size > this.offset) {
        const buffer = Buffer.alloc(size - this.offset);
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        this.offset += bytesRead;
        const lines = (this.partial + buffer.subarray(0, bytesRead).toString('utf8')).split('\n');
        this.partial = lines.pop() ?? '';
        for (const line of lines) {
          const refusal = refusalOf(line);
          if (refusal) this.found.push(refusal);
        }
      }
    } finally {
      await handle.close();
    }
    return [...this.found];
  }
}

function refusalOf(line: string): Refusal | undefined {
  let event: AuditEventLine;
  try {
    event = JSON.parse(line) as AuditEventLine;
  } catch {
    return undefined;
  }
  const code = event.responseStatus?.code ?? 0;
  if (event.verb !== 'create' || event.objectRef?.resource !== 'pods' || code < 400) return undefined;
  return {
    namespace: event.objectRef.namespace ?? '',
    name: event.objectRef.name ?? '',
    user: event.user?.username ?? '',
    code,
    message: event.responseStatus?.message ?? '',
    at: Date.parse(event.requestReceivedTimestamp ?? '') || 0,
  };
}

interface AuditEventLine {
  verb?: string;
  user?: { username?: string };
  objectRef?: { resource?: string; namespace?: string; name?: string };
  responseStatus?: { code?: number; message?: string };
  requestReceivedTimestamp?: string;
}
