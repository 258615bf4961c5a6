// One kind cluster's lifecycle: create from a rendered config, wait until it is really ready (kind's --wait
// returns 0 on timeout: pkg/cluster/internal/create/actions/waitforready/waitforready.go), list its nodes, delete.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { BackendUnavailableError } from '../errors.js';
import { CancelledError } from '../lab/shutdown.js';
import { createCluster, deleteCluster, getClusters, getKubeconfig, getNodes, inspectNetwork } from './commands.js';
import { CommandError, runCommand } from './exec.js';
import { WORKDIR_PREFIX } from './names.js';

export const READY_TIMEOUT_MS = 5 * 60_000;

export async function listClusters(signal?: AbortSignal): Promise<string[]> {
  // "No kind clusters found." goes to stderr (kind pkg/cmd/kind/get/clusters/clusters.go), stdout stays empty
  const out = await runCommand(getClusters(), signal ? { signal } : {});
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
}

export async function createKindCluster(
  name: string,
  config: string,
  kubeconfigPath: string,
  options: { signal?: AbortSignal; onLine?: (line: string) => void } = {},
): Promise<void> {
  try {
    await runCommand(createCluster(name, config, kubeconfigPath), { ...options, timeoutMs: 10 * 60_000 });
  } catch (error) {
    // a cluster kind could not make is the backend failing here (exit 3), not an unexpected error; a cancel stays a cancel
    if (error instanceof CommandError && !options.signal?.aborted) {
      throw new BackendUnavailableError(error.message, 'see Troubleshooting in docs/backends.md; `kind create cluster` with --retain keeps the nodes to inspect');
    }
    throw error;
  }
}

/**
 * Always with an explicit --kubeconfig: without one kind removes its entry from $KUBECONFIG or ~/.kube/config and
 * locks that file to do so (kind pkg/cluster/internal/kubeconfig/internal/kubeconfig/remove.go@v0.32.0).
 */
export async function deleteKindCluster(name: string, kubeconfigPath?: string): Promise<void> {
  if (kubeconfigPath) {
    await runCommand(deleteCluster(name, kubeconfigPath));
    return;
  }
  const dir = await mkdtemp(path.join(tmpdir(), WORKDIR_PREFIX));
  try {
    await runCommand(deleteCluster(name, path.join(dir, 'kubeconfig')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** kind's admin kubeconfig for the cluster (client certificate of kubernetes-admin), never written to ~/.kube. */
export async function kindKubeconfig(name: string): Promise<string> {
  return runCommand(getKubeconfig(name));
}

/** Workers in order (name-worker, name-worker2, …), then the control plane: tenants' pods go to workers first. */
export async function clusterNodes(name: string): Promise<string[]> {
  const out = await runCommand(getNodes(name));
  return orderNodes(
    name,
    out
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  );
}

export function orderNodes(cluster: string, nodes: readonly string[]): string[] {
  const workerIndex = (n: string) => {
    const m = new RegExp(`^${cluster.replace(/[.]/g, '\\.')}-worker(\\d*)$`).exec(n);
    return m ? Number(m[1] || '1') : undefined;
  };
  const workers = nodes.filter((n) => workerIndex(n) !== undefined).sort((a, b) => workerIndex(a)! - workerIndex(b)!);
  const others = nodes.filter((n) => workerIndex(n) === undefined).sort();
  return [...workers, ...others];
}

/** Every node Ready and every kube-system pod running with its containers ready (no pods run before the CNI does). */
export async function waitUntilReady(kubeconfig: string, expectedNodes: number, options: { signal?: AbortSignal; timeoutMs?: number; cluster?: string } = {}): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const timeoutMs = options.timeoutMs ?? READY_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  let waitingFor = 'the API server to answer';
  for (;;) {
    if (options.signal?.aborted) throw new CancelledError();
    try {
      const nodes = (await core.listNode()).items;
      const pods = (await core.listNamespacedPod({ namespace: 'kube-system' })).items;
      const reason = notReadyReason(nodes, pods, expectedNodes);
      if (reason === undefined) return;
      waitingFor = reason;
    } catch {
      // the API server is still starting
    }
    if (Date.now() > deadline) {
      throw new BackendUnavailableError(
        `${options.cluster ?? 'the cluster'} was not ready after ${Math.round(timeoutMs / 1000)} s: ${waitingFor}`,
        'see Troubleshooting in docs/backends.md; image-heist doctor checks the host',
      );
    }
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

/**
 * Why a cluster is not ready yet, as the API tells it: a node's Ready condition message, or a kube-system pod's
 * waiting reason and message (ImagePullBackOff, CrashLoopBackOff) or unschedulable condition. Undefined when ready.
 */
export function notReadyReason(nodes: readonly V1Node[], pods: readonly V1Pod[], expectedNodes: number): string | undefined {
  if (nodes.length < expectedNodes) return `${nodes.length} of ${expectedNodes} nodes registered`;
  for (const node of nodes) {
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    if (ready?.status !== 'True') {
      return `node ${node.metadata?.name ?? '?'} NotReady${ready?.message ? `: ${ready.message}` : ready?.reason ? ` (${ready.reason})` : ''}`;
    }
  }
  if (pods.length === 0) return 'the kube-system pods to be created';
  for (const pod of pods) {
    if (podReady(pod)) continue;
    const name = `pod kube-system/${pod.metadata?.name ?? '?'}`;
    const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
    const waiting = statuses.find((c) => c.state?.waiting?.reason && c.state.waiting.reason !== 'ContainerCreating' && c.state.waiting.reason !== 'PodInitializing')?.state
      ?.waiting;
    if (waiting) return `${name}: ${waiting.reason}${waiting.message ? ` (${waiting.message})` : ''}`;
    const terminated = statuses.find((c) => c.lastState?.terminated && c.restartCount > 0);
    if (terminated)
      return `${name}: restarted ${terminated.restartCount} times, last exit ${terminated.lastState!.terminated!.exitCode} (${terminated.lastState!.terminated!.reason ?? 'Error'})`;
    const condition = pod.status?.conditions?.find((c) => c.status === 'False' && c.message);
    return `${name}: ${pod.status?.phase ?? 'Pending'}${condition ? ` (${condition.message})` : ''}`;
  }
  return undefined;
}

function podReady(pod: V1Pod): boolean {
  if (pod.status?.phase === 'Succeeded') return true;
  return pod.status?.phase === 'Running' && (pod.status.containerStatuses ?? []).every((c) => c.ready);
}

/** Resolves once Docker has the network (the first `kind create cluster` makes it early); rejects if `until` fails first. */
export async function waitForNetwork(name: string, until: Promise<unknown>, signal?: AbortSignal): Promise<void> {
  let failed: unknown;
  let settled = false;
  until.then(
    () => (settled = true),
    (error: unknown) => {
      settled = true;
      failed = error ?? new Error('cluster creation failed');
    },
  );
  for (;;) {
    if (signal?.aborted) throw new CancelledError();
    const exists = await runCommand(inspectNetwork(name)).then(
      () => true,
      () => false,
    );
    if (exists) return;
    if (failed !== undefined) throw failed;
    if (settled) throw new Error(`kind created no ${name} network`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
