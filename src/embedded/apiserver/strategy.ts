// The generic part of upstream's rest.BeforeCreate/BeforeUpdate (k8s.io/apiserver/pkg/registry/rest), around each
// resource's own strategy in registry/: what a write may change, and the validation that says why it may not.
import type { FieldError } from '../../k8s/api-errors.js';
import { strategyFor } from './registry/index.js';
import type { ResourceInfo } from './resources.js';
import { generateName, type KubeObject } from './store.js';

const clone = <T>(v: T): T => structuredClone(v);

/** SetDefaults on decode, the resource's own (registry/). */
export function applyDefaults(resource: ResourceInfo, object: KubeObject): KubeObject {
  return strategyFor(resource).defaults?.(object) ?? object;
}

/**
 * rest.BeforeCreate after mutating admission: the strategy's PrepareForCreate and a name from generateName
 * (k8s.io/apiserver/pkg/registry/rest/create.go), so validation sees the name that will be stored.
 */
export function prepareForCreate(resource: ResourceInfo, input: KubeObject): KubeObject {
  const meta = input.metadata;
  if (!meta.name && typeof meta.generateName === 'string' && meta.generateName !== '') meta.name = generateName(meta.generateName);
  return strategyFor(resource).prepareForCreate?.(input) ?? input;
}

export function validateCreate(resource: ResourceInfo, object: KubeObject): FieldError[] {
  return strategyFor(resource).validate(object);
}

/** What an update may change, by resource and subresource: rest.BeforeUpdate, then the strategy's PrepareForUpdate. */
export function prepareForUpdate(resource: ResourceInfo, input: KubeObject, old: KubeObject, subresource: string): KubeObject {
  const strategy = strategyFor(resource);
  const object = clone(input);
  // rest.BeforeUpdate (k8s.io/apiserver/pkg/registry/rest/update.go): system fields come from the stored object.
  object.metadata.creationTimestamp = old.metadata.creationTimestamp;
  if (!object.metadata.uid) object.metadata.uid = old.metadata.uid;
  if (old.metadata.generation !== undefined) object.metadata.generation = old.metadata.generation;
  else delete object.metadata.generation;
  for (const key of ['deletionTimestamp', 'deletionGracePeriodSeconds']) {
    if (old.metadata[key] !== undefined) object.metadata[key] = old.metadata[key];
    else delete object.metadata[key];
  }
  if (subresource === 'status') {
    // statusStrategy.PrepareForUpdate: only status (and labels/annotations) come from the request.
    const next = clone(old);
    next['status'] = object['status'];
    next.metadata.labels = object.metadata.labels ?? {};
    next.metadata.annotations = object.metadata.annotations ?? {};
    if (Object.keys(next.metadata.labels).length === 0) delete next.metadata.labels;
    if (Object.keys(next.metadata.annotations).length === 0) delete next.metadata.annotations;
    next.metadata.resourceVersion = object.metadata.resourceVersion ?? '';
    return next;
  }
  if (subresource !== '') {
    const prepared = strategy.prepareSubresourceUpdate?.(subresource, object, old);
    if (prepared) return prepared;
  }
  let next = strategy.defaults?.(object) ?? object;
  next = strategy.prepareForUpdate?.(next, old) ?? next;
  if (next.metadata.generation === undefined && old.metadata.generation !== undefined) next.metadata.generation = old.metadata.generation;
  return next;
}

export function validateUpdate(resource: ResourceInfo, object: KubeObject, old: KubeObject, subresource: string): FieldError[] {
  return strategyFor(resource).validateUpdate(object, old, subresource);
}

/** What the v1 conversion adds on the way out (e.g. a pod's deprecated `serviceAccount`). */
export function prepareForStorage(resource: ResourceInfo, object: KubeObject): KubeObject {
  return strategyFor(resource).prepareForStorage?.(object) ?? object;
}
