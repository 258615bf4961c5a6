import { describe, expect, it } from 'vitest';
import { getPhase, podConditions, shouldRestart, type ContainerStatus } from './pod-status.js';

const t = '2026-01-01T00:00:00Z';
const running = (name: string): ContainerStatus => ({ name, state: { running: { startedAt: t } }, lastState: {}, ready: true, restartCount: 0, image: 'i', imageID: 'id' });
const waiting = (name: string, reason = 'ContainerCreating', last?: number): ContainerStatus => ({
  name,
  state: { waiting: { reason } },
  lastState: last === undefined ? {} : { terminated: { exitCode: last, reason: last === 0 ? 'Completed' : 'Error', startedAt: t, finishedAt: t } },
  ready: false,
  restartCount: 0,
  image: 'i',
  imageID: '',
});
const exited = (name: string, exitCode: number): ContainerStatus => ({
  name,
  state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', startedAt: t, finishedAt: t } },
  lastState: {},
  ready: false,
  restartCount: 0,
  image: 'i',
  imageID: 'id',
});

describe('getPhase (kubelet_pods.go)', () => {
  const spec = (restartPolicy: 'Always' | 'OnFailure' | 'Never', init: string[] = []) => ({ initContainers: init, containers: ['app'], restartPolicy });
  it('waiting without a previous run is Pending; with one it counts as stopped', () => {
    expect(getPhase(spec('Always'), [], [waiting('app', 'ErrImagePull')])).toBe('Pending');
    expect(getPhase(spec('Always'), [], [waiting('app', 'CrashLoopBackOff', 1)])).toBe('Running');
    expect(getPhase(spec('Never'), [], [waiting('app', 'CrashLoopBackOff', 1)])).toBe('Failed');
  });
  it('running is Running; exited follows the restart policy', () => {
    expect(getPhase(spec('Never'), [], [running('app')])).toBe('Running');
    expect(getPhase(spec('Never'), [], [exited('app', 0)])).toBe('Succeeded');
    expect(getPhase(spec('OnFailure'), [], [exited('app', 0)])).toBe('Succeeded');
    expect(getPhase(spec('OnFailure'), [], [exited('app', 2)])).toBe('Running');
    expect(getPhase(spec('Never'), [], [exited('app', 2)])).toBe('Failed');
    expect(getPhase(spec('Always'), [], [exited('app', 0)])).toBe('Running');
  });
  it('init containers: pending until all succeeded; a failed one fails the pod only with Never', () => {
    expect(getPhase(spec('Always', ['i']), [running('i')], [waiting('app', 'PodInitializing')])).toBe('Pending');
    expect(getPhase(spec('Always', ['i']), [exited('i', 0)], [running('app')])).toBe('Running');
    expect(getPhase(spec('Never', ['i']), [exited('i', 1)], [waiting('app', 'PodInitializing')])).toBe('Failed');
    expect(getPhase(spec('Always', ['i']), [exited('i', 1)], [waiting('app', 'PodInitializing')])).toBe('Pending');
    expect(getPhase(spec('Always'), [], [])).toBe('Pending');
  });
});

describe('podConditions (status/generate.go)', () => {
  it('names the unready and uninitialized containers, and keeps lastTransitionTime while a status holds', () => {
    const first = podConditions({ phase: 'Pending', initContainers: ['i'], containers: ['app'], initStatuses: [running('i')], statuses: [waiting('app')], previous: [], now: t });
    expect(first.map((c) => [c.type, c.status, c.reason, c.message])).toEqual([
      ['PodReadyToStartContainers', 'True', undefined, undefined],
      ['Initialized', 'False', 'ContainersNotInitialized', 'containers with incomplete status: [i]'],
      ['Ready', 'False', 'ContainersNotReady', 'containers with unready status: [app]'],
      ['ContainersReady', 'False', 'ContainersNotReady', 'containers with unready status: [app]'],
    ]);
    const later = '2026-01-01T00:01:00Z';
    const scheduled = { type: 'PodScheduled', status: 'True' as const, lastProbeTime: null, lastTransitionTime: t };
    const second = podConditions({
      phase: 'Running',
      initContainers: ['i'],
      containers: ['app'],
      initStatuses: [exited('i', 0)],
      statuses: [running('app')],
      previous: [...first, scheduled],
      now: later,
    });
    expect(second.map((c) => [c.type, c.status, c.lastTransitionTime])).toEqual([
      ['PodReadyToStartContainers', 'True', t],
      ['Initialized', 'True', later],
      ['Ready', 'True', later],
      ['ContainersReady', 'True', later],
      ['PodScheduled', 'True', t],
    ]);
  });
  it('a Succeeded pod is not Ready because it completed', () => {
    const c = podConditions({ phase: 'Succeeded', initContainers: [], containers: ['app'], initStatuses: [], statuses: [exited('app', 0)], previous: [], now: t });
    expect(c.find((x) => x.type === 'Ready')?.reason).toBe('PodCompleted');
  });
});

it('shouldRestart follows the restart policy', () => {
  expect([shouldRestart('Always', 0), shouldRestart('OnFailure', 0), shouldRestart('OnFailure', 1), shouldRestart('Never', 1)]).toEqual([true, false, true, false]);
});
