import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MAX_COMMAND_BYTES, parseCommand, readCommands, type CommandTarget } from './commands.js';

describe('instructor commands', () => {
  it.each([
    ['{"reset":2}', { reset: 2 }],
    ['{"profile":"always-pull-images"}', { profile: 'always-pull-images' }],
    ['{"reveal":"next"}', { reveal: 'next' }],
    ['{"stop":true}', { stop: true }],
    ['{"reset":0}', { error: '"reset" takes an attendee from 1 to 3' }],
    ['{"reset":1.5}', { error: '"reset" takes an attendee from 1 to 3' }],
    ['{"profile":"__proto__"}', { error: expect.stringContaining('"profile" takes one of none,') }],
    ['{"__proto__":1}', { error: expect.stringContaining('expected one of') }],
    ['null', { error: expect.stringContaining('expected one of') }],
    ['{', { error: expect.stringContaining('not JSON') }],
  ])('%s', (line, expected) => {
    expect(parseCommand(line, 3)).toEqual(expected);
  });

  it('applies lines in order, one at a time, and answers every bad one in its turn, a long line too', async () => {
    const input = new PassThrough();
    const done: string[] = [];
    let resolveReset: () => void = () => {};
    const target: CommandTarget = {
      attendees: 2,
      reset: (n) => new Promise<void>((resolve) => (resolveReset = () => (done.push(`reset ${n}`), resolve()))),
      switchProfile: async (p) => void done.push(`profile ${p}`),
      revealNext: () => void done.push('reveal'),
      stop: () => void done.push('stop'),
    };
    readCommands(
      input,
      target,
      (message) => done.push(`error ${message.slice(0, 12)}`),
      () => done.push('stopping'),
    );
    input.write(`{"reset":1}\n{"reveal":"next"}\n${'y'.repeat(MAX_COMMAND_BYTES + 1)}\nnope\n{"stop":true}\n`);
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toEqual([]); // the reset is still under way: nothing after it has run
    resolveReset();
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toEqual(['reset 1', 'reveal', 'error a command li', 'error not JSON: ex', 'stopping', 'stop']);
  });
});
