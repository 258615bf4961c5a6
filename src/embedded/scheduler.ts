// The lab's scheduler: binds each pod without spec.nodeName to a node (pkg/scheduler/schedule_one.go), with
// the NodeName/NodeUnschedulable/NodeAffinity (nodeSelector) filters and spread by pod count. Upstream breaks
// ties between equally scored nodes at random; the lab picks the first in node order, so scenarios repeat.
// Pods that already name a node never pass through here: the kubelet of that node runs them directly.
import { findResource } from './apiserver/resources.js';
import type { KubeObject, ObjectStore } from './apiserver/store.js';
import { EventRecorder, metaTime } from './event-recorder.js';

const podsResource = findResource('', 'v1', 'pods')!;
const nodesResource = findResource('', 'v1', 'nodes')!;

type Json = Record<string, unknown>;

export interface SchedulableNode {
  name: string;
  labels: Record<string, string>;
  /** Pods bound to it that are not finished. */
  podCount: number;
  ready: boolean;
  unschedulable: boolean;
}

export type ScheduleResult = { node: string } | { unschedulable: string };

/** Filter + score for one pod, pure. The message is upstream's FitError wording. */
export function selectNode(pod: KubeObject, nodes: readonly SchedulableNode[]): ScheduleResult {
  const selector = (((pod['spec'] ?? {}) as Json)['nodeSelector'] ?? {}) as Record<string, string>;
  const reasons = new Map<string, number>();
  const fits: SchedulableNode[] = [];
  for (const node of nodes) {
    let reason: string | undefined;
    if (!node.ready) reason = 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }';
    else if (node.unschedulable) reason = 'node(s) were unschedulable';
    else if (!Object.entries(selector).every(([k, v]) => node.labels[k] === v)) reason = "node(s) didn't match Pod's node affinity/selector";
    if (reason) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    else fits.push(node);
  }
  if (fits.length === 0) {
    // FitError.Error (pkg/scheduler/framework/types.go): reasons sorted, then the preemption note
    const parts = [...reasons.entries()].map(([r, n]) => `${n} ${r}`).sort();
    const total = nodes.length;
    const head = `0/${total} nodes are available${parts.length > 0 ? `: ${parts.join(', ')}` : ''}.`;
    return { unschedulable: `${head} preemption: 0/${total} nodes are available: ${total} Preemption is not helpful for scheduling.` };
  }
  let best = fits[0]!;
  for (const n of fits) if (n.podCount < best.podCount) best = n;
  return { node: best.name };
}

export class Scheduler {
  readonly #recorder: EventRecorder;
  #unwatch: (() => void) | undefined;

  constructor(private readonly api: ObjectStore) {
    this.#recorder = new EventRecorder(api, { component: 'default-scheduler' });
  }

  start(): void {
    if (this.#unwatch) return;
    // shared: the scheduler only reads the pods it is shown (no copy of each one per write)
    this.#unwatch = this.api.watch(podsResource, { filter: (pod) => !((pod['spec'] ?? {}) as Json)['nodeName'], shared: true }, (event) => {
      if (event.type === 'DELETED') return;
      // an unschedulable pod is retried when it changes, not on our own status write (no node ever joins later)
      const conditions = (((event.object['status'] ?? {}) as Json)['conditions'] ?? []) as { type?: string }[];
      if (event.type === 'MODIFIED' && Array.isArray(conditions) && conditions.some((c) => c?.type === 'PodScheduled')) return;
      const { namespace, name } = event.object.metadata;
      const uid = event.object.metadata.uid;
      // bind outside the store's event delivery, as the scheduler's queue does
      queueMicrotask(() => this.#schedule(namespace, name ?? '', uid));
    });
  }

  stop(): void {
    this.#unwatch?.();
    this.#unwatch = undefined;
  }

  #nodes(): SchedulableNode[] {
    // shared: counted and read, never changed (no copy of every pod in the lab for each pod scheduled)
    const pods = this.api.list(podsResource, undefined, undefined, { shared: true }).items;
    return this.api.list(nodesResource, undefined, undefined, { shared: true }).items.map((node) => {
      const name = node.metadata.name ?? '';
      const conditions = (((node['status'] ?? {}) as Json)['conditions'] ?? []) as { type: string; status: string }[];
      return {
        name,
        labels: node.metadata.labels ?? {},
        podCount: pods.filter((p) => {
          const phase = ((p['status'] ?? {}) as Json)['phase'];
          return ((p['spec'] ?? {}) as Json)['nodeName'] === name && phase !== 'Succeeded' && phase !== 'Failed';
        }).length,
        ready: conditions.some((c) => c.type === 'Ready' && c.status === 'True'),
        unschedulable: ((node['spec'] ?? {}) as Json)['unschedulable'] === true,
      };
    });
  }

  #schedule(namespace: string | undefined, name: string, uid: string | undefined): void {
    const pod = this.api.get(podsResource, namespace, name, { shared: true });
    if (!pod || pod.metadata.uid !== uid || ((pod['spec'] ?? {}) as Json)['nodeName']) return;
    const result = selectNode(pod, this.#nodes());
    const involved = { kind: 'Pod', apiVersion: 'v1', namespace: namespace ?? 'default', name, uid: uid ?? '' };
    const now = metaTime();
    try {
      if ('node' in result) {
        // the Binding subresource: spec.nodeName and the PodScheduled condition
        this.api.mutate(podsResource, namespace, name, (p) => {
          (p['spec'] as Json)['nodeName'] = result.node;
          const status = (p['status'] ?? {}) as Json;
          const conditions = ((status['conditions'] ?? []) as { type: string }[]).filter((c) => c.type !== 'PodScheduled');
          status['conditions'] = [...conditions, { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: now }];
          p['status'] = status;
        });
        // schedule_one.go handleBindingCycle / finishBinding: "Successfully assigned %v/%v to %v"
        this.#recorder.record(involved, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${result.node}`);
      } else {
        this.api.mutate(podsResource, namespace, name, (p) => {
          const status = (p['status'] ?? {}) as Json;
          const conditions = ((status['conditions'] ?? []) as { type: string }[]).filter((c) => c.type !== 'PodScheduled');
          status['conditions'] = [
            ...conditions,
            { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: result.unschedulable, lastProbeTime: null, lastTransitionTime: now },
          ];
          p['status'] = status;
        });
        this.#recorder.record(involved, 'Warning', 'FailedScheduling', result.unschedulable);
      }
    } catch {
      // deleted meanwhile
    }
  }

  clear(): void {
    this.#recorder.clear();
  }
}
