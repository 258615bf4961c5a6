// What `kubectl get pods` shows in READY, STATUS and RESTARTS: upstream's printPod
// (kubernetes pkg/printers/internalversion/printers.go), pure, so the API server's tables,
// the scenario engine and the workshop app all read a pod the same way.
import { type JsonObject as Obj, isObject as isObj, objectField as obj, listField as list, stringField as str, numberField as num } from './json-fields.js';

export interface PodStatusSummary {
  readyContainers: number;
  totalContainers: number;
  /** The STATUS column: a phase, a container's waiting/terminated reason, Init:…, Terminating. */
  reason: string;
  restarts: number;
  /** When a container last terminated before a restart (ms since the epoch), 0 if never. */
  lastRestart: number;
}

const isRestartableInitContainer = (c: Obj | undefined): boolean => str(c?.['restartPolicy']) === 'Always';
const terminatedAt = (status: Obj): number => {
  const finished = obj(obj(status['lastState'])['terminated'])['finishedAt'];
  const t = finished instanceof Date ? finished.getTime() : Date.parse(str(finished));
  return Number.isNaN(t) ? 0 : t;
};

/** printPod's READY, STATUS and RESTARTS for a pod as JSON (or a client-node V1Pod). */
export function summarizePodStatus(podObject: object): PodStatusSummary {
  const pod = podObject as Obj;
  const spec = obj(pod['spec']);
  const status = obj(pod['status']);
  const metadata = obj(pod['metadata']);
  const containers = list(spec['containers']).map(obj);
  const initContainers = list(spec['initContainers']).map(obj);
  const conditions = list(status['conditions']).map(obj);
  const phase = str(status['phase']);
  let reason = str(status['reason']) || phase;
  let totalContainers = containers.length;
  let readyContainers = 0;
  let restarts = 0;
  let restartableInitRestarts = 0;
  let lastRestart = 0;
  let lastRestartableInitRestart = 0;

  if (conditions.some((c) => c['type'] === 'PodScheduled' && c['reason'] === 'SchedulingGated')) reason = 'SchedulingGated';
  const initByName = new Map(initContainers.map((c) => [str(c['name']), c]));
  totalContainers += initContainers.filter(isRestartableInitContainer).length;

  let initializing = false;
  const initStatuses = list(status['initContainerStatuses']).map(obj);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i] ?? {};
    const restartable = isRestartableInitContainer(initByName.get(str(cs['name'])));
    restarts += num(cs['restartCount']);
    lastRestart = Math.max(lastRestart, terminatedAt(cs));
    if (restartable) {
      restartableInitRestarts += num(cs['restartCount']);
      lastRestartableInitRestart = Math.max(lastRestartableInitRestart, terminatedAt(cs));
    }
    const state = obj(cs['state']);
    const terminated = isObj(state['terminated']) ? state['terminated'] : undefined;
    const waiting = isObj(state['waiting']) ? state['waiting'] : undefined;
    if (terminated !== undefined && num(terminated['exitCode']) === 0) continue;
    if (restartable && cs['started'] === true) {
      if (cs['ready'] === true) readyContainers++;
      continue;
    }
    if (terminated !== undefined) {
      const r = str(terminated['reason']);
      if (r !== '') reason = `Init:${r}`;
      else if (num(terminated['signal']) !== 0) reason = `Init:Signal:${num(terminated['signal'])}`;
      else reason = `Init:ExitCode:${num(terminated['exitCode'])}`;
    } else if (waiting !== undefined && str(waiting['reason']) !== '' && waiting['reason'] !== 'PodInitializing') {
      reason = `Init:${str(waiting['reason'])}`;
    } else {
      reason = `Init:${i}/${initContainers.length}`;
    }
    initializing = true;
    break;
  }

  const initializedTrue = conditions.some((c) => c['type'] === 'Initialized' && c['status'] === 'True');
  if (!initializing || initializedTrue) {
    restarts = restartableInitRestarts;
    lastRestart = lastRestartableInitRestart;
    let hasRunning = false;
    const statuses = list(status['containerStatuses']).map(obj);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i] ?? {};
      restarts += num(cs['restartCount']);
      lastRestart = Math.max(lastRestart, terminatedAt(cs));
      const state = obj(cs['state']);
      const waiting = isObj(state['waiting']) ? state['waiting'] : undefined;
      const terminated = isObj(state['terminated']) ? state['terminated'] : undefined;
      if (waiting !== undefined && str(waiting['reason']) !== '') reason = str(waiting['reason']);
      else if (terminated !== undefined && str(terminated['reason']) !== '') reason = str(terminated['reason']);
      else if (terminated !== undefined) {
        reason = num(terminated['signal']) !== 0 ? `Signal:${num(terminated['signal'])}` : `ExitCode:${num(terminated['exitCode'])}`;
      } else if (cs['ready'] === true && isObj(state['running'])) {
        hasRunning = true;
        readyContainers++;
      }
    }
    if (reason === 'Completed' && hasRunning) {
      reason = conditions.some((c) => c['type'] === 'Ready' && c['status'] === 'True') ? 'Running' : 'NotReady';
    }
  }

  const deleting = metadata['deletionTimestamp'] !== undefined && metadata['deletionTimestamp'] !== null;
  if (deleting && status['reason'] === 'NodeLost') reason = 'Unknown';
  else if (deleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  return { readyContainers, totalContainers, reason, restarts, lastRestart };
}

/** The STATUS column alone. */
export function podDisplayStatus(pod: object): string {
  return summarizePodStatus(pod).reason;
}
