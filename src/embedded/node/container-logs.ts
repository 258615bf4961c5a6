// Container logs as the kubelet serves them for `kubectl logs` (the pods/log subresource).
//
//   const logs = new ContainerLogStore({ clock });
//   const log = logs.create(containerId)          one buffer per container instance (bounded)
//   log.write('stdout', 'hello\n'); log.close()    the runtime writes; close() when the process exits
//   readContainerLogs(logs, podName, podStatus, containerName, { previous, follow, tailLines, timestamps, sinceSeconds })
//     → AsyncIterable<string> of output chunks, or throws LogError with upstream's message
//
// Which instance a request reads is decided from the pod status exactly as the kubelet's
// validateContainerLogStatus does (pkg/kubelet/kubelet_pods.go); `previous` is lastState.terminated.
import type { LabClock } from '../clock.js';

export type LogStream = 'stdout' | 'stderr';

export interface LogLine {
  /** Lab time in ms when the line was written. */
  time: number;
  stream: LogStream;
  text: string;
  /** A line not ended by a newline (CRI log tag `P`); its output carries no newline. */
  partial: boolean;
}

export interface LogReadOptions {
  /** Keep streaming until the container exits (`--follow`). */
  follow?: boolean;
  /** Only the last N lines (`--tail`); negative means all, as kubectl's -1. */
  tailLines?: number;
  /** Prefix each line with its RFC3339Nano timestamp (`--timestamps`). */
  timestamps?: boolean;
  /** Only lines newer than this many seconds of lab time (`--since`). */
  sinceSeconds?: number;
  /** Only lines at or after this lab time in ms (`--since-time`). */
  sinceTime?: number;
  /** Stop after this many bytes (`--limit-bytes`). */
  limitBytes?: number;
  /** Stops a follow early (the HTTP client went away). */
  signal?: AbortSignal;
}

/** A log request that cannot be served; `.message` is the kubelet's wording. */
export class LogError extends Error {
  override readonly name = 'LogError';
}

/** RFC3339NanoFixed, the format the kubelet writes timestamps in (pkg/kubelet/kuberuntime/logs/logs.go timeFormatOut). */
export function formatLogTimestamp(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-01-01T00:00:00.123Z
  const micros = Math.round((ms - Math.floor(ms)) * 1e6);
  return `${iso.slice(0, 23)}${String(micros).padStart(6, '0')}Z`;
}

export const DEFAULT_MAX_LOG_BYTES = 10 * 1024 * 1024; // kubelet containerLogMaxSize default 10Mi

/** The log of one container instance (one container ID), bounded: the oldest lines go first. */
export class ContainerLog {
  readonly #clock: LabClock;
  readonly #maxBytes: number;
  #lines: LogLine[] = [];
  #firstSeq = 0; // sequence number of #lines[0], so readers survive trimming
  #bytes = 0;
  #pending: Record<LogStream, string> = { stdout: '', stderr: '' };
  #closed = false;
  #waiters: (() => void)[] = [];

