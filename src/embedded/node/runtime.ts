// The node's container runtime: runs a container's process against its image's real filesystem.
//
//   const result = startContainer({ containerId, imageConfig, command, args, env, fs, clock, log })
//   result.started === false → result.error: { reason: 'StartError', exitCode: 128, message } (runc could not exec)
//   result.started === true  → result.handle: ContainerHandle { exited: Promise<ContainerExit>, kill() }
//
// Programs are busybox-style built-ins: `cat`, `echo`, `sleep N|infinity`, `sh -c` (with `;`, `&&`, `||`,
// quotes, $VAR). A program runs only if the image's filesystem has an executable entry for it on PATH,
// as a real runtime needs the file: `cat` in a FROM-scratch image fails to start.
import type { LabClock } from '../clock.js';
import type { ContainerLog } from './container-logs.js';
import { expandCommandAndArgs, expandEnv, type EnvVar } from './expansion.js';
import type { ImageConfig } from './image-store.js';
import { FsError, type RootFs } from './rootfs.js';

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
/** kubelet event reason for a failed start (pkg/kubelet/events/event.go FailedToStartContainer). */
export const FAILED_EVENT_REASON = 'Failed';

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

export type StartResult =
  | { started: true; handle: ContainerHandle }
  | { started: false; error: StartError }
  | { started: false; createError: string };

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
  fs: RootFs;
  clock: LabClock;
  log: ContainerLog;
}

const SIGNAL_EXIT = { SIGTERM: 143, SIGKILL: 137 } as const;

/** The built-in programs, keyed by the name they are invoked as (busybox applets). */
const APPLETS = new Set(['cat', 'echo', 'sleep', 'sh']);

