// The kubelet image manager's EnsureImageExists (pkg/kubelet/images/image_manager.go) as two pure steps:
// decideImagePull (before the runtime pulls) and recordPullOutcome (after it). The caller does the pull itself.
import { Backoff } from './backoff.js';
import { applyDefaultImageTag } from './image-reference.js';
import {
  alreadyPresentAccessibleEvent,
  alreadyPresentEvent,
  backOffEvent,
  backOffMessage,
  evalCRIPullErr,
  failedToPullEvent,
  inspectFailedEvent,
  invalidImageNameEvent,
  neverPullEvent,
  pulledImageEvent,
  pullingImageEvent,
  type ImagePullErrorReason,
  type KubeletEvent,
} from './kubelet-events.js';
import type { ImagePullCredentials, ImagePullManager, ImagePullSecret, ImagePullServiceAccount, PodPullCredentialsSource } from './pull-manager.js';
import type { PullPolicy } from './pod.js';

/** What the runtime says about the image on the node (CRI ImageStatus → GetImageRef). */
export type LocalImage = { status: 'present'; imageRef: string } | { status: 'absent' } | { status: 'inspect-error'; error: string };

/**
 * Per-node image-manager state the kubelet owns: the pull back-off and the last pull error per back-off key
 * (imageManager.backOff and prevPullErrMsg).
 */
export class ImageManagerState {
  readonly prevPullErrMsg = new Map<string, string>();
  constructor(readonly backoff: Backoff) {}
}

/** ensure_image_requests_total labels (pkg/kubelet/images/metrics.go recordEnsureImageRequest). */
export interface EnsureImageRequestMetric {
  pullPolicy: 'always' | 'ifnotpresent' | 'never';
  presentLocally: 'true' | 'false' | 'unknown';
  pullRequired: 'true' | 'false' | 'unknown';
}

export interface DecideImagePullInput {
  podUid: string;
  /** The container's image string as written in the pod. */
  image: string;
  policy: PullPolicy;
  /** Looked up only for IfNotPresent/Never (Always never inspects), so a function avoids needless work. */
  local: LocalImage | (() => LocalImage);
  /** Feature gate KubeletEnsureSecretPulledImages (on by default since 1.35). */
  gate: boolean;
  state: ImageManagerState;
  /** Consulted and told about the pull only when the gate is on. */
  pullManager: ImagePullManager;
  /**
   * The pod's credentials that have a source (secrets, service-account token); node credentials are left out.
   * A function is called only if the pull manager gets that far.
   */
  podCredentials: PodPullCredentialsSource;
}

/** Use the image already on the node. */
export interface UsePresentDecision {
  kind: 'use-present';
  imageRef: string;
  message: string;
  events: KubeletEvent[];
  metric: EnsureImageRequestMetric;
}

/** Pull `imageToPull` with the pod's credentials now, then call recordPullOutcome with this decision. */
export interface PullDecision {
  kind: 'pull';
  podUid: string;
  /** The image as written in the pod (events and records use it). */
  image: string;
  /** What the runtime is asked for: the image with ":latest" applied when it had no tag or digest. */
  imageToPull: string;
  backOffKey: string;
  /** Whether a pull intent was recorded (gate on); recordPullOutcome closes it. */
  intentRecorded: boolean;
  events: KubeletEvent[];
  metric: EnsureImageRequestMetric;
}

export type ImagePullFailReason = Extract<ImagePullErrorReason, 'InvalidImageName' | 'ImageInspectError' | 'ErrImageNeverPull' | 'ImagePullBackOff'>;

/** The container cannot start: waiting{reason, message}. */
export interface FailDecision {
  kind: 'fail';
  reason: ImagePullFailReason;
  message: string;
  events: KubeletEvent[];
  metric: EnsureImageRequestMetric;
}

export type ImagePullDecision = UsePresentDecision | PullDecision | FailDecision;

const policyLabel = (p: PullPolicy): EnsureImageRequestMetric['pullPolicy'] => (p === 'Always' ? 'always' : p === 'IfNotPresent' ? 'ifnotpresent' : 'never');
const tri = (v: boolean | undefined): 'true' | 'false' | 'unknown' => (v === undefined ? 'unknown' : v ? 'true' : 'false');

