// The instructor's controls for a headless room (`workshop --json`): one JSON object a line on stdin, the same
// actions as the board's keys. Each line is answered by one JSON event on stdout — the action's own event
// (`reset`, `profile`, `chapter`, `stopping`) or an `error` naming the line — and no line, however malformed or
// long, stops the room.
//
//   {"reset": 3}                          reset attendee 3's lab            → {"event":"reset","attendee":3}
//   {"profile": "always-pull-images"}     switch the room's profile         → {"event":"profile",…} then `ready` per lab
//   {"reveal": "next"}                    reveal the next chapter           → {"event":"chapter",…}
//   {"stop": true}                        stop the room (as Ctrl-C)         → {"event":"stopping"}, later `stopped`
import type { Readable } from 'node:stream';
import { isProfileName, PROFILE_NAMES, type ProfileName } from '../lab/profiles.js';

export type Command = { reset: number } | { profile: ProfileName } | { reveal: 'next' } | { stop: true };

/** The actions a command reaches; each answers with its own event, or throws a one-line Error. */
export interface CommandTarget {
  attendees: number;
  reset(attendee: number): Promise<void>;
  switchProfile(profile: ProfileName): Promise<void>;
  revealNext(): void;
  stop(): void;
}

/** Longest line read; a longer one is refused (and skipped up to its newline), not buffered without end. */
export const MAX_COMMAND_BYTES = 4096;

const USAGE = 'expected one of {"reset":N}, {"profile":"NAME"}, {"reveal":"next"}, {"stop":true}';

/** One line as a command, or the one-line reason it is not one (pure). */
export function parseCommand(line: string, attendees: number): Command | { error: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { error: `not JSON: ${USAGE}` };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || Object.keys(value).length !== 1) return { error: USAGE };
  const [key, arg] = Object.entries(value)[0]!;
  switch (key) {
    case 'reset':
      if (typeof arg !== 'number' || !Number.isInteger(arg) || arg < 1 || arg > attendees) return { error: `"reset" takes an attendee from 1 to ${attendees}` };
      return { reset: arg };
    case 'profile':
      if (typeof arg !== 'string' || !isProfileName(arg)) return { error: `"profile" takes one of ${PROFILE_NAMES.join(', ')}` };
      return { profile: arg };
    case 'reveal':
      if (arg !== 'next') return { error: '"reveal" takes "next"' };
      return { reveal: 'next' };
    case 'stop':
      if (arg !== true) return { error: '"stop" takes true' };
      return { stop: true };
    default:
      return { error: USAGE };
  }
}

/**
 * Reads commands from `input` until it ends (the room keeps running: a closed stdin is not a stop) and applies
 * them one at a time, in order. `onError` gets each refused line's reason and the line (cut to 200 characters).
 */
export function readCommands(input: Readable, target: CommandTarget, onError: (message: string, line: string) => void, onStopping: () => void): () => void {
  let pending = '';
  let skipping = false;
  let queue = Promise.resolve();
  const apply = async (line: string): Promise<void> => {
    const command = parseCommand(line, target.attendees);
    if ('error' in command) return onError(command.error, line);
    try {
      if ('reset' in command) await target.reset(command.reset);
      else if ('profile' in command) await target.switchProfile(command.profile);
      else if ('reveal' in command) target.revealNext();
      else {
        onStopping();
        target.stop();
      }
    } catch (error) {
      onError(error instanceof Error ? error.message.split('\n')[0]! : String(error), line);
    }
  };
  // answered in turn with the lines before it
  const tooLong = (line: string): void => {
    const start = line.slice(0, 200);
    queue = queue.then(() => onError(`a command line is longer than ${MAX_COMMAND_BYTES} bytes`, start));
  };
  const onData = (chunk: Buffer | string): void => {
    pending += chunk.toString();
    for (let newline = pending.indexOf('\n'); newline >= 0; newline = pending.indexOf('\n')) {
      const line = pending.slice(0, newline).trim();
      pending = pending.slice(newline + 1);
      if (skipping) {
        skipping = false;
        continue;
      }
      if (Buffer.byteLength(line) > MAX_COMMAND_BYTES) tooLong(line);
      else if (line !== '') queue = queue.then(() => apply(line));
    }
    if (Buffer.byteLength(pending) > MAX_COMMAND_BYTES) {
      if (!skipping) tooLong(pending);
      pending = '';
      skipping = true;
    }
  };
  input.on('data', onData);
  input.on('error', () => undefined); // a closed or broken stdin leaves the room running
  return () => input.off('data', onData);
}
