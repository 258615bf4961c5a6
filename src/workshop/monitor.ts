// Watches the room: every poll reads each attendee's lab in this process (src/workshop/lab-reader.ts, into the
// snapshot the tutorial reads over HTTPS, src/tutorial/lab-snapshot.ts) and
// judges the revealed chapters' tasks with the tutorial's own checks (src/tutorial/tasks.ts). A chapter's task
// counts only pods made after the instructor revealed it, and a tick, once seen, stays. The instructor's actions
// (reset one attendee, switch the room's profile, reveal the next chapter) go through here, so the board and the
// JSON events see the same thing.
import type { Chapter } from '../tutorial/chapters.js';
import { evaluateTask, type LabSnapshot, type TaskWindow } from '../tutorial/tasks.js';
import type { ProfileName } from '../lab/profiles.js';
import type { Room, Seat } from './room.js';
import { storyVerdict, type Verdict } from './verdict.js';

export interface ChapterRef {
  id: string;
  title: string;
  /** The profile its task needs, if it has a task. */
  taskProfile?: ProfileName;
}

export interface AttendeeStatus {
  attendee: number;
  apiServer: string;
  /** Chapter ids whose task this attendee did after it was revealed, with the evidence. */
  done: Readonly<Record<string, string>>;
  verdict: Verdict;
  /** When the board last saw the attendee's pods change (ms since the epoch). */
  lastActivity?: number;
  error?: string;
}

export interface BoardState {
  profile: ProfileName;
  chapters: readonly ChapterRef[];
  /** How many chapters are revealed (the current one is chapters[revealed - 1]). */
  revealed: number;
  attendees: readonly AttendeeStatus[];
  /** What the room is doing right now (a profile switch, a reset), if anything. */
  busy?: string;
}

/** One line of `workshop --json`. */
export type WorkshopEvent = { time: string } & (
  | { event: 'ready'; attendee: number; apiServer: string; kubeconfig: string; handout: string }
  | { event: 'chapter'; chapter: string; title: string; index: number }
  | { event: 'profile'; profile: ProfileName }
  | { event: 'task-done'; attendee: number; chapter: string; evidence: string }
  | { event: 'verdict'; attendee: number; verdict: Verdict['kind']; evidence?: string }
  | { event: 'activity'; attendee: number }
  | { event: 'error'; attendee?: number; message: string; command?: string }
  | { event: 'reset'; attendee: number }
  | { event: 'stopping' }
  | { event: 'stopped' }
);

type EventBody = WorkshopEvent extends infer E ? (E extends { time: string } ? Omit<E, 'time'> : never) : never;

/** A poll reads every lab in this process (≈7 ms of CPU for 30 labs, where reading them over HTTPS took ≈450 ms),
 * so every room is polled each second. */
const POLL_MS = 1000;

export interface MonitorOptions {
  /** Default: POLL_MS. */
  pollMs?: number;
  onEvent?: (event: WorkshopEvent) => void;
  onChange?: (state: BoardState) => void;
  /** Default: the seat's own in-process reader. */
  read?: (seat: Seat) => Promise<LabSnapshot>;
}

export function chapterRefs(chapters: readonly Chapter[]): ChapterRef[] {
  return chapters.map((c) => ({ id: c.id, title: c.title, ...(c.task ? { taskProfile: c.task.profile } : {}) }));
}

interface Seen {
  /** Pod uids the monitor last saw: the "before" of the next revealed chapter. */
  uids: ReadonlySet<string>;
  /** Pods and their status, to notice activity. */
  signature: string;
  windows: Map<string, TaskWindow>;
  /** A task in parts (chapter 7: one part per profile, switched for the room): the parts done so far, by chapter. */
  earned: Map<string, readonly string[]>;
}

export class RoomMonitor {
  private state: BoardState;
  private readonly seen = new Map<number, Seen>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly tasks: Map<string, NonNullable<Chapter['task']>>;
  private readonly read: (seat: Seat) => Promise<LabSnapshot>;

  constructor(
    private readonly room: Room,
    chapters: readonly Chapter[],
    private readonly options: MonitorOptions = {},
  ) {
    this.tasks = new Map(chapters.flatMap((c) => (c.task ? [[c.id, c.task] as const] : [])));
    this.read = options.read ?? ((seat) => seat.snapshot());
    this.state = {
      profile: room.profile,
      chapters: chapterRefs(chapters),
      revealed: 0,
      attendees: room.seats.map((s) => ({ attendee: s.attendee, apiServer: s.lab.info.apiServer, done: {}, verdict: { kind: 'not-started' } })),
    };
    for (const s of room.seats) this.seen.set(s.attendee, { uids: new Set(), signature: '', windows: new Map(), earned: new Map() });
  }

  private get pollMs(): number {
    return this.options.pollMs ?? POLL_MS;
  }

  get current(): BoardState {
    return this.state;
  }

