// One kind cluster's lifecycle: create from a rendered config, wait until it is really ready (kind's --wait
// returns 0 on timeout: pkg/cluster/internal/create/actions/waitforready/waitforready.go), list its nodes, delete.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { createCluster, deleteCluster, getClusters, getKubeconfig, getNodes } from './commands.js';
import { runCommand } from './exec.js';

export const READY_TIMEOUT_MS = 5 * 60_000;

export async function listClusters(signal?: AbortSignal): Promise<string[]> {
  // "No kind clusters found." goes to stderr (kind pkg/cmd/kind/get/clusters/clusters.go), stdout stays empty
  const out = await runCommand(getClusters(), signal ? { signal } : {});
  return out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

export async function createKindCluster(name: string, config: string, kubeconfigPath: string, options: { signal?: AbortSignal; onLine?: (line: string) => void } = {}): Promise<void> {
  await runCommand(createCluster(name, config, kubeconfigPath), { ...options, timeoutMs: 10 * 60_000 });
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
  const dir = await mkdtemp(path.join(tmpdir(), 'image-heist-kind-'));
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
  return orderNodes(name, out.split('\n').map((l) => l.trim()).filter((l) => l !== ''));
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

/** Every node Ready and every kube-system pod running with its containers ready (kindnet is the CNI: no pods without it). */
export async function waitUntilReady(kubeconfig: string, expectedNodes: number, options: { signal?: AbortSignal; timeoutMs?: number } = {}): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const deadline = Date.now() + (options.timeoutMs ?? READY_TIMEOUT_MS);
  let waitingFor = 'the API server';
  for (;;) {
    if (options.signal?.aborted) throw new Error('cancelled');
    try {
      const nodes = (await core.listNode()).items;
      const ready = nodes.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      if (nodes.length < expectedNodes || ready.length < nodes.length) {
        waitingFor = `nodes Ready (${ready.length}/${expectedNodes})`;
      } else {
        const pods = (await core.listNamespacedPod({ namespace: 'kube-system' })).items;
        const notReady = pods.filter((p) => !podReady(p)).map((p) => p.metadata?.name ?? '?');
        if (pods.length > 0 && notReady.length === 0) return;
        waitingFor = `kube-system pods (${notReady.slice(0, 3).join(', ')}${notReady.length > 3 ? ', …' : ''})`;
      }
    } catch {
      // the API server is still starting
    }
    if (Date.now() > deadline) throw new Error(`the cluster was not ready after ${Math.round((options.timeoutMs ?? READY_TIMEOUT_MS) / 1000)} s: still waiting for ${waitingFor}`);
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

function podReady(pod: V1Pod): boolean {
  if (pod.status?.phase === 'Succeeded') return true;
  return pod.status?.phase === 'Running' && (pod.status.containerStatuses ?? []).every((c) => c.ready);
}
