// One pod's sync loop on a kubelet (pkg/kubelet/pod_workers.go + kuberuntime_manager.go SyncPod, reduced to
// what the lab needs): init containers in order, then containers, then ephemeral containers; image pulls
// through the upstream pull decision and KEP-2535 manager; restarts with the crash-loop back-off; a running
// container whose image changed is killed and started again with the new image; status written as kubelets do.
import { randomBytes } from 'node:crypto';
import { formatGoDuration, containerErrorEvent, failedToRetrievePullSecretsEvent, type KubeletEvent } from '../../k8s/kubelet-events.js';
import { decideImagePull, recordPullOutcome } from '../../k8s/image-pull-decision.js';
import { applyDefaultImageTag } from '../../k8s/image-reference.js';
import { defaultPullPolicy } from '../../k8s/pull-policy.js';
import { isPullPolicy } from '../../k8s/pod.js';
import { findResource } from '../apiserver/resources.js';
import type { KubeObject } from '../apiserver/store.js';
import type { LabTimer } from '../clock.js';
import { metaTime, type InvolvedObject } from '../event-recorder.js';
import type { EnvVar } from '../node/expansion.js';
import { parseDockerRef } from '../node/image-store.js';
import { CREATE_CONTAINER_ERROR, RUN_CONTAINER_ERROR, startContainer, type ContainerHandle } from '../node/runtime.js';
import { MountedFs } from '../node/mounts.js';
import { pullIntoStore } from './image-puller.js';
import type { NodeContext } from './node-context.js';
import { getPhase, podConditions, shouldRestart, type ContainerStatus, type PodCondition, type RestartPolicy, type TerminatedState } from './pod-status.js';
import { containerMounts, failedMountEvent, mountPodVolumes, type PodVolume } from './volumes.js';
import { getPullSecretsForPod, lookupCredentials, podPullCredentials, type PodPullSecrets } from './pull-secrets.js';

const podsResource = findResource('', 'v1', 'pods')!;

type Json = Record<string, unknown>;
type ContainerType = 'init' | 'regular' | 'ephemeral';
const specField: Record<ContainerType, string> = { init: 'initContainers', regular: 'containers', ephemeral: 'ephemeralContainers' };

interface ContainerSpec {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string }[];
  workingDir?: string;
  volumeMounts?: unknown[];
}

/** What the kubelet knows of one container across its instances. */
interface ContainerRecord {
  name: string;
  type: ContainerType;
  /** Instances created so far (restartCount = instances - 1). */
  instances: number;
  /** `image` is the spec's string (to see a change), `statusImage` the normalized name the runtime reports. */
  current?: { handle: ContainerHandle; id: string; image: string; statusImage: string; imageID: string; startedAt: string };
  /** The last instance that ended (or failed to start), and the one before it. */
  lastExit?: TerminatedState & { image: string; imageID: string; labFinishedAt: number };
  previousExit?: TerminatedState;
  /** Why the container is not running now, when it is not simply terminated. */
  waiting?: { reason: string; message?: string };
  /** A running instance was killed because the spec changed: start again whatever the restart policy. */
  restartForSpecChange?: boolean;
}

// pkg/kubelet/pod_workers.go: a failed sync is retried after the worker back-off; the lab retries image
// failures sooner so ErrImagePull turns into ImagePullBackOff as it does on a node with status updates.
const resyncAfterPullErrorMs = 1_000;
const workerBackOffMs = 10_000;

export class PodWorker {
  #pod: KubeObject;
  #specJson: string;
  readonly #records = new Map<string, ContainerRecord>();
  readonly #timers = new Set<LabTimer>();
  #syncing = false;
  #statusWritten = false;
  #again = false;
  #stopped = false;
  #idle: Promise<void> = Promise.resolve();
  /** The pod's volumes once mounted (WaitForAttachAndMount succeeded). */
  #volumes: Map<string, PodVolume> | undefined;
  readonly #podIP: string;
  readonly #startTime = metaTime();

  constructor(
    private readonly node: NodeContext,
    pod: KubeObject,
  ) {
    this.#pod = pod;
    this.#specJson = JSON.stringify(pod['spec']);
    this.#podIP = node.allocatePodIP();
    this.trigger();
  }

  get uid(): string {
    return this.#pod.metadata.uid ?? '';
  }

