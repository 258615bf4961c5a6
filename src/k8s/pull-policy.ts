// imagePullPolicy defaulting as the API server applies it on decode (pkg/apis/core/v1/defaults.go).
import { parseImageName } from './image-reference.js';
import { mapContainers, mapImageVolumes, type Pod, type PullPolicy } from './pod.js';

/**
 * SetDefaults_Container (pkg/apis/core/v1/defaults.go): Always when the tag is "latest" (including the implicit
 * one and `:latest@sha256:…`), IfNotPresent otherwise. A parse error is ignored, leaving the tag empty.
 */
export function defaultPullPolicy(image: string): PullPolicy {
  let tag = '';
  try {
    tag = parseImageName(image).tag;
  } catch {
    // upstream: `_, tag, _, _ := parsers.ParseImageName(obj.Image)` — the error is dropped.
  }
  return tag === 'latest' ? 'Always' : 'IfNotPresent';
}

export interface PodDefaultsOptions {
  /** ImageVolume feature gate: SetDefaults_Volume only defaults image volumes when it is on. Default true. */
  imageVolume?: boolean;
}

/**
 * A new pod with every empty imagePullPolicy filled in: init, regular and ephemeral containers
 * (SetDefaults_Container, SetDefaults_EphemeralContainer) and image volumes (SetDefaults_Volume).
 * Set values are never changed, so a later tag change does not change the policy.
 */
export function setPodDefaults(pod: Pod, options: PodDefaultsOptions = {}): Pod {
  let out = mapContainers(pod, (c) => (c.imagePullPolicy ? c : { ...c, imagePullPolicy: defaultPullPolicy(c.image ?? '') }));
  if (options.imageVolume ?? true) {
    out = mapImageVolumes(out, (img) => (img.pullPolicy ? img : { ...img, pullPolicy: defaultPullPolicy(img.reference ?? '') }));
  }
  return out;
}
