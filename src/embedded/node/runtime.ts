// The node's container runtime: runs a container's process against its image's real filesystem.
//
//   const result = startContainer({ containerId, imageConfig, command, args, env, fs, clock, log })
//   result.started === false → result.error: { reason: 'StartError', exitCode: 128, message } (runc could not exec)
//   result.started === true  → result.handle: ContainerHandle { exited: Promise<ContainerExit>, kill() }
//
// Programs are busybox applets (applets.ts: cat, echo, find, grep, gunzip, head, ls, sh, sleep, tar, wc, zcat); sh is ash's core
// (shell.ts). A program runs only if the container's filesystem has an executable entry for it on PATH,
// as a real runtime needs the file: `cat` in a FROM-scratch image fails to start.
import type { LabClock } from '../clock.js';
import type { ContainerLog } from './container-logs.js';
import { expandCommandAndArgs, expandEnv, type EnvVar } from './expansion.js';
import type { ImageConfig } from './image-store.js';
import { lookPath, runProgram } from './applets.js';
import { Killed, toText, type Io, type Proc } from './process.js';
import type { FileSystem } from './rootfs.js';

// --- names and messages the kubelet and containerd use -------------------------------------------------

/** containerd CRI (internal/cri/server/container_start.go): a container whose task could not start. */
export const START_ERROR_REASON = 'StartError';
export const START_ERROR_EXIT_CODE = 128;
/** containerd CRI (internal/cri/server/container_status.go): terminated reasons by exit code. */
export const COMPLETED_REASON = 'Completed';
export const ERROR_REASON = 'Error';
/** kubelet (pkg/kubelet/container/sync_result.go ErrRunContainer): waiting reason after a failed start. */
export const RUN_CONTAINER_ERROR = 'RunContainerError';
/** kubelet (pkg/kubelet/container/sync_result.go ErrCreateContainer): waiting reason when the spec cannot be made. */
export const CREATE_CONTAINER_ERROR = 'CreateContainerError';

/** The Warning event message the kubelet records when StartContainer fails (kuberuntime_container.go startContainer). */
export function failedToStartEventMessage(criMessage: string): string {
  return `Error: ${criMessage}`;
}

/** containerd + runc ≥ 1.2 wording of a process that cannot be exec'd (kind's current node images). */
export function execFailedMessage(execError: string): string {
  return (
    'failed to create containerd task: failed to create shim task: OCI runtime create failed: runc create failed: ' +
    `unable to start container process: error during container init: ${execError}: unknown`
  );
}

/** containerd CRI's default process env (containerd oci/spec.go defaultUnixEnv). */
export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

// --- process spec ------------------------------------------------------------------------------------

export interface ProcessSpec {
  argv: string[];
  /** KEY=value, image env overridden by container env, as containerd's WithEnv merges them. */
  env: string[];
  cwd: string;
}

/**
 * The process a container runs (containerd CRI setOCIProcessArgs and addImageEnvs, container_create*.go;
 * the table in "Define a Command and Arguments for a Container"): the pod's command if set, else the image's
 * Entrypoint; the pod's args if set, else — only when the pod sets no command — the image's Cmd.
 * $(VAR) is expanded by the kubelet first (expansion.ts). Returns containerd's error when it cannot.
 */
export function resolveProcess(input: ProcessInput): ProcessSpec | { error: string } {
  const env = expandEnv(input.env ?? []);
  const { command: podCommand, args: podArgs } = expandCommandAndArgs(input.command, input.args, env);
  let command = podCommand;
  let args = podArgs;
  if (command.length === 0) {
    if (args.length === 0) args = [...(input.imageConfig.Cmd ?? [])];
    command = [...(input.imageConfig.Entrypoint ?? [])];
  }
  if (command.length === 0 && args.length === 0) return { error: 'no command specified' };
  const merged = new Map<string, string>();
  const put = (kv: string): void => {
    const i = kv.indexOf('=');
    merged.set(i === -1 ? kv : kv.slice(0, i), kv);
  };
  put(`PATH=${DEFAULT_PATH}`);
  if (input.hostname) put(`HOSTNAME=${input.hostname}`);
  for (const kv of input.imageConfig.Env ?? []) {
    if (!kv.includes('=')) return { error: `invalid environment variable ${JSON.stringify(kv)}` };
    put(kv);
  }
  for (const e of env) put(`${e.name}=${e.value}`);
  const cwd = input.workingDir || input.imageConfig.WorkingDir || '/';
  return { argv: [...command, ...args], env: [...merged.values()], cwd };
}

// --- running -------------------------------------------------------------------------------------------

