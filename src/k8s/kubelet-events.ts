// Kubelet image events and container waiting reasons, with upstream's reasons, types and message formats:
// reasons from pkg/kubelet/events/event.go, messages from pkg/kubelet/images/image_manager.go,
// container reasons from pkg/kubelet/images/types.go and k8s.io/cri-api/pkg/errors/errors.go.
import { goQuote } from './api-errors.js';

export type EventType = 'Normal' | 'Warning';

/** Event reasons (pkg/kubelet/events/event.go). */
export const PullingImage = 'Pulling';
export const PulledImage = 'Pulled';
export const FailedToPullImage = 'Failed';
export const FailedToInspectImage = 'InspectFailed';
export const ErrImageNeverPullPolicy = 'ErrImageNeverPull';
export const BackOffPullImage = 'BackOff';
export const FailedToCreateContainer = 'Failed';
export const FailedToRetrieveImagePullSecret = 'FailedToRetrieveImagePullSecret';

export type KubeletEventReason =
  | typeof PullingImage
  | typeof PulledImage
  | typeof FailedToPullImage
  | typeof FailedToInspectImage
  | typeof ErrImageNeverPullPolicy
  | typeof BackOffPullImage
  | typeof FailedToRetrieveImagePullSecret;

export interface KubeletEvent {
  type: EventType;
  reason: KubeletEventReason;
  message: string;
}

/**
 * Container waiting reasons an image pull can end in: pkg/kubelet/images/types.go (ErrImagePullBackOff,
 * ErrImageInspect, ErrImagePull, ErrImageNeverPull, ErrInvalidImageName) and cri-api errors
 * (ErrRegistryUnavailable, ErrSignatureValidationFailed).
 */
export type ImagePullErrorReason =
  'ImagePullBackOff' | 'ImageInspectError' | 'ErrImagePull' | 'ErrImageNeverPull' | 'InvalidImageName' | 'RegistryUnavailable' | 'SignatureValidationFailed';

/**
 * Go's time.Duration.String() for a whole number of nanoseconds: "0s", "850ms", "1.5s", "2m3.004s", "1h0m0s".
 * Accepts a number or bigint of nanoseconds.
 */
export function formatGoDuration(nanoseconds: number | bigint): string {
  let ns = BigInt(nanoseconds);
  const neg = ns < 0n;
  if (neg) ns = -ns;
  const sign = neg ? '-' : '';
  if (ns === 0n) return '0s';
  const frac = (v: bigint, prec: number): string => {
    const p = 10n ** BigInt(prec);
    const int = v / p;
    const rest = (v % p).toString().padStart(prec, '0').replace(/0+$/, '');
    return rest ? `${int}.${rest}` : `${int}`;
  };
  if (ns < 1_000_000_000n) {
    if (ns < 1_000n) return `${sign}${ns}ns`;
    if (ns < 1_000_000n) return `${sign}${frac(ns, 3)}µs`;
    return `${sign}${frac(ns, 6)}ms`;
  }
  const totalSeconds = ns / 1_000_000_000n;
  const secondsPart = frac(ns % 60_000_000_000n, 9);
  let out = `${secondsPart}s`;
  let u = totalSeconds / 60n;
  if (u > 0n) {
    out = `${u % 60n}m${out}`;
    u /= 60n;
    if (u > 0n) out = `${u}h${out}`;
  }
  return sign + out;
}

/** Duration.Truncate(time.Millisecond) of a millisecond count, printed as Go does. */
export function formatMillis(ms: number): string {
  return formatGoDuration(BigInt(Math.trunc(ms)) * 1_000_000n);
}

/** `Pulling image "<image>"` (Normal). */
export function pullingImageEvent(image: string): KubeletEvent {
  return { type: 'Normal', reason: PullingImage, message: `Pulling image ${goQuote(image)}` };
}

/** `Successfully pulled image "<image>" in <pull> (<total> including waiting). Image size: <n> bytes.` (Normal). */
export function pulledImageEvent(image: string, pullMs: number, totalMs: number, imageSizeBytes: number): KubeletEvent {
  return {
    type: 'Normal',
    reason: PulledImage,
    message: `Successfully pulled image ${goQuote(image)} in ${formatMillis(pullMs)} (${formatMillis(totalMs)} including waiting). Image size: ${imageSizeBytes} bytes.`,
  };
}

