// The pure part of the kubelet's status manager: pod phase and conditions from container statuses,
// as generateAPIPodStatus does it (pkg/kubelet/kubelet_pods.go getPhase, pkg/kubelet/status/generate.go).

export type ContainerState = { waiting: { reason: string; message?: string } } | { running: { startedAt: string } } | { terminated: TerminatedState };

export interface TerminatedState {
  exitCode: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID?: string;
  signal?: number;
}

/** core/v1 ContainerStatus, as the kubelet writes it. */
export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState: { terminated?: TerminatedState };
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started?: boolean;
}

export type PodPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed';
export type RestartPolicy = 'Always' | 'OnFailure' | 'Never';

export interface PodCondition {
  type: string;
  status: 'True' | 'False';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
}

const waitingOf = (s: ContainerStatus | undefined) => (s && 'waiting' in s.state ? s.state.waiting : undefined);
const runningOf = (s: ContainerStatus | undefined) => (s && 'running' in s.state ? s.state.running : undefined);
const terminatedOf = (s: ContainerStatus | undefined) => (s && 'terminated' in s.state ? s.state.terminated : undefined);

/** getPhase (kubelet_pods.go) for pods without sidecar (restartable init) containers. */
export function getPhase(
  spec: { initContainers: readonly string[]; containers: readonly string[]; restartPolicy: RestartPolicy },
  initStatuses: readonly ContainerStatus[],
  statuses: readonly ContainerStatus[],
): PodPhase {
  let pendingInitialization = 0;
  let failedInitialization = 0;
  for (const name of spec.initContainers) {
    const s = initStatuses.find((x) => x.name === name);
    const terminated = terminatedOf(s);
    if (!s || runningOf(s)) pendingInitialization++;
    else if (terminated) {
      if (terminated.exitCode !== 0) failedInitialization++;
    } else if (waitingOf(s)) {
      if (s.lastState.terminated) {
        if (s.lastState.terminated.exitCode !== 0) failedInitialization++;
      } else pendingInitialization++;
    } else pendingInitialization++;
  }
  let unknown = 0;
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const name of spec.containers) {
    const s = statuses.find((x) => x.name === name);
    if (!s) unknown++;
    else if (runningOf(s)) running++;
    else if (terminatedOf(s)) {
      stopped++;
      if (terminatedOf(s)?.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++;
    else waiting++;
  }
  if (failedInitialization > 0 && spec.restartPolicy === 'Never') return 'Failed';
  if (pendingInitialization > 0) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0 && unknown === 0) return 'Running';
  if (running === 0 && stopped > 0 && unknown === 0) {
    if (spec.restartPolicy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (spec.restartPolicy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** The kubelet's pod conditions (status/generate.go), keeping lastTransitionTime when a status did not change. */
export function podConditions(input: {
  phase: PodPhase;
  initContainers: readonly string[];
  containers: readonly string[];
  initStatuses: readonly ContainerStatus[];
  statuses: readonly ContainerStatus[];
  previous: readonly PodCondition[];
  now: string;
}): PodCondition[] {
  const { phase, now } = input;
  const make = (type: string, ok: boolean, reason?: string, message?: string): PodCondition => {
    const status = ok ? 'True' : 'False';
    const before = input.previous.find((c) => c.type === type);
    const condition: PodCondition = {
      type,
      status,
      lastProbeTime: null,
      lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now,
    };
    if (reason) condition.reason = reason;
    if (message) condition.message = message;
    return condition;
  };
  // GeneratePodInitializedCondition: init containers that have not terminated successfully
  const incompleteInit = input.initContainers.filter((name) => {
    const s = input.initStatuses.find((x) => x.name === name);
    return !(s && terminatedOf(s)?.exitCode === 0);
  });
  const initialized =
    incompleteInit.length === 0 || phase === 'Succeeded'
      ? make('Initialized', true)
      : make('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit.join(' ')}]`);
  // GenerateContainersReadyCondition / GeneratePodReadyCondition (no readiness gates in the lab)
  const unready = input.containers.filter((name) => !input.statuses.find((x) => x.name === name)?.ready);
  const ready = (type: string): PodCondition =>
    phase === 'Succeeded'
      ? make(type, false, 'PodCompleted')
      : unready.length === 0
        ? make(type, true)
        : make(type, false, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
  const scheduled = input.previous.find((c) => c.type === 'PodScheduled');
  return [make('PodReadyToStartContainers', true), initialized, ready('Ready'), ready('ContainersReady'), ...(scheduled ? [scheduled] : [])];
}

/** kubelet container restart rule (kuberuntime ShouldContainerBeRestarted for an exited container). */
export function shouldRestart(policy: RestartPolicy, exitCode: number): boolean {
  if (policy === 'Always') return true;
  if (policy === 'OnFailure') return exitCode !== 0;
  return false;
}