export interface ContainerExit {
  exitCode: number;
  /** containerd's terminated reason: Completed (0) or Error. */
  reason: typeof COMPLETED_REASON | typeof ERROR_REASON;
  startedAt: number;
  finishedAt: number;
  /** The signal that ended it, when kill() did. */
  signal?: 'SIGTERM' | 'SIGKILL';
}

export interface ContainerHandle {
  readonly id: string;
  readonly startedAt: number;
  readonly process: ProcessSpec;
  /** Resolves once when the process ends (the log is closed by then). */
  readonly exited: Promise<ContainerExit>;
  /** Whether the process still runs. */
  running(): boolean;
  /** Stop: SIGTERM ends a sleep at once (exit 143); SIGKILL exits 137. No effect after exit. */
  kill(signal?: 'SIGTERM' | 'SIGKILL'): void;
}

export interface StartError {
  reason: typeof START_ERROR_REASON;
  exitCode: typeof START_ERROR_EXIT_CODE;
  /** The CRI error text: the kubelet's event is `Error: <message>`, the waiting message is <message>. */
  message: string;
  finishedAt: number;
}

export type StartResult = { started: true; handle: ContainerHandle } | { started: false; error: StartError } | { started: false; createError: string };

/** What decides the container's process: the image's config and the pod's command, args, env and workingDir. */
export type ProcessInput = Pick<StartContainerRequest, 'imageConfig' | 'command' | 'args' | 'env' | 'workingDir' | 'hostname'>;

export interface StartContainerRequest {
  containerId: string;
  imageConfig: ImageConfig;
  /** The pod container's command and args (before $(VAR) expansion). */
  command?: readonly string[];
  args?: readonly string[];
  /** Resolved container env (values, not valueFrom), in spec order. */
  env?: readonly EnvVar[];
  workingDir?: string;
  hostname?: string;
  fs: FileSystem;
  clock: LabClock;
  log: ContainerLog;
}

const SIGNAL_EXIT = { SIGTERM: 143, SIGKILL: 137 } as const;

/** Starts the container's process. Never throws for container problems: they are results, as in CRI. */
export function startContainer(req: StartContainerRequest): StartResult {
  const spec = resolveProcess(req);
  if ('error' in spec) {
    req.log.close();
    return { started: false, createError: spec.error };
  }
  const argv0 = spec.argv[0] as string;
  const found = lookPath(req.fs, argv0, spec.env, spec.cwd);
  if ('error' in found) {
    req.log.close();
    return {
      started: false,
      error: { reason: START_ERROR_REASON, exitCode: START_ERROR_EXIT_CODE, message: execFailedMessage(found.error), finishedAt: req.clock.now() },
    };
  }
  const startedAt = req.clock.now();
  const abort = new AbortController();
  let killedBy: 'SIGTERM' | 'SIGKILL' | undefined;
  let running = true;
  const proc: Proc = {
    fs: req.fs,
    clock: req.clock,
    vars: new Map(spec.env.map((kv) => [kv.slice(0, Math.max(0, kv.indexOf('='))), kv.slice(kv.indexOf('=') + 1)])),
    cwd: spec.cwd,
    signal: abort.signal,
  };
  const io: Io = {
    stdin: new Uint8Array(), // the lab attaches no stdin
    out: (d) => req.log.write('stdout', toText(d)),
    err: (d) => req.log.write('stderr', toText(d)),
  };
  const exited = (async (): Promise<ContainerExit> => {
    await Promise.resolve(); // the process starts after startContainer returns, as a real one does
    let code: number;
    try {
      code = await runProgram(proc, spec.argv, io);
    } catch (err) {
      if (!(err instanceof Killed)) {
        io.err(`${argv0}: ${(err as Error).message}\n`);
        code = 1;
      } else code = SIGNAL_EXIT[killedBy ?? 'SIGTERM'];
    }
    if (killedBy) code = SIGNAL_EXIT[killedBy];
    running = false;
    req.log.close();
    const exit: ContainerExit = { exitCode: code, reason: code === 0 ? COMPLETED_REASON : ERROR_REASON, startedAt, finishedAt: req.clock.now() };
    if (killedBy) exit.signal = killedBy;
    return exit;
  })();
  const handle: ContainerHandle = {
    id: req.containerId,
    startedAt,
    process: spec,
    exited,
    running: () => running,
    kill(signal = 'SIGTERM') {
      if (!running || killedBy) return;
      killedBy = signal;
      abort.abort(new Killed());
    },
  };
  return { started: true, handle };
}

export { lookPath };
