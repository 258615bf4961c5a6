import { describe, expect, it } from 'vitest';
import type { Chapter } from '../tutorial/chapters.js';
import { TASKS, type LabSnapshot, type PodFacts } from '../tutorial/tasks.js';
import type { EmbeddedLab } from '../embedded/lab.js';
import { RoomMonitor, type WorkshopEvent } from './monitor.js';
import type { Room } from './room.js';
import { storyVerdict } from './verdict.js';

const SECRET = '127.0.0.1:5000/secure/super-secret-image:1';
const FLAG = 'FLAG{0123}';

const pod = (over: Partial<PodFacts>): PodFacts => ({
  namespace: 'tenant-b',
  name: 'pod2',
  uid: 'u2',
  created: Date.now(),
  images: [SECRET],
  pullPolicies: ['IfNotPresent'],
  status: 'Running',
  log: FLAG,
  hostPaths: [],
  ...over,
});
const lab = (pods: PodFacts[]): Extract<LabSnapshot, { kind: 'lab' }> => ({
  kind: 'lab',
  profile: 'none',
  namespaces: { admin1: 'tenant-a', admin2: 'tenant-b' },
  secretImage: SECRET,
  flag: FLAG,
  pods,
});

/** A room of fake seats: only what the monitor reads (dir, apiServer); the pods come from `pods`. */
function fakeRoom(attendees: number): Room {
  const seats = Array.from({ length: attendees }, (_, i) => ({
    attendee: i + 1,
    dir: `/room/attendee-${i + 1}`,
    lab: { info: { apiServer: `https://127.0.0.1:${1000 + i}`, kubeconfig: 'k' } } as unknown as EmbeddedLab,
    snapshot: () => Promise.reject(new Error('the tests read through `read`')),
  }));
  return { dir: '/room', profile: 'none', seats, reset: async () => {}, switchProfile: async () => {}, stop: async () => {} };
}

const chapters: Chapter[] = [
  { id: '01-intro', title: '1. Intro', body: '' },
  { id: '03-the-attack', title: '3. The attack', body: '', task: TASKS['03-the-attack']! },
];

describe('the room monitor', () => {
  it('ticks a task only for pods made after the chapter was revealed, and keeps the tick', async () => {
    const pods = new Map<string, PodFacts[]>([
      ['/room/attendee-1', []],
      ['/room/attendee-2', [pod({ uid: 'early', created: Date.now() - 5_000 })]],
    ]);
    const events: WorkshopEvent[] = [];
    const monitor = new RoomMonitor(fakeRoom(2), chapters, { read: async (seat) => lab(pods.get(seat.dir) ?? []), onEvent: (e) => events.push(e), pollMs: 60_000 });
    await monitor.start();
    monitor.revealNext(); // the attack chapter
    pods.set('/room/attendee-1', [pod({ uid: 'now' })]);
    await monitor.pollOnce();
    const [one, two] = monitor.current.attendees;
    expect(one!.done['03-the-attack']).toBe(`tenant-b/pod2 printed ${FLAG}`);
    expect(two!.done).toEqual({}); // attendee 2's pod predates the reveal
    expect(two!.verdict.kind).toBe('bypass'); // …though their lab shows the bypass now
    pods.set('/room/attendee-1', []);
    await monitor.pollOnce();
    expect(monitor.current.attendees[0]!.done['03-the-attack']).toBeDefined();
    expect(monitor.current.attendees[0]!.verdict.kind).toBe('not-started');
    expect(events.filter((e) => e.event === 'task-done').map((e) => 'attendee' in e && e.attendee)).toEqual([1]);
    monitor.stop();
  });

  it('reports a lab that does not answer, once, as an error of that attendee', async () => {
    const events: WorkshopEvent[] = [];
    const monitor = new RoomMonitor(fakeRoom(1), chapters, {
      read: async (seat) => ({ kind: 'unreachable', dir: seat.dir, message: 'connect ECONNREFUSED' }),
      onEvent: (e) => events.push(e),
      pollMs: 60_000,
    });
    await monitor.start();
    await monitor.pollOnce();
    monitor.stop();
    expect(monitor.current.attendees[0]!.error).toBe('connect ECONNREFUSED');
    expect(events.filter((e) => e.event === 'error')).toHaveLength(1);
  });
});

describe('the story verdict', () => {
  it('is the evidence in the lab now', () => {
    expect(storyVerdict(lab([])).kind).toBe('not-started');
    expect(storyVerdict(lab([pod({ namespace: 'tenant-a', name: 'pod1' })])).kind).toBe('in-progress');
    expect(storyVerdict(lab([pod({ status: 'ErrImagePull', log: '' })]))).toEqual({ kind: 'blocked', evidence: 'tenant-b/pod2: ErrImagePull' });
    expect(storyVerdict(lab([pod({ status: 'ErrImageNeverPull', log: '' })])).kind).toBe('blocked');
    // another image printing something flag-like proves nothing
    expect(storyVerdict(lab([pod({ images: ['127.0.0.1:5000/public/hello:1'] })])).kind).toBe('in-progress');
    expect(storyVerdict(lab([pod({})])).kind).toBe('bypass');
  });
});
