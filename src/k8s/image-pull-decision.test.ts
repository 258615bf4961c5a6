// The lab's story through the real pull manager: Admin1 pulls a private image with a secret, Admin2 asks for it without.
import { describe, expect, it } from 'vitest';
import { Backoff } from './backoff.js';
import { ImageManagerState, decideImagePull, recordPullOutcome, type DecideImagePullInput } from './image-pull-decision.js';
import { PullManager, credentialHash, newImagePullCredentialVerificationPolicy, type ImagePullCredentialsVerificationPolicy, type PodPullCredentials } from './pull-manager.js';
import type { PullPolicy } from './pod.js';

const image = '127.0.0.1:5000/secure/super-secret-image:v1';
const imageRef = 'sha256:5f3ca9e4d82e32203c2fafb410dfae9c8047bc6ebe57d642fe264d479e152955';
const secret1 = { uid: 'uid-1', namespace: 'tenant-a', name: 'imagepullsecret1', credentialHash: credentialHash({ username: 'admin1', password: 'pw' }) };
const admin1: PodPullCredentials = { secrets: [secret1] };
const admin2: PodPullCredentials = { secrets: [] };

function node(policy: ImagePullCredentialsVerificationPolicy, gate: boolean, allowlist: string[] = []) {
  let now = 1_000_000;
  const clock = () => now;
  const state = new ImageManagerState(new Backoff(clock));
  const manager = new PullManager(newImagePullCredentialVerificationPolicy(policy, allowlist), clock);
  let present = false;
  const ask = (podUid: string, pullPolicy: PullPolicy, creds: PodPullCredentials, over: Partial<DecideImagePullInput> = {}) =>
    decideImagePull({
      podUid,
      image,
      policy: pullPolicy,
      local: () => (present ? { status: 'present', imageRef } : { status: 'absent' }),
      gate,
      state,
      pullManager: manager,
      podCredentials: creds,
      ...over,
    });
  const admin1Pulls = () => {
    const d = ask('pod1', 'IfNotPresent', admin1);
    if (d.kind !== 'pull') throw new Error(`expected a pull, got ${d.kind}`);
    const r = recordPullOutcome(d, { ok: true, imageRef, pullMs: 80, totalMs: 95, imageSizeBytes: 1024, credentialUsed: { kind: 'secret', secret: secret1 } }, state, manager);
    present = true;
    return r;
  };
  return { ask, admin1Pulls, manager, state, advance: (ms: number) => (now += ms), preload: () => (present = true) };
}