  /** A newer version of the pod: resync only when the spec changed (our own status writes come back too). */
  update(pod: KubeObject): void {
    this.#pod = pod;
    const spec = JSON.stringify(pod['spec']);
    if (spec === this.#specJson) return;
    this.#specJson = spec;
    this.trigger();
  }

  /** Queue a sync; syncs of one pod never overlap. */
  trigger(): void {
    if (this.#stopped) return;
    if (this.#syncing) {
      this.#again = true;
      return;
    }
    this.#syncing = true;
    this.#idle = new Promise<void>((resolve) => {
      queueMicrotask(() => {
        void this.#loop().finally(resolve);
      });
    });
  }

  async #loop(): Promise<void> {
    try {
      do {
        this.#again = false;
        try {
          await this.#sync();
        } catch (error) {
          // a sync that throws is retried after the worker back-off, as pod_workers.go does
          if (!this.#stopped) this.#schedule(workerBackOffMs);
          void error;
        }
      } while (this.#again && !this.#stopped);
    } finally {
      this.#syncing = false;
    }
  }

  #schedule(labMs: number): void {
    if (this.#stopped) return;
    const timer = this.node.clock.setTimeout(
      () => {
        this.#timers.delete(timer);
        this.trigger();
      },
      Math.max(0, labMs),
    );
    this.#timers.add(timer);
  }

  /** The pod is gone (deleted, or the lab resets): kill its containers and forget their logs. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers) t.cancel();
    this.#timers.clear();
    const exits: Promise<unknown>[] = [];
    for (const r of this.#records.values()) {
      if (r.current) {
        r.current.handle.kill('SIGKILL');
        exits.push(r.current.handle.exited);
      }
    }
    await Promise.all(exits);
    await this.#idle;
    const logs = this.node.state().logs;
    for (const r of this.#records.values()) {
      for (const id of [r.current?.id, r.lastExit?.containerID, r.previousExit?.containerID]) if (id) logs.remove(id.replace(/^containerd:\/\//, ''));
    }
  }

  // --- the sync -----------------------------------------------------------------------------------------

  async #sync(): Promise<void> {
    if (this.#stopped) return;
    if (!this.#statusWritten) this.#writeStatus(); // ContainerCreating while images are pulled
    const spec = (this.#pod['spec'] ?? {}) as Json;
    const policy = (spec['restartPolicy'] as RestartPolicy | undefined) ?? 'Always';
    const list = (type: ContainerType): ContainerSpec[] => ((spec[specField[type]] ?? []) as ContainerSpec[]).filter((c) => c && typeof c.name === 'string');
    if (!this.#volumes) {
      const mounted = mountPodVolumes(spec, this.node.state().hostFs);
      if ('failed' in mounted) {
        const e = failedMountEvent(mounted.failed.volume, mounted.failed.message);
        this.node.recorder.record(this.#involved(), e.type, e.reason, e.message);
        this.#schedule(workerBackOffMs);
        return;
      }
      this.#volumes = mounted.volumes;
    }
    let secrets: PodPullSecrets | undefined;
    const pullSecrets = (): PodPullSecrets => {
      if (!secrets) {
        secrets = getPullSecretsForPod(this.node.api, this.#pod);
        if (secrets.missing.length > 0) this.#podEvent(failedToRetrievePullSecretsEvent(secrets.missing));
      }
      return secrets;
    };

    // init containers, one at a time, in order
    let initialized = true;
    for (const c of list('init')) {
      const r = this.#record('init', c.name);
      if (!r.current && !r.waiting && r.lastExit?.exitCode === 0) continue;
      initialized = false;
      if (r.current) break;
      if (r.lastExit && !shouldRestart(policy, r.lastExit.exitCode)) {
        if (r.waiting?.reason === RUN_CONTAINER_ERROR) r.waiting = undefined;
        break; // the pod has failed
      }
      await this.#startContainer('init', c, r, pullSecrets);
      break;
    }

    for (const c of list('regular')) {
      const r = this.#record('regular', c.name);
      if (!initialized) {
        if (!r.current && !r.lastExit) r.waiting = { reason: 'PodInitializing' };
        continue;
      }
      if (r.current) {
        if (r.current.image !== c.image) {
          // computePodActions: "Container %s definition changed", restarted whatever the restart policy
          this.#event(c, 'regular', { type: 'Normal', reason: 'Killing', message: `Container ${c.name} definition changed, will be restarted` });
          r.restartForSpecChange = true;
          r.current.handle.kill('SIGTERM');
        }
        continue;
      }
      if (r.lastExit && !r.restartForSpecChange && !shouldRestart(policy, r.lastExit.exitCode)) {
        if (r.waiting?.reason === RUN_CONTAINER_ERROR) r.waiting = undefined; // shows as terminated: StartError
        continue;
      }
      await this.#startContainer('regular', c, r, pullSecrets);
      if (this.#stopped) return;
    }

    // ephemeral containers run once, never restarted
    for (const c of list('ephemeral')) {
      const r = this.#record('ephemeral', c.name);
      if (r.current || r.lastExit) continue;
      await this.#startContainer('ephemeral', c, r, pullSecrets);
      if (this.#stopped) return;
    }

    this.#writeStatus();
  }

  #record(type: ContainerType, name: string): ContainerRecord {
    const key = `${type}/${name}`;
    let r = this.#records.get(key);
    if (!r) {
      r = { name, type, instances: 0, waiting: { reason: 'ContainerCreating' } };
      this.#records.set(key, r);
    }
    return r;
  }

  /** startContainer (kuberuntime_container.go) with doBackOff before it (kuberuntime_manager.go). */
  async #startContainer(type: ContainerType, c: ContainerSpec, r: ContainerRecord, pullSecrets: () => PodPullSecrets): Promise<void> {
    const node = this.node;
    const state = node.state();
    const pod = this.#pod;
    const podName = pod.metadata.name ?? '';
    const namespace = pod.metadata.namespace ?? '';
    const formatPod = `${podName}_${namespace}(${this.uid})`;

    // doBackOff: only when an earlier instance of this container exited
    if (r.lastExit && !r.restartForSpecChange) {
      const key = `${podName}_${namespace}_${this.uid}_${c.name}`;
      if (state.crashBackoff.isInBackOffSince(key, r.lastExit.labFinishedAt)) {
        this.#event(c, type, { type: 'Warning', reason: 'BackOff', message: `Back-off restarting failed container ${c.name} in pod ${formatPod}` });
        const delay = state.crashBackoff.get(key);
        r.waiting = {
          reason: 'CrashLoopBackOff',
          message: `back-off ${formatGoDuration(BigInt(delay) * 1_000_000n)} restarting failed container=${c.name} pod=${formatPod}`,
        };
        this.#schedule(r.lastExit.labFinishedAt + delay - node.clock.now() + 1);
        return;
      }
      state.crashBackoff.next(key, r.lastExit.labFinishedAt);
    }
    r.restartForSpecChange = false;

    // EnsureImageExists
    const image = c.image ?? '';
    const policy = isPullPolicy(c.imagePullPolicy) ? c.imagePullPolicy : defaultPullPolicy(image);
    let credentials: ReturnType<typeof lookupCredentials> | undefined;
    const creds = (): ReturnType<typeof lookupCredentials> => (credentials ??= lookupCredentials(pullSecrets().secrets, image));
    r.waiting = { reason: 'ContainerCreating' };
    const decision = decideImagePull({
      podUid: this.uid,
      image,
      policy,
      local: () => {
        const ref = state.images.getImageRef(image);
        return ref ? { status: 'present', imageRef: ref } : { status: 'absent' };
      },
      gate: node.settings.ensureSecretPulledImages,
      state: state.imageState,
      pullManager: state.pullManager,
      podCredentials: () => podPullCredentials(creds()),
    });
    for (const e of decision.events) this.#event(c, type, e);
    let imageRef: string;
    if (decision.kind === 'fail') {
      this.#event(c, type, containerErrorEvent(decision.reason));
      r.waiting = { reason: decision.reason, message: decision.message };
      if (decision.reason === 'ImagePullBackOff') {
        const key = `${this.uid}_${image}`;
        const b = state.imageState.backoff;
        // resync when the back-off ends (the entry's delay counts from its last update)
        this.#schedule(Math.max(resyncAfterPullErrorMs, b.get(key)));
      } else this.#schedule(workerBackOffMs);
      return;
    }
    if (decision.kind === 'pull') {
      pullSecrets(); // the missing-secret event comes before the pull, as in SyncPod
      const outcome = await pullIntoStore(state.images, decision.imageToPull, creds());
      if (this.#stopped || state !== node.state()) return;
      const result = recordPullOutcome(decision, outcome, state.imageState, state.pullManager);
      for (const e of result.events) this.#event(c, type, e);
      if (result.kind === 'fail') {
        this.#event(c, type, containerErrorEvent(result.reason));
        r.waiting = { reason: result.reason, message: result.message };
        this.#schedule(resyncAfterPullErrorMs);
        return;
      }
      node.imagesChanged();
      imageRef = result.imageRef;
    } else imageRef = decision.imageRef;

    const cached = state.images.imageStatus(imageRef);
    if (!cached) {
      r.waiting = { reason: CREATE_CONTAINER_ERROR, message: `failed to get image ${imageRef}: not found` };
      this.#schedule(workerBackOffMs);
      return;
    }
    const imageFs = await state.rootfs.get(cached);
    if (this.#stopped || state !== node.state()) return;
    const mounts = containerMounts(c as unknown as Record<string, unknown>, this.#volumes ?? new Map());
    const fs = mounts.length > 0 ? new MountedFs(imageFs, mounts) : imageFs;

    const id = randomBytes(32).toString('hex');
    const containerID = `containerd://${id}`;
    const imageID = cached.repoDigests[0] ?? cached.id;
    let statusImage = image;
    try {
      statusImage = parseDockerRef(applyDefaultImageTag(image)).string;
    } catch {
      // keep the spec's string
    }
    const log = state.logs.create(id);
    const env: EnvVar[] = (c.env ?? []).filter((e): e is EnvVar => typeof e?.name === 'string' && typeof e.value === 'string');
    const result = startContainer({
      containerId: id,
      imageConfig: cached.config,
      ...(c.command ? { command: c.command } : {}),
      ...(c.args ? { args: c.args } : {}),
      env,
      ...(c.workingDir ? { workingDir: c.workingDir } : {}),
      hostname: podName,
      fs,
      clock: node.clock,
      log,
    });
    if (!result.started && 'createError' in result) {
      state.logs.remove(id);
      this.#event(c, type, { type: 'Warning', reason: 'Failed', message: `Error: ${result.createError}` });
      r.waiting = { reason: CREATE_CONTAINER_ERROR, message: result.createError };
      this.#schedule(workerBackOffMs);
      return;
    }
    r.instances++;
    r.previousExit = r.lastExit && stripLab(r.lastExit);
    // "Created container: %v" since v1.32 (kuberuntime_container.go startContainer)
    this.#event(c, type, { type: 'Normal', reason: 'Created', message: `Created container: ${c.name}` });
    if (!result.started) {
      const at = metaTime();
      this.#event(c, type, { type: 'Warning', reason: 'Failed', message: `Error: ${result.error.message}` });
      r.lastExit = {
        exitCode: result.error.exitCode,
        reason: result.error.reason,
        message: result.error.message,
        startedAt: '1970-01-01T00:00:00Z',
        finishedAt: at,
        containerID,
        image: statusImage,
        imageID,
        labFinishedAt: result.error.finishedAt,
      };
      r.waiting = { reason: RUN_CONTAINER_ERROR, message: result.error.message };
      this.#schedule(resyncAfterPullErrorMs);
      return;
    }
    const handle = result.handle;
    r.current = { handle, id, image: c.image, statusImage, imageID, startedAt: metaTime() };
    r.waiting = undefined;
    this.#event(c, type, { type: 'Normal', reason: 'Started', message: `Started container ${c.name}` });
    void handle.exited.then((exit) => {
      if (r.current?.handle !== handle) return;
      const startedAt = r.current.startedAt;
      r.current = undefined;
      r.lastExit = {
        exitCode: exit.exitCode,
        reason: exit.reason,
        startedAt,
        finishedAt: metaTime(),
        containerID,
        image: statusImage,
        imageID,
        labFinishedAt: exit.finishedAt,
        ...(exit.signal ? { signal: exit.signal === 'SIGKILL' ? 9 : 15 } : {}),
      };
      r.waiting = undefined;
      if (this.#stopped) return;
      this.#writeStatus();
      this.trigger();
    });
  }

  // --- events and status --------------------------------------------------------------------------------

  #involved(): InvolvedObject {
    const pod = this.#pod;
    return {
      kind: 'Pod',
      apiVersion: 'v1',
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name ?? '',
      uid: this.uid,
      ...(pod.metadata.resourceVersion ? { resourceVersion: pod.metadata.resourceVersion } : {}),
    };
  }

  #podEvent(e: KubeletEvent): void {
    this.node.recorder.record(this.#involved(), e.type, e.reason, e.message);
  }

  /** A container's event: involvedObject.fieldPath names it (kubecontainer.GenerateContainerRef). */
  #event(c: ContainerSpec, type: ContainerType, e: { type: 'Normal' | 'Warning'; reason: string; message: string }): void {
    this.node.recorder.record({ ...this.#involved(), fieldPath: `spec.${specField[type]}{${c.name}}` }, e.type, e.reason, e.message);
  }

  #statusOf(spec: ContainerSpec, type: ContainerType): ContainerStatus {
    const r = this.#record(type, spec.name);
    const base = { name: spec.name, restartCount: Math.max(0, r.instances - 1), image: r.current?.statusImage ?? r.lastExit?.image ?? spec.image };
    if (r.current) {
      return {
        ...base,
        state: { running: { startedAt: r.current.startedAt } },
        lastState: r.previousExit ? { terminated: r.previousExit } : {},
        ready: true,
        started: true,
        imageID: r.current.imageID,
        containerID: `containerd://${r.current.id}`,
      };
    }
    if (r.waiting || !r.lastExit) {
      const waiting = r.waiting ?? { reason: 'ContainerCreating' };
      return {
        ...base,
        image: spec.image,
        state: { waiting: waiting.message ? { reason: waiting.reason, message: waiting.message } : { reason: waiting.reason } },
        lastState: r.lastExit ? { terminated: stripLab(r.lastExit) } : {},
        ready: false,
        started: false,
        imageID: r.lastExit?.imageID ?? '',
        ...(r.lastExit?.containerID ? { containerID: r.lastExit.containerID } : {}),
      };
    }
    return {
      ...base,
      state: { terminated: stripLab(r.lastExit) },
      lastState: r.previousExit ? { terminated: r.previousExit } : {},
      ready: false,
      started: false,
      imageID: r.lastExit.imageID,
      ...(r.lastExit.containerID ? { containerID: r.lastExit.containerID } : {}),
    };
  }

  /** generateAPIPodStatus + the status manager's write. */
  #writeStatus(): void {
    if (this.#stopped) return;
    this.#statusWritten = true;
    const pod = this.#pod;
    const spec = (pod['spec'] ?? {}) as Json;
    const list = (type: ContainerType): ContainerSpec[] => ((spec[specField[type]] ?? []) as ContainerSpec[]).filter((c) => c && typeof c.name === 'string');
    const init = list('init').map((c) => this.#statusOf(c, 'init'));
    const regular = list('regular').map((c) => this.#statusOf(c, 'regular'));
    const ephemeral = list('ephemeral')
      .filter((c) => this.#records.has(`ephemeral/${c.name}`))
      .map((c) => this.#statusOf(c, 'ephemeral'));
    const restartPolicy = (spec['restartPolicy'] as RestartPolicy | undefined) ?? 'Always';
    const phase = getPhase({ initContainers: list('init').map((c) => c.name), containers: list('regular').map((c) => c.name), restartPolicy }, init, regular);
    try {
      this.node.api.mutate(podsResource, pod.metadata.namespace, pod.metadata.name ?? '', (current) => {
        if (current.metadata.uid !== this.uid) throw new Error('pod was replaced');
        const previous = ((current['status'] ?? {}) as Json)['conditions'];
        const conditions = podConditions({
          phase,
          initContainers: list('init').map((c) => c.name),
          containers: list('regular').map((c) => c.name),
          initStatuses: init,
          statuses: regular,
          previous: Array.isArray(previous) ? (previous as PodCondition[]) : [],
          now: metaTime(),
        });
        const status: Json = {
          ...((current['status'] ?? {}) as Json),
          phase,
          conditions,
          hostIP: this.node.hostIP,
          hostIPs: [{ ip: this.node.hostIP }],
          podIP: this.#podIP,
          podIPs: [{ ip: this.#podIP }],
          startTime: this.#startTime,
          containerStatuses: regular,
        };
        if (init.length > 0) status['initContainerStatuses'] = init;
        if (ephemeral.length > 0) status['ephemeralContainerStatuses'] = ephemeral;
        current['status'] = status;
      });
    } catch {
      // the pod is gone or replaced; its worker is being stopped
    }
  }

  /** The log of a container instance for `kubectl logs`: what the pod status names. */
  podName(): string {
    return this.#pod.metadata.name ?? '';
  }
}

function stripLab(t: TerminatedState & { labFinishedAt?: number; image?: string; imageID?: string }): TerminatedState {
  const { labFinishedAt: _l, image: _i, imageID: _d, ...rest } = t;
  return rest;
}
