// `image-heist workshop`: starts the room, shows the board (a terminal) or prints events (`--json`, which also
// takes the instructor's commands on stdin; or plain lines without a terminal), and runs until Ctrl-C, SIGTERM,
// SIGHUP, q or {"stop":true}; then stops every lab and removes the attendees' files (unless --keep) before it returns.
import { loadChapters } from '../tutorial/chapters.js';
import { listenForShutdown, SHUTDOWN_SIGNALS, STILL_STOPPING } from '../lab/shutdown.js';
import type { ProfileName } from '../lab/profiles.js';
import type { Readable } from 'node:stream';
import { readCommands } from './commands.js';
import { RoomMonitor, type WorkshopEvent } from './monitor.js';
import { parseRoomOptions, startRoom, type Room } from './room.js';

export interface WorkshopOptions {
  attendees: string | number;
  profile: string;
  dir: string;
  listen?: string;
  keep?: boolean;
  nodes?: string | number;
  timeScale?: string | number;
  /** JSON events, one per line, instead of the board. */
  json?: boolean;
  /** The Ink board (a terminal); plain lines otherwise. */
  board?: boolean;
  pollMs?: number;
  out?: (text: string) => void;
  /** Stops the room when aborted (tests); the signals always do. */
  signal?: AbortSignal;
  /** Where --json reads the instructor's commands (src/workshop/commands.ts); default stdin. */
  input?: Readable;
}

/** One plain line per event, for a run without a terminal and without --json. */
export function eventLine(e: WorkshopEvent): string {
  switch (e.event) {
    case 'ready':
      return `attendee ${e.attendee}: ready at ${e.apiServer} — handout ${e.handout}`;
    case 'chapter':
      return `chapter ${e.index}: ${e.title}`;
    case 'profile':
      return `profile: ${e.profile}`;
    case 'task-done':
      return `attendee ${e.attendee}: ☑ ${e.chapter} (${e.evidence})`;
    case 'verdict':
      return `attendee ${e.attendee}: verdict ${e.verdict}${e.evidence ? ` (${e.evidence})` : ''}`;
    case 'activity':
      return `attendee ${e.attendee}: activity`;
    case 'error':
      return `${e.attendee !== undefined ? `attendee ${e.attendee}: ` : ''}error: ${e.message}`;
    case 'reset':
      return `attendee ${e.attendee}: lab reset`;
    case 'stopping':
      return 'stopping';
    case 'stopped':
      return 'stopped';
  }
}

export async function runWorkshop(options: WorkshopOptions): Promise<void> {
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  const parsed = parseRoomOptions(options);
  const quit = new AbortController();
  const stop = listenForShutdown({
    signals: [...SHUTDOWN_SIGNALS, 'SIGHUP'],
    also: options.signal ? AbortSignal.any([options.signal, quit.signal]) : quit.signal,
    onRepeat: () => process.stderr.write(STILL_STOPPING),
  });
  const emit = (event: WorkshopEvent): void => out(options.json ? `${JSON.stringify(event)}\n` : `image-heist workshop: ${eventLine(event)}\n`);
  let room: Room | undefined;
  try {
    if (!options.json) out(`image-heist workshop: starting ${parsed.attendees} lab${parsed.attendees === 1 ? '' : 's'} (profile ${parsed.profile}) in ${parsed.dir}…\n`);
    try {
      room = await startRoom({ ...parsed, ...(options.keep ? { keep: true } : {}), signal: stop.signal });
    } catch (error) {
      if (stop.signal.aborted) return; // Ctrl-C while starting: what started is stopped again
      throw error;
    }
    const chapters = await loadChapters();
    let board: { update(state: import('./monitor.js').BoardState): void; unmount(): void } | undefined;
    const monitor = new RoomMonitor(room, chapters, {
      ...(options.pollMs ? { pollMs: options.pollMs } : {}),
      onEvent: options.board && !options.json ? undefined : emit,
      onChange: (state) => board?.update(state),
    });
    await monitor.start();
    if (options.board && !options.json) {
      const { showBoard } = await import('../ui/run-workshop.js');
      board = showBoard(monitor, {
        reset: (attendee) => void monitor.reset(attendee),
        switchProfile: (profile: ProfileName) => void monitor.switchProfile(profile),
        reveal: () => monitor.revealNext(),
        quit: () => quit.abort(),
      });
    }
    // commands come from a pipe or a file: a terminal's stdin is left alone (a room started in the background with
    // `&` would be stopped by SIGTTIN the moment it read from the terminal)
    const input = options.input ?? (process.stdin.isTTY ? undefined : process.stdin);
    const stopReading = options.json && input ? readInstructorCommands(monitor, room.seats.length, input, emit, () => quit.abort()) : undefined;
    await new Promise<void>((resolve) => {
      if (stop.signal.aborted) resolve();
      else stop.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    stopReading?.();
    monitor.stop();
    board?.unmount();
    if (!options.json) out('Stopping the labs…\n');
  } finally {
    await room?.stop();
    stop.dispose();
    if (room && options.json) emit({ time: new Date().toISOString(), event: 'stopped' });
  }
}

/** --json: the instructor's commands on `input`, each answered on stdout (src/workshop/commands.ts). */
function readInstructorCommands(monitor: RoomMonitor, attendees: number, input: Readable, emit: (event: WorkshopEvent) => void, quit: () => void): () => void {
  const now = () => new Date().toISOString();
  // the monitor's own reason, said to the instructor rather than ignored as the board ignores a refused key
  const refuse = (reason: string | undefined) => {
    if (reason) throw new Error(reason);
  };
  const stop = readCommands(
    input,
    {
      attendees,
      async reset(attendee) {
        refuse(monitor.refusal('reset'));
        await monitor.reset(attendee);
      },
      async switchProfile(profile) {
        refuse(monitor.refusal({ profile }));
        await monitor.switchProfile(profile);
      },
      revealNext() {
        refuse(monitor.refusal('reveal'));
        monitor.revealNext();
      },
      stop: quit,
    },
    (message, line) => emit({ time: now(), event: 'error', message, command: line.length > 200 ? `${line.slice(0, 200)}…` : line }),
    () => emit({ time: now(), event: 'stopping' }),
  );
  // stdin is read only while the room runs; a stdin that stays open must not keep the process alive after it
  return () => {
    stop();
    input.pause();
    if ('unref' in input && typeof input.unref === 'function') (input as { unref(): void }).unref();
  };
}