/** Go's exec.LookPath inside the container (runc libcontainer), returning the resolved path or runc's error. */
export function lookPath(fs: RootFs, file: string, env: readonly string[], cwd: string): { path: string } | { error: string } {
  const executable = (p: string): 'ok' | FsError | 'EACCES' => {
    try {
      const entry = fs.stat(p);
      if (entry.type === 'dir') return 'EACCES';
      return (entry.mode & 0o111) !== 0 ? 'ok' : 'EACCES';
    } catch (err) {
      if (err instanceof FsError) return err;
      throw err;
    }
  };
  if (file.includes('/')) {
    const p = file.startsWith('/') ? file : `${cwd.replace(/\/$/, '')}/${file}`;
    const r = executable(p);
    if (r === 'ok') return { path: p };
    if (r === 'EACCES') return { error: `exec: ${JSON.stringify(file)}: permission denied` };
    return { error: `exec: ${JSON.stringify(file)}: stat ${file}: ${r.text}` };
  }
  const pathVar = env.find((kv) => kv.startsWith('PATH='))?.slice(5) ?? '';
  for (const dir of pathVar.split(':')) {
    const p = `${dir === '' ? '.' : dir.replace(/\/$/, '')}/${file}`;
    if (executable(p.startsWith('/') ? p : `${cwd}/${p}`) === 'ok') return { path: p };
  }
  return { error: `exec: ${JSON.stringify(file)}: executable file not found in $PATH` };
}

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
    env: new Map(spec.env.map((kv) => [kv.slice(0, Math.max(0, kv.indexOf('='))), kv.slice(kv.indexOf('=') + 1)])),
    envList: spec.env,
    cwd: spec.cwd,
    signal: abort.signal,
    out: (s) => req.log.write('stdout', s),
    err: (s) => req.log.write('stderr', s),
  };
  const exited = (async (): Promise<ContainerExit> => {
    await Promise.resolve(); // the process starts after startContainer returns, as a real one does
    let code: number;
    try {
      code = await runProgram(proc, spec.argv);
    } catch (err) {
      if (!(err instanceof Killed)) {
        proc.err(`${argv0}: ${(err as Error).message}\n`);
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

// --- programs ------------------------------------------------------------------------------------------

class Killed extends Error {}

interface Proc {
  fs: RootFs;
  clock: LabClock;
  env: Map<string, string>;
  envList: readonly string[];
  cwd: string;
  signal: AbortSignal;
  /** Set by the sh builtin `exit`. */
  exitRequested?: number;
  out(s: string): void;
  err(s: string): void;
}

function checkKilled(p: Proc): void {
  if (p.signal.aborted) throw new Killed();
}

/** Runs argv[0] as the applet named by its basename (busybox dispatches on argv[0]). */
async function runProgram(p: Proc, argv: string[]): Promise<number> {
  checkKilled(p);
  const name = (argv[0] ?? '').slice((argv[0] ?? '').lastIndexOf('/') + 1);
  const args = argv.slice(1);
  if (!APPLETS.has(name)) {
    p.err(`${name}: applet not found\n`);
    return 127;
  }
  switch (name) {
    case 'echo':
      return echo(p, args);
    case 'cat':
      return cat(p, args);
    case 'sleep':
      return sleep(p, args);
    default:
      return sh(p, args);
  }
}

function echo(p: Proc, args: string[]): number {
  const noNewline = args[0] === '-n';
  p.out(`${(noNewline ? args.slice(1) : args).join(' ')}${noNewline ? '' : '\n'}`);
  return 0;
}

const errnoCapitalized: Record<string, string> = {
  ENOENT: 'No such file or directory',
  ENOTDIR: 'Not a directory',
  EISDIR: 'Is a directory',
  ELOOP: 'Symbolic link loop',
};

/** busybox cat: `cat: can't open 'X': No such file or directory`, exit 1, carrying on with the other files. */
function cat(p: Proc, args: string[]): number {
  let status = 0;
  for (const file of args.length === 0 ? ['-'] : args) {
    if (file === '-') continue; // stdin is empty in the lab
    const path = file.startsWith('/') ? file : `${p.cwd.replace(/\/$/, '')}/${file}`;
    try {
      const entry = p.fs.stat(path);
      if (entry.type === 'dir') {
        p.err('cat: read error: Is a directory\n');
        status = 1;
        continue;
      }
      p.out(Buffer.from(p.fs.readFile(path)).toString('utf8'));
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
      p.err(`cat: can't open '${file}': ${errnoCapitalized[err.code] ?? err.text}\n`);
      status = 1;
    }
  }
  return status;
}

const sleepUnits: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** busybox sleep: N[smhd] (fractions allowed), several summed; `infinity` never ends. */
async function sleep(p: Proc, args: string[]): Promise<number> {
  if (args.length === 0) {
    p.err('sleep: missing operand\n');
    return 1;
  }
  let seconds = 0;
  for (const a of args) {
    if (/^inf(inity)?$/i.test(a)) {
      seconds = Infinity;
      continue;
    }
    const m = /^(\d+(?:\.\d*)?|\.\d+)([smhd]?)$/.exec(a);
    if (!m) {
      p.err(`sleep: invalid number '${a}'\n`);
      return 1;
    }
    seconds += Number(m[1]) * (sleepUnits[m[2] ?? ''] ?? 1);
  }
  try {
    await p.clock.sleep(seconds * 1000, p.signal);
  } catch (err) {
    if (p.signal.aborted) throw new Killed();
    throw err;
  }
  return 0;
}

// --- sh -c ---------------------------------------------------------------------------------------------

type Token = { op: ';' | '&&' | '||' } | { words: string[] };

/** A shell syntax problem, reported the way busybox ash does (`sh: syntax error: …`, exit 2). */
class ShSyntaxError extends Error {}

/** Splits a script into simple commands and `;`, `&&`, `||`, expanding $VAR, ${VAR} and $? as it goes. */
function parseScript(script: string, vars: (name: string) => string): Token[] {
  const tokens: Token[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endCommand = (op?: ';' | '&&' | '||'): void => {
    endWord();
    if (words.length > 0) tokens.push({ words });
    else if (op && op !== ';') throw new ShSyntaxError(`unexpected "${op}"`);
    words = [];
    if (op) tokens.push({ op });
  };
  const readVar = (i: number): [string, number] => {
    // i points just after '$'
    if (script[i] === '{') {
      const close = script.indexOf('}', i);
      if (close === -1) throw new ShSyntaxError('missing }');
      return [vars(script.slice(i + 1, close)), close + 1];
    }
    if (script[i] === '?') return [vars('?'), i + 1];
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(script.slice(i));
    if (!m) return ['$', i];
    return [vars(m[0]), i + m[0].length];
  };
  let i = 0;
  while (i < script.length) {
    const c = script[i] as string;
    if (c === '\\' && i + 1 < script.length) {
      if (script[i + 1] !== '\n') {
        word += script[i + 1];
        inWord = true;
      }
      i += 2;
    } else if (c === "'") {
      const close = script.indexOf("'", i + 1);
      if (close === -1) throw new ShSyntaxError('unterminated quoted string');
      word += script.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (c === '"') {
      inWord = true;
      i++;
      for (;;) {
        if (i >= script.length) throw new ShSyntaxError('unterminated quoted string');
        const d = script[i] as string;
        if (d === '"') {
          i++;
          break;
        }
        if (d === '\\' && '$`"\\\n'.includes(script[i + 1] ?? '')) {
          word += script[i + 1];
          i += 2;
        } else if (d === '$') {
          const [value, next] = readVar(i + 1);
          word += value;
          i = next;
        } else {
          word += d;
          i++;
        }
      }
    } else if (c === '$') {
      const [value, next] = readVar(i + 1);
      // Unquoted expansion is split into words on whitespace.
      const parts = value.split(/[ \t\n]+/);
      parts.forEach((part, k) => {
        if (k > 0) endWord();
        if (part !== '') {
          word += part;
          inWord = true;
        }
      });
      if (value === '$') inWord = true;
      i = next;
    } else if (c === ';' || c === '\n') {
      endCommand(';');
      i++;
    } else if (c === '&' && script[i + 1] === '&') {
      endCommand('&&');
      i += 2;
    } else if (c === '|' && script[i + 1] === '|') {
      endCommand('||');
      i += 2;
    } else if ('|&<>()`'.includes(c)) {
      throw new ShSyntaxError(`the lab shell does not support "${c}"`);
    } else if (c === '#' && !inWord) {
      const nl = script.indexOf('\n', i);
      i = nl === -1 ? script.length : nl;
    } else if (c === ' ' || c === '\t') {
      endWord();
      i++;
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  endCommand();
  const last = tokens[tokens.length - 1];
  if (last && 'op' in last && last.op !== ';') throw new ShSyntaxError('unexpected end of file');
  return tokens;
}

/** busybox ash, the small part the lab needs: `sh -c 'script'`. Expansion happens per command, as it runs. */
async function sh(p: Proc, args: string[]): Promise<number> {
  if (args[0] !== '-c') {
    // Without -c, sh reads commands from stdin, which is empty in the lab: it exits 0 at once.
    return 0;
  }
  const script = args[1];
  if (script === undefined) {
    p.err('sh: -c requires an argument\n');
    return 2;
  }
  let status = 0;
  // Parse per statement so $? and variables see earlier results; syntax is checked up front like ash does.
  const vars = (name: string): string => (name === '?' ? String(status) : (p.env.get(name) ?? ''));
  try {
    parseScript(script, () => '');
  } catch (err) {
    if (!(err instanceof ShSyntaxError)) throw err;
    p.err(`sh: syntax error: ${err.message}\n`);
    return 2;
  }
  // An and-or list: a command after `&&` runs only on success, after `||` only on failure;
  // a skipped command leaves $? as it was (POSIX 2.9.3).
  let previous: ';' | '&&' | '||' = ';';
  for (const stmt of splitStatements(script)) {
    checkKilled(p);
    const run = previous === ';' || (previous === '&&' && status === 0) || (previous === '||' && status !== 0);
    previous = stmt.next;
    if (!run) continue;
    const words = parseScript(stmt.text, vars).flatMap((t) => ('words' in t ? t.words : []));
    if (words.length > 0) status = await shCommand(p, words);
    if (p.exitRequested !== undefined) {
      const code = p.exitRequested;
      p.exitRequested = undefined; // `exit` ends this shell, not the one that started it
      return code;
    }
  }
  return status;
}

/** Splits a script at top-level `;`, `&&`, `||` (outside quotes), keeping each piece's text unexpanded. */
function splitStatements(script: string): { text: string; next: ';' | '&&' | '||' }[] {
  const out: { text: string; next: ';' | '&&' | '||' }[] = [];
  let start = 0;
  let i = 0;
  while (i < script.length) {
    const c = script[i];
    if (c === '\\') i += 2;
    else if (c === "'") i = script.indexOf("'", i + 1) + 1;
    else if (c === '"') {
      i++;
      while (i < script.length && script[i] !== '"') i += script[i] === '\\' ? 2 : 1;
      i++;
    } else if (c === '#' && (i === 0 || /\s|;/.test(script[i - 1] ?? ''))) {
      const nl = script.indexOf('\n', i);
      i = nl === -1 ? script.length : nl;
    } else if (c === ';' || c === '\n' || (c === '&' && script[i + 1] === '&') || (c === '|' && script[i + 1] === '|')) {
      const op = c === ';' || c === '\n' ? ';' : c === '&' ? '&&' : '||';
      out.push({ text: script.slice(start, i), next: op });
      i += op.length;
      start = i;
    } else i++;
  }
  out.push({ text: script.slice(start), next: ';' });
  return out;
}

/** One simple command inside sh: shell builtins first, then PATH lookup (`sh: foo: not found`, 127). */
async function shCommand(p: Proc, words: string[]): Promise<number> {
  const [name, ...rest] = words as [string, ...string[]];
  switch (name) {
    case 'echo': // an ash builtin: works without /bin/echo
      return echo(p, rest);
    case 'true':
    case ':':
      return 0;
    case 'false':
      return 1;
    case 'exit': {
      const code = rest[0] === undefined ? 0 : Number.parseInt(rest[0], 10);
      p.exitRequested = Number.isNaN(code) ? 2 : code & 0xff;
      return p.exitRequested;
    }
  }
  const found = lookPath(p.fs, name, p.envList, p.cwd);
  if ('error' in found) {
    p.err(`sh: ${name}: not found\n`);
    return 127;
  }
  return runProgram(p, words);
}