/** `Container image "<image>" already present on machine` (Normal; feature gate off). */
export function alreadyPresentEvent(image: string): KubeletEvent {
  return { type: 'Normal', reason: PulledImage, message: `Container image ${goQuote(image)} already present on machine` };
}

/** `Container image "<image>" already present on machine and can be accessed by the pod` (Normal; gate on). */
export function alreadyPresentAccessibleEvent(image: string): KubeletEvent {
  return {
    type: 'Normal',
    reason: PulledImage,
    message: `Container image ${goQuote(image)} already present on machine and can be accessed by the pod`,
  };
}

/** `Failed to pull image "<image>": <err>` (Warning). */
export function failedToPullEvent(image: string, err: string): KubeletEvent {
  return { type: 'Warning', reason: FailedToPullImage, message: `Failed to pull image ${goQuote(image)}: ${err}` };
}

/** `Back-off pulling image "<image>"` (Normal). The event has no suffix; the waiting message adds the previous error. */
export function backOffEvent(image: string): KubeletEvent {
  return { type: 'Normal', reason: BackOffPullImage, message: backOffMessage(image) };
}

/** The back-off waiting message: `Back-off pulling image "<image>"[: <ErrName>: <previous message>]`. */
export function backOffMessage(image: string, previousError?: string): string {
  const msg = `Back-off pulling image ${goQuote(image)}`;
  return previousError ? `${msg}: ${previousError}` : msg;
}

/** `Container image "<image>" is not present with pull policy of Never` (Warning); also used when present but not accessible. */
export function neverPullEvent(image: string): KubeletEvent {
  return {
    type: 'Warning',
    reason: ErrImageNeverPullPolicy,
    message: `Container image ${goQuote(image)} is not present with pull policy of Never`,
  };
}

/** `Failed to apply default image tag "<image>": <err>` (Warning InspectFailed). */
export function invalidImageNameEvent(image: string, err: string): KubeletEvent {
  return {
    type: 'Warning',
    reason: FailedToInspectImage,
    message: `Failed to apply default image tag ${goQuote(image)}: ${err}`,
  };
}

/**
 * `Failed to inspect image "<ref>": <err>` (Warning InspectFailed). Upstream formats the imageRef returned with the
 * error, which is "" — so the real message reads `Failed to inspect image "": …` (image_manager.go imagePullPrecheck).
 */
export function inspectFailedEvent(imageRef: string, err: string): KubeletEvent {
  return { type: 'Warning', reason: FailedToInspectImage, message: `Failed to inspect image ${goQuote(imageRef)}: ${err}` };
}

/**
 * Pod event when some pull secrets are missing (pkg/kubelet/kubelet_pods.go getPullSecretsForPod):
 * `Unable to retrieve some image pull secrets (a, b); attempting to pull the image may not succeed.`
 */
export function failedToRetrievePullSecretsEvent(missing: readonly string[]): KubeletEvent {
  return {
    type: 'Warning',
    reason: FailedToRetrieveImagePullSecret,
    message: `Unable to retrieve some image pull secrets (${missing.join(', ')}); attempting to pull the image may not succeed.`,
  };
}

/** Container event when the start fails (pkg/kubelet/kuberuntime/kuberuntime_container.go startContainer): `Error: <reason>`. */
export function containerErrorEvent(reason: ImagePullErrorReason | string): { type: 'Warning'; reason: 'Failed'; message: string } {
  return { type: 'Warning', reason: FailedToCreateContainer, message: `Error: ${reason}` };
}

/**
 * evalCRIPullErr (image_manager.go): a runtime error starting with "RegistryUnavailable" or "SignatureValidationFailed"
 * keeps that reason and reads `image pull failed for <image> because …<rest>`; anything else is ErrImagePull with the raw text.
 */
export function evalCRIPullErr(image: string, err: string): { reason: 'ErrImagePull' | 'RegistryUnavailable' | 'SignatureValidationFailed'; message: string } {
  if (err.startsWith('RegistryUnavailable')) {
    return {
      reason: 'RegistryUnavailable',
      message: `image pull failed for ${image} because the registry is unavailable${err.slice('RegistryUnavailable'.length)}`,
    };
  }
  if (err.startsWith('SignatureValidationFailed')) {
    return {
      reason: 'SignatureValidationFailed',
      message: `image pull failed for ${image} because the signature validation failed${err.slice('SignatureValidationFailed'.length)}`,
    };
  }
  return { reason: 'ErrImagePull', message: err };
}
