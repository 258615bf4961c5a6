// Engine events for the classic story on one profile, as the engine emits them, for tests of the app's
// state and components without a lab. The messages are the embedded kubelet's own wording.
import type { ProfileName } from '../../src/lab/profiles.js';
import type { EngineEvent, PublicLabInfo } from '../../src/scenario/events.js';

export const TEST_LAB: PublicLabInfo = {
  profile: 'none',
  apiServer: 'https://127.0.0.1:6443',
  kubeconfig: '/tmp/kubeconfig',
  registry: { host: '127.0.0.1:5000', username: 'admin1' },
  tenants: { admin1: { namespace: 'tenant-a', pullSecret: 'image-pull-secret-1' }, admin2: { namespace: 'tenant-b' } },
  images: { secret: '127.0.0.1:5000/secure/super-secret-image:1', public: '127.0.0.1:5000/public/hello:1' },
  flag: 'FLAG{test-flag}',
  nodes: ['worker', 'worker2'],
};

const IMAGE = TEST_LAB.images.secret;
export const PULL_DENIED = `Failed to pull image "${IMAGE}": failed to pull and unpack image "${IMAGE}": failed to resolve reference "${IMAGE}": pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials`;

/** Step 1 (Admin1 runs the image) on any profile. */
export function admin1Runs(profile: ProfileName): EngineEvent[] {
  const w = { scenario: 'classic', profile };
  const s = { ...w, stepId: 'admin1-runs-the-image' };
  return [
    { type: 'step-started', ...w, stepId: s.stepId, index: 0, actor: 'admin1' },
    { type: 'api-request', ...s, actor: 'admin1', verb: 'create', resource: 'pods', namespace: 'tenant-a', name: 'pod1' },
    { type: 'api-response', ...s, actor: 'admin1', code: 201 },
    { type: 'pod-status', ...s, namespace: 'tenant-a', pod: 'pod1', node: 'worker', status: 'ContainerCreating' },
    { type: 'kubelet-event', ...s, namespace: 'tenant-a', pod: 'pod1', event: { type: 'Normal', reason: 'Pulling', message: `Pulling image "${IMAGE}"` } },
    { type: 'pod-status', ...s, namespace: 'tenant-a', pod: 'pod1', node: 'worker', status: 'Running' },
    {
      type: 'step-finished',
      ...w,
      result: {
        id: s.stepId,
        passed: true,
        checks: [],
        observed: { admission: 'allowed', pullPolicy: profile === 'always-pull-images' ? 'Always' : 'IfNotPresent', pod: 'Running', flag: 'seen' },
      },
    },
  ];
}

/** Step 2 (Admin2 runs the cached image): bypassed without a defence, blocked by the registry otherwise. */
export function admin2Runs(profile: ProfileName): EngineEvent[] {
  const w = { scenario: 'classic', profile };
  const s = { ...w, stepId: 'admin2-runs-the-cached-image' };
  const bypass = profile === 'none';
  const pullPolicy = profile === 'always-pull-images' ? 'Always' : 'IfNotPresent';
  return [
    { type: 'step-started', ...w, stepId: s.stepId, index: 1, actor: 'admin2' },
    { type: 'api-request', ...s, actor: 'admin2', verb: 'create', resource: 'pods', namespace: 'tenant-b', name: 'pod2' },
    { type: 'api-response', ...s, actor: 'admin2', code: 201 },
    { type: 'pod-status', ...s, namespace: 'tenant-b', pod: 'pod2', node: 'worker', status: bypass ? 'Running' : 'ErrImagePull' },
    bypass
      ? {
          type: 'kubelet-event',
          ...s,
          namespace: 'tenant-b',
          pod: 'pod2',
          event: { type: 'Normal', reason: 'Pulled', message: `Container image "${IMAGE}" already present on machine` },
        }
      : { type: 'kubelet-event', ...s, namespace: 'tenant-b', pod: 'pod2', event: { type: 'Warning', reason: 'Failed', message: PULL_DENIED } },
    ...(bypass
      ? []
      : [{ type: 'kubelet-event', ...s, namespace: 'tenant-b', pod: 'pod2', event: { type: 'Warning', reason: 'Failed', message: 'Error: ErrImagePull' } } as EngineEvent]),
    {
      type: 'step-finished',
      ...w,
      result: {
        id: s.stepId,
        passed: true,
        checks: [],
        observed: { admission: 'allowed', pullPolicy, pod: bypass ? 'Running' : 'ErrImagePull', flag: bypass ? 'seen' : 'not-seen' },
      },
    },
    {
      type: 'verdict',
      ...w,
      result: {
        scenario: 'classic',
        profile,
        verdict: bypass ? 'bypassed' : 'blocked',
        expectedVerdict: bypass ? 'bypassed' : 'blocked',
        passed: true,
        steps: [],
        evidence: bypass ? `admin2 read the flag: ${TEST_LAB.flag}` : 'pod2: ErrImagePull; the flag never reached admin2',
        durationMs: 300,
      },
    },
  ];
}