  /** Reports each lab, reveals the first chapter and polls until stop(). */
  async start(): Promise<void> {
    for (const s of this.room.seats) this.emitReady(s.attendee);
    this.emit({ event: 'profile', profile: this.room.profile });
    await this.pollOnce();
    this.revealNext();
    const loop = async (): Promise<void> => {
      if (this.stopped) return;
      await this.pollOnce();
      if (!this.stopped) this.timer = setTimeout(() => void loop(), this.pollMs);
    };
    this.timer = setTimeout(() => void loop(), this.pollMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Why an instructor's action cannot run now, or undefined: the board ignores such a key, `--json` answers with it. */
  refusal(action: 'reset' | 'reveal' | { profile: ProfileName }): string | undefined {
    const { busy, profile, revealed, chapters } = this.state;
    if (action === 'reveal') return revealed >= chapters.length ? `every chapter is revealed (${chapters.length})` : undefined;
    if (busy) return `the room is busy ${busy}`;
    if (typeof action === 'object' && action.profile === profile) return `the room already runs ${profile}`;
    return undefined;
  }

  revealNext(): void {
    if (this.refusal('reveal')) return;
    const { chapters, revealed } = this.state;
    const chapter = chapters[revealed]!;
    const openedAt = Date.now();
    for (const seen of this.seen.values()) seen.windows.set(chapter.id, { openedAt, before: seen.uids });
    this.update({ revealed: revealed + 1 });
    this.emit({ event: 'chapter', chapter: chapter.id, title: chapter.title, index: revealed + 1 });
  }

  async reset(attendee: number): Promise<void> {
    if (this.refusal('reset')) return;
    this.update({ busy: `resetting attendee ${attendee}` });
    try {
      await this.room.reset(attendee);
      this.emit({ event: 'reset', attendee });
    } catch (error) {
      this.emit({ event: 'error', attendee, message: messageOf(error) });
    } finally {
      this.update({ busy: undefined });
    }
    await this.pollOnce();
  }

  async switchProfile(profile: ProfileName): Promise<void> {
    if (this.refusal({ profile })) return;
    this.update({ busy: `switching the room to ${profile}` });
    try {
      await this.room.switchProfile(profile);
      this.update({
        profile,
        attendees: this.state.attendees.map((a) => ({ ...a, apiServer: this.room.seats[a.attendee - 1]?.lab.info.apiServer ?? a.apiServer, verdict: { kind: 'not-started' } })),
      });
      this.emit({ event: 'profile', profile });
      for (const s of this.room.seats) this.emitReady(s.attendee);
    } catch (error) {
      this.emit({ event: 'error', message: messageOf(error) });
    } finally {
      this.update({ busy: undefined });
    }
  }

  /** Reads every lab once and updates the board. */
  async pollOnce(): Promise<void> {
    const seats = [...this.room.seats];
    const snapshots = await Promise.all(seats.map((s) => this.read(s).catch((error: unknown): LabSnapshot => ({ kind: 'unreachable', dir: s.dir, message: messageOf(error) }))));
    if (this.stopped) return;
    const attendees = this.state.attendees.map((status) => {
      const index = seats.findIndex((s) => s.attendee === status.attendee);
      const snapshot = snapshots[index];
      return snapshot ? this.judge(status, snapshot) : status;
    });
    this.update({ attendees });
  }

  private judge(status: AttendeeStatus, snapshot: LabSnapshot): AttendeeStatus {
    const seen = this.seen.get(status.attendee)!;
    if (snapshot.kind !== 'lab') {
      const error = snapshot.kind === 'unreachable' ? snapshot.message : 'no lab.json';
      // a lab being replaced (profile switch) has no lab.json for a moment: not an error worth showing
      if (this.state.busy) return status;
      if (error !== status.error) this.emit({ event: 'error', attendee: status.attendee, message: error });
      return { ...status, error };
    }
    const next: AttendeeStatus = { ...status, done: { ...status.done } };
    delete next.error;
    const signature = snapshot.pods
      .map((p) => `${p.uid}:${p.status}`)
      .sort()
      .join(',');
    if (signature !== seen.signature) {
      if (seen.signature !== '' || signature !== '') {
        next.lastActivity = Date.now();
        this.emit({ event: 'activity', attendee: status.attendee });
      }
      seen.signature = signature;
    }
    for (const chapter of this.state.chapters.slice(0, this.state.revealed)) {
      const task = this.tasks.get(chapter.id);
      const window = seen.windows.get(chapter.id);
      if (!task || !window || next.done[chapter.id] !== undefined) continue;
      const result = evaluateTask(task, snapshot, window, 'image-heist', seen.earned.get(chapter.id));
      if (result.earned) seen.earned.set(chapter.id, result.earned);
      if (result.kind === 'done') {
        next.done = { ...next.done, [chapter.id]: result.evidence };
        this.emit({ event: 'task-done', attendee: status.attendee, chapter: chapter.id, evidence: result.evidence });
      }
    }
    const verdict = storyVerdict(snapshot);
    if (verdict.kind !== status.verdict.kind)
      this.emit({ event: 'verdict', attendee: status.attendee, verdict: verdict.kind, ...('evidence' in verdict ? { evidence: verdict.evidence } : {}) });
    next.verdict = verdict;
    seen.uids = new Set(snapshot.pods.map((p) => p.uid));
    return next;
  }

  private emitReady(attendee: number): void {
    const seat = this.room.seats[attendee - 1];
    if (!seat) return;
    this.emit({ event: 'ready', attendee, apiServer: seat.lab.info.apiServer, kubeconfig: seat.lab.info.kubeconfig, handout: `${seat.dir}/handout.md` });
  }

  private update(patch: Partial<BoardState>): void {
    const next = { ...this.state, ...patch };
    if ('busy' in patch && patch.busy === undefined) delete next.busy;
    this.state = next;
    this.options.onChange?.(this.state);
  }

  private emit(body: EventBody): void {
    this.options.onEvent?.({ time: new Date().toISOString(), ...body } as WorkshopEvent);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.split('\n')[0]! : String(error);
}