/** EnsureImageExists up to the runtime pull (image_manager.go): tag defaulting, precheck, KEP-2535 check, back-off. */
export function decideImagePull(input: DecideImagePullInput): ImagePullDecision {
  const { image, policy, gate, state, pullManager, podUid } = input;
  let presentLocally: boolean | undefined;
  let pullRequired: boolean | undefined;
  const metric = (): EnsureImageRequestMetric => ({
    pullPolicy: policyLabel(policy),
    presentLocally: tri(presentLocally),
    pullRequired: tri(pullRequired),
  });

  // applyDefaultImageTag
  let imageToPull: string;
  try {
    imageToPull = applyDefaultImageTag(image);
  } catch (e) {
    const event = invalidImageNameEvent(image, (e as Error).message);
    return { kind: 'fail', reason: 'InvalidImageName', message: event.message, events: [event], metric: metric() };
  }

  // imagePullPrecheck
  let imageRef = '';
  if (policy !== 'Always') {
    const local = typeof input.local === 'function' ? input.local() : input.local;
    if (local.status === 'inspect-error') {
      const event = inspectFailedEvent('', local.error);
      return { kind: 'fail', reason: 'ImageInspectError', message: event.message, events: [event], metric: metric() };
    }
    imageRef = local.status === 'present' ? local.imageRef : '';
    presentLocally = imageRef.length > 0;
    if (!presentLocally && policy === 'Never') {
      const event = neverPullEvent(image);
      return { kind: 'fail', reason: 'ErrImageNeverPull', message: event.message, events: [event], metric: metric() };
    }
  }

  if (imageRef !== '') {
    pullRequired = false;
    if (!gate) {
      const event = alreadyPresentEvent(image);
      return { kind: 'use-present', imageRef, message: event.message, events: [event], metric: metric() };
    }
    if (!pullManager.mustAttemptImagePull(image, imageRef, input.podCredentials)) {
      const event = alreadyPresentAccessibleEvent(image);
      return { kind: 'use-present', imageRef, message: event.message, events: [event], metric: metric() };
    }
  }
  pullRequired = true;

  // present but not accessible with Never: the same answer as "absent", so presence is not revealed
  if (policy === 'Never') {
    const event = neverPullEvent(image);
    return { kind: 'fail', reason: 'ErrImageNeverPull', message: event.message, events: [event], metric: metric() };
  }

  // pullImage: upstream records the intent first and closes it as failed when in back-off; the net effect is none
  const backOffKey = `${podUid}_${image}`;
  const backoff = state.backoff;
  if (backoff.isInBackOffSinceUpdate(backOffKey, backoff.now())) {
    const prev = state.prevPullErrMsg.get(backOffKey);
    return {
      kind: 'fail',
      reason: 'ImagePullBackOff',
      message: backOffMessage(image, prev),
      events: [backOffEvent(image)],
      metric: metric(),
    };
  }
  state.prevPullErrMsg.delete(backOffKey);
  if (gate) pullManager.recordPullIntent(image);
  return {
    kind: 'pull',
    podUid,
    image,
    imageToPull,
    backOffKey,
    intentRecorded: gate,
    events: [pullingImageEvent(image)],
    metric: metric(),
  };
}

/** Where the credential the runtime used came from (credentialprovider.CredentialSource), or none. */
export type PullCredentialSource =
  | { kind: 'none' } // anonymous pull
  | { kind: 'node' } // node config.json or a credential provider without a service account
  | { kind: 'secret'; secret: ImagePullSecret }
  | { kind: 'service-account'; serviceAccount: ImagePullServiceAccount };

/** trackedToImagePullCreds (image_manager.go): anonymous and node credentials make the image node-wide accessible. */
export function trackedToImagePullCreds(source: PullCredentialSource): ImagePullCredentials {
  switch (source.kind) {
    case 'none':
    case 'node':
      return { nodePodsAccessible: true };
    case 'secret':
      return { kubernetesSecrets: [source.secret] };
    case 'service-account':
      return { kubernetesServiceAccounts: [source.serviceAccount] };
  }
}

export type PullOutcome =
  | {
      ok: true;
      imageRef: string;
      /** Time the runtime spent pulling. */
      pullMs: number;
      /** Time from the Pulling event until now, waiting for a pull slot included. */
      totalMs: number;
      imageSizeBytes: number;
      credentialUsed: PullCredentialSource;
    }
  | { ok: false; /** The runtime's error text, e.g. "RegistryUnavailable: …" or "unauthorized: …". */ error: string };

export type PullResult =
  | { kind: 'pulled'; imageRef: string; events: KubeletEvent[] }
  | {
      kind: 'fail';
      reason: Extract<ImagePullErrorReason, 'ErrImagePull' | 'RegistryUnavailable' | 'SignatureValidationFailed'>;
      message: string;
      events: KubeletEvent[];
    };

/**
 * The end of pullImage (image_manager.go): success → Pulled event, back-off GC, pull record with the credential
 * that worked; failure → Failed event, back-off Next, the error kept for the back-off message, intent closed.
 */
export function recordPullOutcome(decision: PullDecision, outcome: PullOutcome, state: ImageManagerState, pullManager: ImagePullManager): PullResult {
  const { image, backOffKey } = decision;
  if (!outcome.ok) {
    state.backoff.next(backOffKey, state.backoff.now());
    const { reason, message } = evalCRIPullErr(image, outcome.error);
    state.prevPullErrMsg.set(backOffKey, `${reason}: ${message}`);
    if (decision.intentRecorded) pullManager.recordImagePullFailed(image);
    return { kind: 'fail', reason, message, events: [failedToPullEvent(image, outcome.error)] };
  }
  const event = pulledImageEvent(image, outcome.pullMs, outcome.totalMs, outcome.imageSizeBytes);
  state.backoff.gc();
  if (decision.intentRecorded) {
    pullManager.recordImagePulled(image, outcome.imageRef, trackedToImagePullCreds(outcome.credentialUsed));
  }
  return { kind: 'pulled', imageRef: outcome.imageRef, events: [event] };
}
