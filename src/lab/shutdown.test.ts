// A real child process and real signals: the clean-up runs to the end and the exit code is 130.
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { CancelledError, listenForShutdown } from './shutdown.js';

const child = path.resolve('test/fixtures/shutdown/child.ts');

/** Starts the child, sends the signals once it is ready (a moment apart), and returns how it ended. */
async function signalChild(mode: string, signals: NodeJS.Signals[]) {
  const proc = execa(process.execPath, ['--import', 'tsx', child, mode], { reject: false, stdin: 'ignore' });
  await new Promise<void>((resolve) => {
    proc.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
  });
  for (const [i, signal] of signals.entries()) {
    if (i > 0) await new Promise((r) => setTimeout(r, 50));
    proc.kill(signal);
  }
  return proc;
}

describe('listenForShutdown', () => {
  it('lets the clean-up finish after SIGINT while an execa child runs, and exits 130', async () => {
    const result = await signalChild('listen', ['SIGINT']);
    expect(result.stdout).toContain('cleaned');
    expect(result.exitCode).toBe(130);
  });

  it('says a second signal is noted while the clean-up runs, instead of dying', async () => {
    const result = await signalChild('listen', ['SIGTERM', 'SIGINT']);
    expect(result.stdout).toContain('still cleaning');
    expect(result.stdout).toContain('cleaned');
    expect(result.exitCode).toBe(130);
  });

  it('shows the bug it fixes: with process.once, signal-exit re-raises SIGINT and Node dies before the clean-up', async () => {
    const result = await signalChild('once', ['SIGINT']);
    expect(result.stdout).not.toContain('cleaned');
    expect(result.signal).toBe('SIGINT');
  });

  it('aborts with a CancelledError naming the signal, and detaches on dispose', () => {
    const before = process.listenerCount('SIGINT');
    const shutdown = listenForShutdown();
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    process.emit('SIGINT', 'SIGINT');
    expect(shutdown.signal.aborted).toBe(true);
    expect(shutdown.received).toBe('SIGINT');
    expect(shutdown.signal.reason).toBeInstanceOf(CancelledError);
    shutdown.dispose();
    shutdown.dispose();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});

describe('watchTerminal', () => {
  it('calls back once when the terminal’s input ends or its output fails, and swallows later write errors', async () => {
    const { PassThrough } = await import('node:stream');
    const { watchTerminal, terminalGone } = await import('./shutdown.js');
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const why: string[] = [];
    const watch = watchTerminal((w) => why.push(w), { stdin, stdout });
    expect(watch.lost).toBeUndefined();
    stdin.emit('end');
    stdout.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }));
    expect(why).toEqual(['the terminal closed its input']);
    expect(terminalGone()).toBe(true);
    watch.dispose();
    // after dispose, an EIO on the next write must not become an uncaught 'error' event
    expect(() => stdout.emit('error', Object.assign(new Error('write EIO'), { code: 'EIO' }))).not.toThrow();
  });

  it('an output error alone ends it too', async () => {
    const { PassThrough } = await import('node:stream');
    const { watchTerminal } = await import('./shutdown.js');
    const why: string[] = [];
    const stdout = new PassThrough();
    const watch = watchTerminal((w) => why.push(w), { stdin: new PassThrough(), stdout });
    expect(why).toEqual([]);
    stdout.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    expect(why).toEqual(["the terminal's output failed (EPIPE)"]);
    watch.dispose();
  });
});
