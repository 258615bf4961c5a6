// Pod subresources that are more than a view of the object: log (served by the node's kubelet,
// reached through the PodLogs hook) — k8s.io/kubernetes/pkg/registry/core/pod/rest/log.go and
// pkg/registry/core/pod/strategy.go LogLocation/validateContainer.
import { newBadRequest } from '../../../k8s/api-errors.js';
import type { KubeObject } from '../store.js';
import type { PodLogOptions, PodLogs, RequestContext } from './context.js';

type Json = Record<string, unknown>;
const names = (list: unknown): string[] => (Array.isArray(list) ? list.map((c) => String((c as Json)['name'] ?? '')) : []);

/** validateContainer (pod/strategy.go): the container a log request is for. */
export function logContainer(pod: KubeObject, requested: string): string {
  const spec = (pod['spec'] ?? {}) as Json;
  const podName = pod.metadata.name ?? '';
  const containers = names(spec['containers']);
  if (requested === '') {
    if (containers.length === 1) return containers[0] ?? '';
    if (containers.length === 0) throw newBadRequest(`the server could not find the requested resource, pod ${podName} has no container`);
    const all = [...names(spec['initContainers']), ...containers, ...names(spec['ephemeralContainers'])];
    throw newBadRequest(`a container name must be specified for pod ${podName}, choose one of: [${all.join(' ')}]`);
  }
  const all = [...names(spec['initContainers']), ...containers, ...names(spec['ephemeralContainers'])];
  if (!all.includes(requested)) throw newBadRequest(`container ${requested} is not valid for pod ${podName}`);
  return requested;
}

/**
 * Until a kubelet serves logs: the kubelet's answer for a container that has not started
 * (pkg/kubelet/kubelet_pods.go validateContainerLogStatus).
 */
export const noKubeletPodLogs: PodLogs = (pod, container) => {
  const statuses = ((pod['status'] ?? {}) as Json)['containerStatuses'];
  const status = Array.isArray(statuses) ? (statuses as Json[]).find((s) => s['name'] === container) : undefined;
  const waiting = ((status?.['state'] ?? {}) as Json)['waiting'] as Json | undefined;
  const reason = typeof waiting?.['reason'] === 'string' ? waiting['reason'] : 'ContainerCreating';
  throw newBadRequest(`container ${JSON.stringify(container)} in pod ${JSON.stringify(pod.metadata.name ?? '')} is waiting to start: ${reason}`);
};

function intParam(query: URLSearchParams, name: string): number | undefined {
  const v = query.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw newBadRequest(`${name}: Invalid value: ${JSON.stringify(v)}: must be a non-negative integer`);
  return n;
}

export async function handlePodLog(ctx: RequestContext): Promise<void> {
  const { info, parts, query, res } = ctx;
  const pod = parts.store.mustGet(ctx.resource, info.namespace, info.name);
  const container = logContainer(pod, query.get('container') ?? '');
  const options: PodLogOptions = {
    follow: query.get('follow') === 'true',
    previous: query.get('previous') === 'true',
    timestamps: query.get('timestamps') === 'true',
  };
  const tail = intParam(query, 'tailLines');
  const since = intParam(query, 'sinceSeconds');
  const limit = intParam(query, 'limitBytes');
  if (tail !== undefined) options.tailLines = tail;
  if (since !== undefined) options.sinceSeconds = since;
  if (limit !== undefined) options.limitBytes = limit;
  const spec = (pod['spec'] ?? {}) as Json;
  if (typeof spec['nodeName'] !== 'string' || spec['nodeName'] === '') {
    // LogLocation: a pod not yet bound to a node has no log location; the answer is an empty stream.
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end();
    return;
  }
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  const iterator = parts.podLogs()(pod, container, options, abort.signal)[Symbol.asyncIterator]();
  // Errors before the first chunk still become a Status; after it the stream just ends.
  const first = await iterator.next();
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
  if (!first.done) res.write(first.value);
  try {
    for (let next = await iterator.next(); !next.done && !abort.signal.aborted; next = await iterator.next()) res.write(next.value);
  } finally {
    res.end();
  }
}
