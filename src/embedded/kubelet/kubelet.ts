// One kubelet per node: watches the pods bound to its node (the API server's pod source, pkg/kubelet/config)
// and runs one PodWorker per pod; a deleted pod's containers are killed. It also serves `kubectl logs`
// from the node's container logs (pkg/kubelet/kubelet_pods.go GetKubeletContainerLogs).
import { newBadRequest } from '../../k8s/api-errors.js';
import type { PodLogOptions } from '../apiserver/handlers/context.js';
import { findResource } from '../apiserver/resources.js';
import type { KubeObject } from '../apiserver/store.js';
import { LogError, readContainerLogs, type PodStatusForLogs } from '../node/container-logs.js';
import type { NodeContext } from './node-context.js';
import { PodWorker } from './pod-worker.js';

const podsResource = findResource('', 'v1', 'pods')!;

const nodeNameOf = (pod: KubeObject): string | undefined => ((pod['spec'] ?? {}) as { nodeName?: string }).nodeName;

export class Kubelet {
  readonly #workers = new Map<string, PodWorker>();
  /** Workers of deleted pods still killing their containers: stopPods waits for them too. */
  readonly #stopping = new Set<Promise<void>>();
  #unwatch: (() => void) | undefined;

  constructor(private readonly node: NodeContext) {}

  /** Starts watching pods bound to this node (the ones already there come first, as ADDED). */
  start(): void {
    if (this.#unwatch) return;
    // shared: pod workers only read the pods they are given (no copy of a pod for every status write)
    this.#unwatch = this.node.api.watch(podsResource, { filter: (pod) => nodeNameOf(pod) === this.node.name, shared: true }, (event) => {
      const uid = event.object.metadata.uid ?? '';
      if (event.type === 'DELETED') {
        const worker = this.#workers.get(uid);
        this.#workers.delete(uid);
        if (worker) {
          const stopping = worker.stop().finally(() => this.#stopping.delete(stopping));
          this.#stopping.add(stopping);
        }
        return;
      }
      const worker = this.#workers.get(uid);
      if (worker) worker.update(event.object);
      else this.#workers.set(uid, new PodWorker(this.node, event.object));
    });
  }

  /** Pods this kubelet runs (by uid). */
  podUids(): string[] {
    return [...this.#workers.keys()];
  }

  /** Stops every pod worker (killing containers); the watch stays unless `unwatch`. */
  async stopPods(options: { unwatch?: boolean } = {}): Promise<void> {
    if (options.unwatch) {
      this.#unwatch?.();
      this.#unwatch = undefined;
    }
    const workers = [...this.#workers.values()];
    this.#workers.clear();
    await Promise.all([...workers.map((w) => w.stop()), ...this.#stopping]);
  }

  /** pods/log for a pod on this node: the container instance the pod status names, then its log. */
  async *containerLogs(pod: KubeObject, container: string, options: PodLogOptions, signal: AbortSignal): AsyncGenerator<string> {
    let lines: AsyncGenerator<string>;
    try {
      lines = readContainerLogs(this.node.state().logs, pod.metadata.name ?? '', (pod['status'] ?? {}) as PodStatusForLogs, container, {
        follow: options.follow,
        previous: options.previous,
        timestamps: options.timestamps,
        signal,
        ...(options.tailLines !== undefined ? { tailLines: options.tailLines } : {}),
        ...(options.sinceSeconds !== undefined ? { sinceSeconds: options.sinceSeconds } : {}),
        ...(options.limitBytes !== undefined ? { limitBytes: options.limitBytes } : {}),
      });
    } catch (error) {
      // the API server answers the kubelet's error as 400 Bad Request (pod/rest/log.go via the kubelet's 400)
      if (error instanceof LogError) throw newBadRequest(error.message);
      throw error;
    }
    yield* lines;
  }
}
