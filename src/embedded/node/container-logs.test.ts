import { describe, expect, it } from 'vitest';
import { createManualClock } from '../clock.js';
import { ContainerLog, ContainerLogStore, formatLogTimestamp, LogError, readContainerLogs, validateContainerLogStatus, type PodStatusForLogs } from './container-logs.js';

async function collect(it: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of it) out += chunk;
  return out;
}

const START = Date.parse('2026-03-01T12:00:00Z');

describe('formatLogTimestamp', () => {
  it('writes RFC3339 with nine fraction digits in UTC, as the kubelet does', () => {
    expect(formatLogTimestamp(Date.parse('2026-03-01T12:00:00.123Z'))).toBe('2026-03-01T12:00:00.123000000Z');
    expect(formatLogTimestamp(START)).toBe('2026-03-01T12:00:00.000000000Z');
  });
});

describe('ContainerLog', () => {
  it('splits writes into lines, keeps fragments until newline or close', async () => {
    const clock = createManualClock({ start: START });
    const log = new ContainerLog({ clock });
    log.write('stdout', 'a\nb');
    log.write('stderr', 'err\n');
    log.write('stdout', 'c\nno-newline');
    expect(log.lines().map((l) => l.text)).toEqual(['a', 'err', 'bc']);
    log.close();
    expect(await collect(log.read())).toBe('a\nerr\nbc\nno-newline');
  });

  it('tail, since and timestamps', async () => {
    const clock = createManualClock({ start: START });
    const log = new ContainerLog({ clock });
    for (let i = 1; i <= 5; i++) {
      log.write('stdout', `line ${i}\n`);
      await clock.advance(10_000);
    }
    expect(await collect(log.read({ tailLines: 2 }))).toBe('line 4\nline 5\n');
    expect(await collect(log.read({ tailLines: 0 }))).toBe('');
    expect(await collect(log.read({ tailLines: -1 }))).toBe('line 1\nline 2\nline 3\nline 4\nline 5\n');
    expect(await collect(log.read({ sinceSeconds: 25 }))).toBe('line 4\nline 5\n');
    expect(await collect(log.read({ tailLines: 1, timestamps: true }))).toBe('2026-03-01T12:00:40.000000000Z line 5\n');
    expect(await collect(log.read({ limitBytes: 9 }))).toBe('line 1\nli');
  });

  it('follow streams new lines and ends when the container exits', async () => {
    const clock = createManualClock({ start: START });
    const log = new ContainerLog({ clock });
    log.write('stdout', 'first\n');
    const chunks: string[] = [];
    const reader = (async () => {
      for await (const c of log.read({ follow: true })) chunks.push(c);
    })();
    await new Promise((r) => setImmediate(r));
    expect(chunks).toEqual(['first\n']);
    log.write('stdout', 'second\n');
    await new Promise((r) => setImmediate(r));
    expect(chunks).toEqual(['first\n', 'second\n']);
    log.close();
    await reader;
    expect(chunks).toEqual(['first\n', 'second\n']);
  });

  it('follow stops when the reader aborts', async () => {
    const log = new ContainerLog({ clock: createManualClock() });
    const ac = new AbortController();
    const reader = collect(log.read({ follow: true, signal: ac.signal }));
    ac.abort();
    await expect(reader).resolves.toBe('');
  });

  it('is bounded: the oldest lines go first', async () => {
    const log = new ContainerLog({ clock: createManualClock(), maxBytes: 20 });
    for (let i = 0; i < 10; i++) log.write('stdout', `line-${i}\n`); // 7 bytes each
    log.close();
    expect(await collect(log.read())).toBe('line-8\nline-9\n');
  });
});

describe('validateContainerLogStatus (kubelet_pods.go)', () => {
  const status = (s: PodStatusForLogs['containerStatuses']): PodStatusForLogs => ({ containerStatuses: s ?? [] });

  it('reads the running instance, and previous = lastState.terminated', () => {
    const st = status([{ name: 'c', containerID: 'containerd://two', state: { running: {} }, lastState: { terminated: { containerID: 'containerd://one' } } }]);
    expect(validateContainerLogStatus('p', st, 'c', false)).toBe('two');
    expect(validateContainerLogStatus('p', st, 'c', true)).toBe('one');
  });

  it('says upstream’s words when there is nothing to read', () => {
    const running = status([{ name: 'c', containerID: 'containerd://one', state: { running: {} } }]);
    expect(() => validateContainerLogStatus('p', running, 'c', true)).toThrow('previous terminated container "c" in pod "p" not found');
    expect(() => validateContainerLogStatus('p', running, 'x', false)).toThrow('container "x" in pod "p" is not available');
    const pulling = status([{ name: 'c', state: { waiting: { reason: 'ImagePullBackOff' } } }]);
    expect(() => validateContainerLogStatus('p', pulling, 'c', false)).toThrow('container "c" in pod "p" is waiting to start: trying and failing to pull image');
    const errPull = status([{ name: 'c', state: { waiting: { reason: 'ErrImagePull' } } }]);
    expect(() => validateContainerLogStatus('p', errPull, 'c', false)).toThrow("is waiting to start: image can't be pulled");
    const creating = status([{ name: 'c', state: { waiting: { reason: 'ContainerCreating' } } }]);
    expect(() => validateContainerLogStatus('p', creating, 'c', false)).toThrow('is waiting to start: ContainerCreating');
  });

  it('in CrashLoopBackOff both logs and logs --previous read the last terminated instance', () => {
    const st = status([{ name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { containerID: 'containerd://three' } } }]);
    expect(validateContainerLogStatus('p', st, 'c', false)).toBe('three');
    expect(validateContainerLogStatus('p', st, 'c', true)).toBe('three');
  });
});

describe('readContainerLogs', () => {
  it('reads the instance the status names, and previous errors with upstream’s message', async () => {
    const clock = createManualClock({ start: START });
    const store = new ContainerLogStore({ clock });
    const first = store.create('one');
    first.write('stdout', 'from one\n');
    first.close();
    const second = store.create('two');
    second.write('stdout', 'from two\n');
    const st: PodStatusForLogs = {
      containerStatuses: [{ name: 'c', containerID: 'containerd://two', state: { running: {} }, lastState: { terminated: { containerID: 'containerd://one' } } }],
    };
    expect(await collect(readContainerLogs(store, 'p', st, 'c', { previous: true }))).toBe('from one\n');
    second.close();
    expect(await collect(readContainerLogs(store, 'p', st, 'c', { follow: true }))).toBe('from two\n');
    const fresh: PodStatusForLogs = { containerStatuses: [{ name: 'c', containerID: 'containerd://two', state: { running: {} } }] };
    expect(() => readContainerLogs(store, 'p', fresh, 'c', { previous: true })).toThrow(LogError);
    store.remove('one');
    expect(() => readContainerLogs(store, 'p', st, 'c', { previous: true })).toThrow(/removed with its container/);
  });
});