describe('the cached-image bypass', () => {
  it('gate off (pre-1.35): Admin2 runs the cached image', () => {
    const n = node('NeverVerify', false);
    expect(n.admin1Pulls().events[0]?.message).toBe(`Successfully pulled image "${image}" in 80ms (95ms including waiting). Image size: 1024 bytes.`);
    const d = n.ask('pod2', 'IfNotPresent', admin2);
    expect(d).toMatchObject({ kind: 'use-present', imageRef });
    expect(d.events).toEqual([{ type: 'Normal', reason: 'Pulled', message: `Container image "${image}" already present on machine` }]);
    expect(n.manager.getImagePulledRecord(imageRef)).toBeUndefined(); // no records without the gate
  });

  it('gate on, NeverVerifyPreloadedImages: Admin2 must pull with no credentials → ErrImagePull, then back-off', () => {
    const n = node('NeverVerifyPreloadedImages', true);
    n.admin1Pulls();
    expect(n.manager.getImagePulledRecord(imageRef)?.credentialMapping).toEqual({
      '127.0.0.1:5000/secure/super-secret-image': { kubernetesSecrets: [secret1] },
    });
    // Admin1 again: same secret → may use it
    const again = n.ask('pod1b', 'IfNotPresent', admin1);
    expect(again.kind).toBe('use-present');
    expect(again.events[0]?.message).toBe(`Container image "${image}" already present on machine and can be accessed by the pod`);

    const d = n.ask('pod2', 'IfNotPresent', admin2);
    expect(d.kind).toBe('pull');
    if (d.kind !== 'pull') return;
    expect(d.imageToPull).toBe(image);
    const r = recordPullOutcome(d, { ok: false, error: 'unauthorized: authentication required' }, n.state, n.manager);
    expect(r).toEqual({
      kind: 'fail',
      reason: 'ErrImagePull',
      message: 'unauthorized: authentication required',
      events: [{ type: 'Warning', reason: 'Failed', message: `Failed to pull image "${image}": unauthorized: authentication required` }],
    });
    n.advance(5_000);
    const backoff = n.ask('pod2', 'IfNotPresent', admin2);
    expect(backoff).toMatchObject({
      kind: 'fail',
      reason: 'ImagePullBackOff',
      message: `Back-off pulling image "${image}": ErrImagePull: unauthorized: authentication required`,
      events: [{ type: 'Normal', reason: 'BackOff', message: `Back-off pulling image "${image}"` }],
    });
    expect(n.manager.pullIntents()).toEqual([]); // every intent closed
    n.advance(5_000); // the 10s window has passed
    expect(n.ask('pod2', 'IfNotPresent', admin2).kind).toBe('pull');
  });

  it('gate on: Admin2 with Never gets the same answer as for an absent image', () => {
    const n = node('NeverVerifyPreloadedImages', true);
    n.admin1Pulls();
    const d = n.ask('pod2', 'Never', admin2);
    expect(d).toMatchObject({
      kind: 'fail',
      reason: 'ErrImageNeverPull',
      message: `Container image "${image}" is not present with pull policy of Never`,
      metric: { pullPolicy: 'never', presentLocally: 'true', pullRequired: 'true' },
    });
  });

  it('gate on: a preloaded image (no record) bypasses NeverVerifyPreloadedImages, not AlwaysVerify', () => {
    const preloaded = node('NeverVerifyPreloadedImages', true);
    preloaded.preload();
    expect(preloaded.ask('pod2', 'IfNotPresent', admin2).kind).toBe('use-present');
    const strict = node('AlwaysVerify', true);
    strict.preload();
    expect(strict.ask('pod2', 'IfNotPresent', admin2).kind).toBe('pull');
    const allow = node('NeverVerifyAllowlistedImages', true, ['127.0.0.1:5000/secure/*']);
    allow.preload();
    expect(allow.ask('pod2', 'IfNotPresent', admin2).kind).toBe('use-present');
  });

  it('an anonymous pull makes the image node-wide accessible', () => {
    const n = node('AlwaysVerify', true);
    const d = n.ask('pod3', 'Always', admin2);
    if (d.kind !== 'pull') throw new Error('expected pull');
    recordPullOutcome(d, { ok: true, imageRef, pullMs: 1, totalMs: 1, imageSizeBytes: 1, credentialUsed: { kind: 'none' } }, n.state, n.manager);
    n.preload();
    expect(n.ask('pod4', 'IfNotPresent', admin2).kind).toBe('use-present');
  });

  it('Always never inspects the node; an invalid name and an inspect error fail early', () => {
    const n = node('NeverVerify', false);
    let inspected = false;
    const d = n.ask('p', 'Always', admin2, { local: () => ((inspected = true), { status: 'absent' }) });
    expect(d.kind).toBe('pull');
    expect(inspected).toBe(false);
    expect(n.ask('p', 'Always', admin2, { image: 'Bad:Image' })).toMatchObject({
      kind: 'fail',
      reason: 'InvalidImageName',
      message: 'Failed to apply default image tag "Bad:Image": invalid reference format: repository name (library/Bad) must be lowercase',
    });
    expect(n.ask('p', 'IfNotPresent', admin2, { local: { status: 'inspect-error', error: 'rpc error' } })).toMatchObject({
      kind: 'fail',
      reason: 'ImageInspectError',
      message: 'Failed to inspect image "": rpc error',
    });
  });

  it('a registry outage keeps its reason', () => {
    const n = node('NeverVerify', false);
    const d = n.ask('p', 'IfNotPresent', admin2);
    if (d.kind !== 'pull') throw new Error('expected pull');
    const r = recordPullOutcome(d, { ok: false, error: 'RegistryUnavailable: connection refused' }, n.state, n.manager);
    expect(r).toMatchObject({
      reason: 'RegistryUnavailable',
      message: `image pull failed for ${image} because the registry is unavailable: connection refused`,
    });
  });
});
