// Runs the kind backend's commands (commands.ts) through execa: stdin from the spec, cancellable, and
// failures as one line that names the command and the tool's own first error line.
import { execa } from 'execa';
import { formatCommand, type CommandSpec } from './commands.js';

export class CommandError extends Error {
  override readonly name = 'CommandError';
  constructor(
    readonly command: string,
    readonly exitCode: number | undefined,
    readonly stderr: string,
  ) {
    const lines = stderr
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '');
    // kind and docker say what went wrong on an `ERROR:` line; a Go stack trace after it ends on runtime noise
    const detail = lines.find((l) => /^(ERROR|Error response from daemon):/.test(l)) ?? lines.at(-1) ?? `exit code ${String(exitCode)}`;
    super(`${command} failed: ${detail}`);
  }
}

export interface RunOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Bytes for stdin instead of the spec's text (an image archive). */
  inputBytes?: Uint8Array;
  /** Lines of the tool's own output as they come (kind's progress). */
  onLine?: (line: string) => void;
}

/** Runs one command; resolves with stdout, rejects with a CommandError. */
export async function runCommand(spec: CommandSpec, options: RunOptions = {}): Promise<string> {
  const label = formatCommand({ ...spec, input: undefined });
  const result = await execa(spec.file, spec.args, {
    reject: false,
    ...(options.inputBytes ? { input: options.inputBytes } : spec.input !== undefined ? { input: spec.input } : { stdin: 'ignore' as const }),
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.onLine ? { stderr: ['pipe', lineSink(options.onLine)], stdout: ['pipe', lineSink(options.onLine)] } : {}),
    encoding: 'utf8',
  });
  if (result.code === 'ENOENT') throw new CommandError(label, undefined, `${spec.file} is not installed`);
  if (result.isCanceled) throw new CommandError(label, result.exitCode, 'cancelled');
  if (result.timedOut) throw new CommandError(label, result.exitCode, `no answer within ${Math.round((options.timeoutMs ?? 0) / 1000)} s`);
  if (result.exitCode !== 0) throw new CommandError(label, result.exitCode, String(result.stderr ?? ''));
  return String(result.stdout ?? '');
}

/** Runs a command whose stdout is binary (docker image save). */
export async function runCommandBuffer(spec: CommandSpec, options: { signal?: AbortSignal } = {}): Promise<Buffer> {
  const result = await execa(spec.file, spec.args, {
    reject: false,
    stdin: 'ignore',
    encoding: 'buffer',
    maxBuffer: 512 * 1024 * 1024,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
  });
  if (result.exitCode !== 0) throw new CommandError(formatCommand(spec), result.exitCode, Buffer.from(result.stderr ?? new Uint8Array()).toString('utf8'));
  return Buffer.from(result.stdout);
}

function lineSink(onLine: (line: string) => void) {
  return function* (line: unknown) {
    const text = String(line).trim();
    if (text !== '') onLine(text);
    yield line;
  };
}