  constructor(options: { clock: LabClock; maxBytes?: number }) {
    this.#clock = options.clock;
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_LOG_BYTES;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Appends program output; complete lines become visible at once, a trailing fragment on close or next newline. */
  write(stream: LogStream, data: string): void {
    if (this.#closed) return; // a dead process writes nothing
    const parts = (this.#pending[stream] + data).split('\n');
    this.#pending[stream] = parts.pop() ?? '';
    for (const text of parts) this.#push({ time: this.#clock.now(), stream, text, partial: false });
    this.#wake();
  }

  /** The process exited: flush fragments as partial lines and end followers. */
  close(): void {
    if (this.#closed) return;
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#pending[stream] !== '') this.#push({ time: this.#clock.now(), stream, text: this.#pending[stream], partial: true });
      this.#pending[stream] = '';
    }
    this.#closed = true;
    this.#wake();
  }

  /** A snapshot of the buffered lines. */
  lines(): LogLine[] {
    return [...this.#lines];
  }

  /** `kubectl logs` semantics over this instance: tail, since, timestamps, limit, follow. */
  async *read(options: LogReadOptions = {}): AsyncGenerator<string> {
    const since = options.sinceTime ?? (options.sinceSeconds !== undefined ? this.#clock.now() - options.sinceSeconds * 1000 : undefined);
    const tail = options.tailLines ?? -1;
    let seq = this.#firstSeq + (tail >= 0 ? Math.max(0, this.#lines.length - tail) : 0);
    let budget = options.limitBytes ?? Infinity;
    for (;;) {
      seq = Math.max(seq, this.#firstSeq); // lines trimmed while we waited are lost, as with log rotation
      while (seq < this.#firstSeq + this.#lines.length) {
        const line = this.#lines[seq - this.#firstSeq] as LogLine;
        seq++;
        if (since !== undefined && line.time < since) continue;
        let out = `${options.timestamps ? `${formatLogTimestamp(line.time)} ` : ''}${line.text}${line.partial ? '' : '\n'}`;
        if (Buffer.byteLength(out) > budget) out = Buffer.from(out).subarray(0, budget).toString('utf8');
        budget -= Buffer.byteLength(out);
        if (out !== '') yield out;
        if (budget <= 0) return;
      }
      if (!options.follow || this.#closed || options.signal?.aborted) return;
      await this.#changed(options.signal);
    }
  }

  #push(line: LogLine): void {
    this.#lines.push(line);
    this.#bytes += Buffer.byteLength(line.text) + 1;
    while (this.#bytes > this.#maxBytes && this.#lines.length > 1) {
      const dropped = this.#lines.shift() as LogLine;
      this.#firstSeq++;
      this.#bytes -= Buffer.byteLength(dropped.text) + 1;
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #changed(signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.#waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

/** The container logs of one node, by container ID. */
export class ContainerLogStore {
  readonly #logs = new Map<string, ContainerLog>();
  constructor(private readonly options: { clock: LabClock; maxBytesPerContainer?: number }) {}

  /** A new, empty log for a new container instance. */
  create(containerId: string): ContainerLog {
    if (this.#logs.has(containerId)) throw new Error(`container ${containerId} already has a log`);
    const log = new ContainerLog({ clock: this.options.clock, maxBytes: this.options.maxBytesPerContainer });
    this.#logs.set(containerId, log);
    return log;
  }

  get(containerId: string): ContainerLog | undefined {
    return this.#logs.get(containerId);
  }

  /** Forget a removed container's log (container GC, pod deletion). */
  remove(containerId: string): void {
    this.#logs.get(containerId)?.close();
    this.#logs.delete(containerId);
  }
}

/** The subset of core/v1 ContainerStatus the log lookup reads. */
export interface ContainerStatusForLogs {
  name: string;
  containerID?: string;
  state?: {
    waiting?: { reason?: string };
    running?: object;
    terminated?: { containerID?: string };
  };
  lastState?: { terminated?: { containerID?: string } };
}

export interface PodStatusForLogs {
  containerStatuses?: ContainerStatusForLogs[];
  initContainerStatuses?: ContainerStatusForLogs[];
  ephemeralContainerStatuses?: ContainerStatusForLogs[];
}

/**
 * validateContainerLogStatus (kubernetes pkg/kubelet/kubelet_pods.go): which container ID a log request
 * reads, or the kubelet's error for why there is none. Container IDs are returned as in the status
 * (`containerd://<id>`); the `<runtime>://` prefix is stripped.
 */
export function validateContainerLogStatus(podName: string, podStatus: PodStatusForLogs, containerName: string, previous: boolean): string {
  const all = [...(podStatus.containerStatuses ?? []), ...(podStatus.initContainerStatuses ?? []), ...(podStatus.ephemeralContainerStatuses ?? [])];
  const cStatus = all.find((s) => s.name === containerName);
  const q = (s: string): string => JSON.stringify(s);
  if (!cStatus) throw new LogError(`container ${q(containerName)} in pod ${q(podName)} is not available`);
  const last = cStatus.lastState?.terminated;
  const { waiting, running, terminated } = cStatus.state ?? {};
  let cID: string;
  if (previous) {
    if (!last?.containerID) throw new LogError(`previous terminated container ${q(containerName)} in pod ${q(podName)} not found`);
    cID = last.containerID;
  } else if (running) {
    cID = cStatus.containerID ?? '';
  } else if (terminated) {
    // When the next container did not start, terminated.containerID is empty: read lastState instead.
    if (terminated.containerID) cID = terminated.containerID;
    else if (last?.containerID) cID = last.containerID;
    else throw new LogError(`container ${q(containerName)} in pod ${q(podName)} is terminated`);
  } else if (last) {
    if (!last.containerID) throw new LogError(`container ${q(containerName)} in pod ${q(podName)} is terminated`);
    cID = last.containerID;
  } else if (waiting) {
    const reason = waiting.reason ?? '';
    if (reason === 'ErrImagePull') throw new LogError(`container ${q(containerName)} in pod ${q(podName)} is waiting to start: image can't be pulled`);
    if (reason === 'ImagePullBackOff') {
      throw new LogError(`container ${q(containerName)} in pod ${q(podName)} is waiting to start: trying and failing to pull image`);
    }
    throw new LogError(`container ${q(containerName)} in pod ${q(podName)} is waiting to start: ${reason}`);
  } else {
    throw new LogError(`container ${q(containerName)} in pod ${q(podName)} is waiting to start - no logs yet`);
  }
  const sep = cID.indexOf('://');
  return sep === -1 ? cID : cID.slice(sep + 3);
}

/** GetKubeletContainerLogs: pick the instance from the pod status, then read its log. */
export function readContainerLogs(
  store: ContainerLogStore,
  podName: string,
  podStatus: PodStatusForLogs,
  containerName: string,
  options: LogReadOptions & { previous?: boolean } = {},
): AsyncGenerator<string> {
  const id = validateContainerLogStatus(podName, podStatus, containerName, options.previous ?? false);
  const log = store.get(id);
  // Ours, not upstream's: a real kubelet reports the missing log file's path, which the lab does not have.
  if (!log) throw new LogError(`the log of container ${JSON.stringify(containerName)} in pod ${JSON.stringify(podName)} was removed with its container`);
  return log.read(options);
}
