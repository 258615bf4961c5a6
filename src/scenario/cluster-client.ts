// One actor's view of the cluster, through the Kubernetes API only (client-node with the actor's own
// kubeconfig), so the same code drives the embedded API server and real kind clusters.
import { Agent } from 'node:https';
import { ApiException, CoreV1Api, KubeConfig, type CoreV1Event, type KubernetesObject, type V1Namespace, type V1Pod } from '@kubernetes/client-node';
import { isConnectionReset } from '../k8s/api-errors.js';
import { applyManifests } from '../lab/stage.js';

/** A refused request as the API server worded it (a metav1.Status), or a transport failure (code 0). */
export interface ApiRefusal {
  code: number;
  reason: string;
  message: string;
}

export type ApiOutcome<T> = { ok: true; object: T } | { ok: false; refusal: ApiRefusal };

export class ClusterClient {
  private readonly core: CoreV1Api;
  private agent: Agent | undefined;

  constructor(private readonly kubeconfigYaml: string) {
    const kc = new KubeConfig();
    kc.loadFromString(kubeconfigYaml);
    // client-node 1.4 makes a new https.Agent for every request, so every call pays a TLS handshake; one
    // keep-alive agent per client (same CA, same credentials) makes a step's dozens of requests cheap.
    const patchable = kc as unknown as { createAgent: (cluster: unknown, options: object) => Agent };
    const original = patchable.createAgent.bind(kc);
    patchable.createAgent = (cluster, options) => {
      if ((cluster as { proxyUrl?: string } | undefined)?.proxyUrl) return original(cluster, options);
      this.agent ??= new Agent({ ...options, keepAlive: true });
      return this.agent;
    };
    this.core = kc.makeApiClient(CoreV1Api);
  }

  /** Closes the kept-alive connections. */
  close(): void {
    this.agent?.destroy();
    this.agent = undefined;
  }

  createPod(namespace: string, body: V1Pod): Promise<ApiOutcome<V1Pod>> {
    return outcome(() => this.core.createNamespacedPod({ namespace, body }));
  }

  deletePod(namespace: string, name: string): Promise<ApiOutcome<unknown>> {
    return outcome(() => this.core.deleteNamespacedPod({ namespace, name, gracePeriodSeconds: 0 }));
  }

  createSecret(namespace: string, body: object): Promise<ApiOutcome<unknown>> {
    return outcome(() => this.core.createNamespacedSecret({ namespace, body }));
  }

  deleteSecret(namespace: string, name: string): Promise<ApiOutcome<unknown>> {
    return outcome(() => this.core.deleteNamespacedSecret({ namespace, name }));
  }

  createServiceAccount(namespace: string, body: object): Promise<ApiOutcome<unknown>> {
    return outcome(() => this.core.createNamespacedServiceAccount({ namespace, body }));
  }

  /** Creates each object or replaces it with this content (`kubectl apply` of a file, as this user). */
  apply(objects: readonly KubernetesObject[]): Promise<ApiOutcome<unknown>> {
    return outcome(() => applyManifests(this.kubeconfigYaml, objects));
  }

  /** Sets labels on a namespace (an update of the Namespace, as `kubectl label namespace` does with a patch). */
  async labelNamespace(name: string, labels: Readonly<Record<string, string>>): Promise<ApiOutcome<V1Namespace>> {
    const current = await read(() => this.core.readNamespace({ name }));
    if (!current.ok) return current;
    const body: V1Namespace = { ...current.object, metadata: { ...current.object.metadata, labels: { ...current.object.metadata?.labels, ...labels } } };
    return outcome(() => this.core.replaceNamespace({ name, body }));
  }

  readPod(namespace: string, name: string): Promise<ApiOutcome<V1Pod>> {
    return read(() => this.core.readNamespacedPod({ namespace, name }));
  }

