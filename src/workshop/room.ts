// A workshop room: one embedded lab per attendee in this process, each with its own API server (port, CA,
// tokens), registry (users, flag) and kubelets — nothing of one attendee answers another's credentials. What is
// shared is what holds no secret: the code, this process, and the bytes of image blobs the registries have in common
// (src/registry/blob-pool.ts; links and access stay each registry's own). Each attendee's folder gets exactly what `up`
// writes (kubeconfig, then lab.json last, docs/lab-json.md) plus a handout; a stopping room removes what it wrote.
import { mkdir, rmdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { ProfileName } from '../lab/profiles.js';
import { startEmbeddedLab, type EmbeddedLab } from '../embedded/lab.js';
import { BlobPool } from '../registry/blob-pool.js';
import type { LabSnapshot } from '../tutorial/tasks.js';
import { fileIdentity, lockLabDir, removeOwnFile, writePrivateFile, type LabDirLock, type WrittenFile } from '../embedded/lab-dir.js';
import { labJson, parseUpOptions } from '../embedded/up.js';
import { handoutMarkdown } from './handout.js';
import { inProcessSnapshots } from './lab-reader.js';

/** More attendees than one 2-core machine should host (the bench measures up to 60). */
export const MAX_ATTENDEES = 100;
/** Labs started at once: each start builds images and a CA, which is CPU work. */
const START_CONCURRENCY = 4;

export interface RoomOptions {
  attendees: number;
  profile: ProfileName;
  /** The room's folder: attendee-K/ below it. */
  dir: string;
  /** The address the API servers bind and name (default 127.0.0.1). */
  listen?: string;
  /** Leave the attendees' files when the room stops. */
  keep?: boolean;
  nodes?: number;
  timeScale?: number;
  /** Aborting it stops a start under way (its labs are stopped again). */
  signal?: AbortSignal;
  /** One call per attendee whose lab is ready (lab.json written). */
  onReady?: (seat: Seat) => void;
}

export interface Seat {
  /** 1-based, as in attendee-K. */
  readonly attendee: number;
  readonly dir: string;
  readonly lab: EmbeddedLab;
  /** The lab as the tutorial's checks see it, read in this process (src/workshop/lab-reader.ts). */
  readonly snapshot: () => Promise<LabSnapshot>;
}

export interface Room {
  readonly dir: string;
  readonly profile: ProfileName;
  readonly seats: readonly Seat[];
  /** Back to the stage `up` sets, for one attendee: their pods gone, node caches empty (same kubeconfig). */
  reset(attendee: number): Promise<void>;
  /** Every lab again under another profile: new API servers, so new kubeconfigs and lab.json files. */
  switchProfile(profile: ProfileName): Promise<void>;
  /** Stops every lab; removes the files written unless --keep. Idempotent. */
  stop(): Promise<void>;
}

export const attendeeDir = (root: string, attendee: number): string => path.join(root, `attendee-${attendee}`);

/** `--attendees` and `--listen` as the room needs them, or one UserError line. */
export function parseRoomOptions(options: { attendees: string | number; profile: string; dir: string; listen?: string; nodes?: string | number; timeScale?: string | number }): {
  attendees: number;
  profile: ProfileName;
  dir: string;
  listen?: string;
  nodes: number;
  timeScale: number;
} {
  const attendees = Number(options.attendees);
  if (!Number.isInteger(attendees) || attendees < 1 || attendees > MAX_ATTENDEES) {
    throw new UserError(`--attendees must be a whole number from 1 to ${MAX_ATTENDEES}, got "${String(options.attendees)}"`, 'for example --attendees 12');
  }
  const up = parseUpOptions({
    profile: options.profile,
    dir: options.dir,
    ...(options.nodes !== undefined ? { nodes: options.nodes } : {}),
    ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
  });
  const listen = options.listen;
  if (listen !== undefined) {
    if (listen === '0.0.0.0' || listen === '::' || listen === '') {
      throw new UserError(
        `--listen ${listen || '""'} names no address attendees can reach (and no certificate can name it)`,
        "pass this machine's address on the room's network, for example --listen 192.168.1.20",
      );
    }
    if (!isIP(listen) && !/^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(listen)) {
      throw new UserError(`--listen must be an IP address or a host name, got "${listen}"`, 'for example --listen 192.168.1.20');
    }
  }
  return { attendees, profile: up.profile, dir: up.dir, nodes: up.nodes, timeScale: up.timeScale, ...(listen !== undefined ? { listen } : {}) };
}

interface SeatFiles {
  created: boolean;
  written: WrittenFile[];
}

/** Starts N labs; on any failure (or abort) everything started so far is stopped and removed again. */
export async function startRoom(options: RoomOptions): Promise<Room> {
  const root = path.resolve(options.dir);
  let createdRoot: string | undefined;
  try {
    createdRoot = await mkdir(root, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new UserError(`cannot create the workshop folder ${root}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'pass a writable folder with --dir');
  }
  let lock: LabDirLock;
  try {
    lock = await lockLabDir(root);
  } catch (error) {
    if (createdRoot !== undefined) await rmdir(root).catch(() => undefined);
    throw error;
  }
  const files = new Map<number, SeatFiles>();
  // the labs' registries hold the same base layers and public image: their bytes once for the room
  const blobPool = new BlobPool();
  const seats: Seat[] = [];
  let profile = options.profile;

  const startSeat = async (attendee: number): Promise<Seat> => {
    const dir = attendeeDir(root, attendee);
    let seatFiles = files.get(attendee);
    if (!seatFiles) {
      const created = (await mkdir(dir, { recursive: true, mode: 0o700 })) !== undefined;
      seatFiles = { created, written: [] };
      files.set(attendee, seatFiles);
    }
    const lab = await startEmbeddedLab({
      profile,
      nodes: options.nodes ?? 2,
      dir,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.timeScale !== undefined ? { timeScale: options.timeScale } : {}),
      ...(options.listen ? { apiServerHost: options.listen } : {}),
      blobPool,
    });
    try {
      const kubeconfig = await fileIdentity(lab.info.kubeconfig);
      const written = [...(kubeconfig ? [kubeconfig] : [])];
      written.push(await writePrivateFile(path.join(dir, 'handout.md'), handoutMarkdown(lab.info, { attendee, dir, listen: options.listen })));
      // lab.json last: whoever waits for it finds a lab that is ready
      written.push(await writePrivateFile(path.join(dir, 'lab.json'), `${JSON.stringify(labJson(lab.info), null, 2)}\n`));
      seatFiles.written = written;
    } catch (error) {
      await lab.stop();
      throw error;
    }
    const seat = { attendee, dir, lab, snapshot: inProcessSnapshots(lab, dir) };
    options.onReady?.(seat);
    return seat;
  };

  const removeFiles = async (): Promise<void> => {
    for (const [attendee, f] of files) {
      for (const file of f.written) await removeOwnFile(file);
      f.written = [];
      if (f.created) await rmdir(attendeeDir(root, attendee)).catch(() => undefined);
    }
  };

  let stopping: Promise<void> | undefined;
  /** A profile switch under way: stop waits for it, so no lab it starts outlives the room. */
  let switching: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      await switching?.catch(() => undefined);
      await Promise.all(seats.map((s) => s.lab.stop().catch(() => undefined)));
      if (!options.keep) await removeFiles();
      await lock.release();
      if (!options.keep && createdRoot !== undefined) await rmdir(root).catch(() => undefined); // only if we made it and it is empty
    })());

  /** Starts `attendees` seats, START_CONCURRENCY at a time, into `seats` (by position). */
  const startAll = async (attendees: number[]): Promise<void> => {
    let next = 0;
    const failures: unknown[] = [];
    const worker = async (): Promise<void> => {
      while (next < attendees.length && failures.length === 0) {
        const attendee = attendees[next++]!;
        try {
          seats[attendee - 1] = await startSeat(attendee);
        } catch (error) {
          failures.push(error);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(START_CONCURRENCY, attendees.length) }, worker));
    if (failures.length > 0) throw failures[0];
  };

  try {
    await startAll(Array.from({ length: options.attendees }, (_, i) => i + 1));
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    dir: root,
    get profile() {
      return profile;
    },
    seats,
    async reset(attendee) {
      const seat = seats[attendee - 1];
      if (!seat) throw new RangeError(`no attendee ${attendee}`);
      await seat.lab.reset();
    },
    async switchProfile(next) {
      if (stopping || switching) return;
      profile = next;
      const old = seats.splice(0);
      switching = (async () => {
        await Promise.all(old.map((s) => s.lab.stop()));
        await startAll(old.map((s) => s.attendee));
      })();
      try {
        await switching;
      } catch (error) {
        switching = undefined;
        await stop();
        throw error;
      } finally {
        switching = undefined;
      }
    },
    stop,
  };
}
