import { describe, expect, it } from 'vitest';
import { loadBuiltInCatalogue } from '../scenario/catalogue.js';
import type { Scenario } from '../scenario/schema.js';
import { bannerFor, condenseReason, initialPlayState, reducePlay, type PlayAction, type PlayState } from './lab-view-state.js';
import { admin1Runs, admin2Runs, PULL_DENIED, TEST_LAB } from '../../test/support/engine-events.js';

const classic = (await loadBuiltInCatalogue()).find((s) => s.metadata.name === 'classic') as Scenario;
const play = (actions: PlayAction[], state: PlayState = initialPlayState(['none', 'always-pull-images'])) => actions.reduce(reducePlay, state);
const ready: PlayAction[] = [
  { type: 'lab-ready', scenario: '', profile: 'none', lab: TEST_LAB },
  { type: 'lab-ready', scenario: '', profile: 'always-pull-images', lab: { ...TEST_LAB, profile: 'always-pull-images' } },
  { type: 'scenario-chosen', scenario: classic },
];

describe('reducePlay', () => {
  it('keeps one line per lab start-up action, a done replacing its started', () => {
    const state = play([
      { type: 'lab-starting', scenario: '', profile: 'none' },
      { type: 'lab-progress', scenario: '', profile: 'none', progress: { action: 'start the registry', status: 'started' } },
      { type: 'lab-progress', scenario: '', profile: 'none', progress: { action: 'start the registry', status: 'done' } },
      { type: 'lab-progress', scenario: '', profile: 'none', progress: { action: 'push SuperSecretImage1', status: 'started' } },
    ]);
    expect(state.panels[0]!.phase).toEqual({
      kind: 'starting',
      progress: [
        { action: 'start the registry', status: 'done' },
        { action: 'push SuperSecretImage1', status: 'started' },
      ],
    });
    expect(state.panels[1]!.phase.kind).toBe('starting');
  });

  it('routes each event to its own cluster and follows a pod’s status', () => {
    const state = play([...ready, ...admin1Runs('none'), ...admin1Runs('always-pull-images'), ...admin2Runs('always-pull-images')]);
    const [none, always] = state.panels;
    expect(none!.pods).toEqual([{ namespace: 'tenant-a', name: 'pod1', node: 'worker', status: 'Running' }]);
    expect(always!.pods.map((p) => `${p.name} ${p.status}`)).toEqual(['pod1 Running', 'pod2 ErrImagePull']);
    expect(none!.steps).toHaveLength(1);
    expect(always!.verdict?.verdict).toBe('blocked');
    expect(none!.verdict).toBeUndefined();
  });

  it('names the write a refusal refused, from the request before it', () => {
    const state = play([
      ...ready,
      { type: 'api-request', scenario: 'classic', profile: 'none', stepId: 's', actor: 'admin2', verb: 'create', resource: 'pods', namespace: 'tenant-b', name: 'pod2' },
      {
        type: 'api-response',
        scenario: 'classic',
        profile: 'none',
        stepId: 's',
        actor: 'admin2',
        code: 403,
        reason: 'Forbidden',
        message: 'pods "pod2" is forbidden: policy says no',
      },
    ]);
    expect(state.panels[0]!.refusals).toEqual([
      { actor: 'admin2', verb: 'create', resource: 'pods', name: 'pod2', code: 403, reason: 'Forbidden', message: 'pods "pod2" is forbidden: policy says no' },
    ]);
  });

  it('clears a cluster’s run on reset and keeps its lab', () => {
    const played = play([...ready, ...admin1Runs('none'), ...admin2Runs('none')]);
    const cleared = reducePlay(played, { type: 'panel-cleared', profile: 'none' });
    expect(cleared.panels[0]).toMatchObject({ pods: [], events: [], steps: [], verdict: undefined, phase: { kind: 'ready' } });
  });

  it('drops a pod that is gone', () => {
    const state = play([
      ...ready,
      ...admin1Runs('none'),
      { type: 'pod-status', scenario: 'classic', profile: 'none', stepId: 'x', namespace: 'tenant-a', pod: 'pod1', status: 'NotFound' },
    ]);
    expect(state.panels[0]!.pods).toEqual([]);
  });
});

describe('bannerFor', () => {
  const both = play([...ready, ...admin1Runs('none'), ...admin1Runs('always-pull-images'), ...admin2Runs('none'), ...admin2Runs('always-pull-images')]);

  it('says BYPASSED with the flag line Admin2 read', () => {
    expect(bannerFor(both.panels[0]!, classic)).toEqual({ kind: 'bypassed', evidence: 'admin2 read the flag: FLAG{test-flag}' });
  });

  it('says BLOCKED with the kubelet’s pull failure (not the later "Error: ErrImagePull") and the effective pull policy', () => {
    expect(bannerFor(both.panels[1]!, classic)).toEqual({
      kind: 'blocked',
      status: 'ErrImagePull',
      pullPolicy: 'Always',
      reason: 'pull access denied: authorization failed: no basic auth credentials',
    });
  });

  it('gives the admission rejection when the API server refused the attacker’s pod', () => {
    const state = play([
      ...ready,
      { type: 'api-request', scenario: 'classic', profile: 'none', stepId: 's', actor: 'admin2', verb: 'create', resource: 'pods', namespace: 'tenant-b', name: 'pod2' },
      {
        type: 'api-response',
        scenario: 'classic',
        profile: 'none',
        stepId: 's',
        actor: 'admin2',
        code: 422,
        reason: 'Invalid',
        message: 'admission webhook denied: imagePullPolicy must be Always',
      },
      {
        type: 'verdict',
        scenario: 'classic',
        profile: 'none',
        result: {
          scenario: 'classic',
          profile: 'none',
          verdict: 'blocked',
          expectedVerdict: 'bypassed',
          passed: false,
          steps: [],
          evidence: 'pod2: pods "pod2" not found',
          durationMs: 1,
        },
      },
    ]);
    expect(bannerFor(state.panels[0]!, classic)).toMatchObject({ kind: 'blocked', reason: '422 Invalid: admission webhook denied: imagePullPolicy must be Always' });
  });

  it('waits before the verdict, and shows a lab that failed to start as an error', () => {
    expect(bannerFor(play(ready).panels[0]!, classic)).toEqual({ kind: 'waiting' });
    const failed = play([{ type: 'lab-failed', profile: 'none', message: 'port in use' }]);
    expect(bannerFor(failed.panels[0]!, classic)).toEqual({ kind: 'error', message: 'port in use' });
  });
});

describe('condenseReason', () => {
  it('drops the registry host and containerd’s nested prefixes', () => {
    expect(condenseReason(PULL_DENIED)).toBe(
      'Failed to pull image super-secret-image:1: pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials',
    );
  });
});