  /** Adds an ephemeral container through the pods/ephemeralcontainers subresource, as `kubectl debug` does. */
  async addEphemeralContainer(namespace: string, name: string, container: object): Promise<ApiOutcome<V1Pod>> {
    const current = await this.readPod(namespace, name);
    if (!current.ok) return current;
    const body: V1Pod = { ...current.object, spec: { ...current.object.spec!, ephemeralContainers: [...(current.object.spec?.ephemeralContainers ?? []), container as never] } };
    return outcome(() => this.core.replaceNamespacedPodEphemeralcontainers({ namespace, name, body }));
  }

  /** Changes one container's image with an update of the pod (the only spec field besides a few that may change). */
  async updatePodImage(namespace: string, name: string, container: string, image: string): Promise<ApiOutcome<V1Pod>> {
    const current = await this.readPod(namespace, name);
    if (!current.ok) return current;
    const spec = current.object.spec!;
    if (!spec.containers.some((c) => c.name === container)) {
      return { ok: false, refusal: { code: 0, reason: 'NotFound', message: `pod "${name}" has no container "${container}"` } };
    }
    const body: V1Pod = { ...current.object, spec: { ...spec, containers: spec.containers.map((c) => (c.name === container ? { ...c, image } : c)) } };
    return outcome(() => this.core.replaceNamespacedPod({ namespace, name, body }));
  }

  async podEvents(namespace: string, name: string): Promise<CoreV1Event[]> {
    const list = await read(() => this.core.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.kind=Pod,involvedObject.name=${name}` }));
    if (!list.ok) return [];
    // in time order, as `kubectl describe` shows them (the list comes in storage order)
    // (timestamps have whole seconds; within one, the resourceVersion keeps the order they were recorded in)
    const time = (e: CoreV1Event) => new Date(e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? 0).getTime();
    const version = (e: CoreV1Event) => Number(e.metadata.resourceVersion) || 0;
    return [...list.object.items].sort((a, b) => time(a) - time(b) || version(a) - version(b));
  }

  /** A container's log, or "" when there is none yet (not started, pulled, or refused). */
  async containerLog(namespace: string, name: string, container: string): Promise<string> {
    const log = await read(() => this.core.readNamespacedPodLog({ namespace, name, container }));
    return log.ok ? String(log.object) : '';
  }
}

async function outcome<T>(call: () => Promise<T>): Promise<ApiOutcome<T>> {
  try {
    return { ok: true, object: await call() };
  } catch (error) {
    return { ok: false, refusal: refusalOf(error) };
  }
}

/** client-go retries a GET up to 10 times, a second apart, when the connection was reset or closed early. */
export const READ_RETRY = { attempts: 10, waitMs: 1_000 };

/**
 * An idempotent read, retried as client-go retries GETs (rest/request.go: a connection reset or a probable
 * EOF is transient; writes are never retried, they are not idempotent).
 */
async function read<T>(call: () => Promise<T>, retry = READ_RETRY): Promise<ApiOutcome<T>> {
  for (let attempt = 0; ; attempt++) {
    const result = await outcome(call);
    if (result.ok || !isTransient(result.refusal) || attempt >= retry.attempts) return result;
    await new Promise((r) => setTimeout(r, retry.waitMs));
  }
}

/** A connection reset or closed before the answer (net.IsConnectionReset, net.IsProbableEOF in apimachinery). */
export function isTransient(refusal: ApiRefusal): boolean {
  return refusal.code === 0 && isConnectionReset(refusal.message);
}

function refusalOf(error: unknown): ApiRefusal {
  if (error instanceof ApiException) {
    const status = parseStatus(error.body);
    return { code: error.code, reason: status?.reason ?? '', message: status?.message ?? String(error.body ?? error.message) };
  }
  return { code: 0, reason: 'ConnectionFailed', message: error instanceof Error ? error.message : String(error) };
}

function parseStatus(body: unknown): { reason?: string; message?: string } | undefined {
  try {
    const status = typeof body === 'string' ? JSON.parse(body) : body;
    return status && typeof status === 'object' ? (status as { reason?: string; message?: string }) : undefined;
  } catch {
    return undefined;
  }
}
