// Per-kind create/update rules, as upstream's registry strategies (pkg/registry/core/*/strategy.go):
// PrepareForCreate/PrepareForUpdate decide what a write may change; Validate/ValidateUpdate say why
// it may not. The field rules themselves live in the pure validation module.
import { fieldInvalid, type FieldError, type StatusError } from '../../k8s/api-errors.js';
import { applyDefaults, defaultNamespace, defaultPod, initialPodStatus } from './defaults.js';
import { findUnknownFields, hasFieldSchema, newStrictDecodingError, newStrictPatchError, unknownFieldWarnings, warningHeaderValue } from './field-validation.js';
import type { ResourceInfo } from './resources.js';
import { generateName, type KubeObject } from './store.js';
import {
  validateEphemeralContainersUpdate,
  validateNamespace,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validatePod,
  validateRole,
  validateRoleBinding,
  validateRoleBindingUpdate,
  validatePodUpdate,
  validateSecret,
} from './validation.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

/**
 * Unknown fields of a decoded body (or of a patched object), with the 400 fieldValidation=Strict
 * answers and the Warning header values fieldValidation=Warn sends; undefined when there are none.
 */
export function unknownFieldsError(
  resource: ResourceInfo,
  object: Json,
  verb: 'create' | 'update' | 'patch',
): { error: StatusError; warnings: string[]; fields: string[] } | undefined {
  if (!hasFieldSchema(resource.kind)) return undefined;
  const fields = findUnknownFields(resource.kind, object);
  if (fields.length === 0) return undefined;
  const apiVersion = resource.group === '' ? resource.version : `${resource.group}/${resource.version}`;
  return {
    error: verb === 'patch' ? newStrictPatchError(fields) : newStrictDecodingError(resource.kind, apiVersion, fields),
    warnings: unknownFieldWarnings(fields).map(warningHeaderValue),
    fields,
  };
}

/**
 * Drops unknown fields, as decoding into Go types does when fieldValidation is Warn or Ignore, so they
 * are neither stored nor seen as changes. Paths are findUnknownFields' (`spec.containers[0].foo`).
 */
export function dropUnknownFields(object: Json, paths: readonly string[]): void {
  for (const path of paths) {
    const tokens = [...path.matchAll(/([^.[\]]+)|\[([^\]]*)\]/g)].map((m) => m[1] ?? m[2] ?? '');
    let node: unknown = object;
    for (const token of tokens.slice(0, -1)) {
      node = Array.isArray(node) ? node[Number(token)] : isObject(node) ? node[token] : undefined;
    }
    const last = tokens[tokens.length - 1];
    if (isObject(node) && last !== undefined) delete node[last];
  }
}

/**
 * rest.BeforeCreate after mutating admission: the strategy's PrepareForCreate and a name from generateName
 * (k8s.io/apiserver/pkg/registry/rest/create.go), so validation sees the name that will be stored.
 */
export function prepareForCreate(resource: ResourceInfo, input: KubeObject): KubeObject {
  let object = input;
  const meta = object.metadata;
  if (!meta.name && typeof meta.generateName === 'string' && meta.generateName !== '') meta.name = generateName(meta.generateName);
  switch (resource.kind) {
    case 'Pod':
      object['status'] = initialPodStatus(object);
      break;
    case 'Namespace':
      object = defaultNamespace(object);
      break;
  }
  return object;
}

export function validateCreate(resource: ResourceInfo, object: KubeObject): FieldError[] {
  switch (resource.kind) {
    case 'Pod':
      return validatePod(object);
    case 'Secret':
      return validateSecret(object);
    case 'Namespace':
      return validateNamespace(object);
    case 'Node':
      return validateObjectMeta(object.metadata, false);
    case 'Role':
    case 'ClusterRole':
      return validateRole(object, resource.namespaced);
    case 'RoleBinding':
    case 'ClusterRoleBinding':
      return validateRoleBinding(object, resource.namespaced);
    default:
      // Other kinds: ValidateObjectMeta with the kind's name rule (ServiceAccount, Event: DNS subdomain).
      return validateObjectMeta(object.metadata, resource.namespaced);
  }
}

/** What an update may change, by resource and subresource. */
export function prepareForUpdate(resource: ResourceInfo, input: KubeObject, old: KubeObject, subresource: string): KubeObject {
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
  if (subresource === 'ephemeralcontainers') {
    // ephemeralContainersStrategy.PrepareForUpdate: everything but spec.ephemeralContainers stays.
    const next = clone(old);
    const spec = isObject(next['spec']) ? next['spec'] : (next['spec'] = {});
    const wanted = isObject(object['spec']) ? object['spec']['ephemeralContainers'] : undefined;
    if (wanted === undefined || wanted === null) delete spec['ephemeralContainers'];
    else spec['ephemeralContainers'] = wanted;
    next.metadata.resourceVersion = object.metadata.resourceVersion ?? '';
    return defaultPod(next);
  }
  const next = applyDefaults(resource.kind, object);
  switch (resource.kind) {
    case 'Pod':
    case 'Node':
      next['status'] = clone(old['status']);
      break;
    case 'Namespace':
      next['spec'] = clone(old['spec']);
      next['status'] = clone(old['status']);
      next.metadata.labels = { ...(next.metadata.labels ?? {}), 'kubernetes.io/metadata.name': old.metadata.name ?? '' };
      break;
  }
  if (next.metadata.generation === undefined && old.metadata.generation !== undefined) next.metadata.generation = old.metadata.generation;
  return next;
}

export function validateUpdate(resource: ResourceInfo, object: KubeObject, old: KubeObject, subresource: string): FieldError[] {
  if (resource.kind === 'Pod') {
    if (subresource === 'ephemeralcontainers') return validateEphemeralContainersUpdate(object, old);
    if (subresource === 'status') return [];
    return validatePodUpdate(object, old);
  }
  const meta = validateObjectMetaUpdate(object.metadata, old.metadata);
  if (resource.kind === 'Secret') {
    // ValidateSecretUpdate (pkg/apis/core/validation/validation.go): the type is immutable.
    const typeErrs = object['type'] !== old['type'] ? [fieldInvalid('type', object['type'], 'field is immutable')] : [];
    return [...meta, ...typeErrs, ...validateSecret(object)];
  }
  if (resource.kind === 'Namespace') return [...meta, ...validateNamespace(object)];
  if (resource.kind === 'RoleBinding' || resource.kind === 'ClusterRoleBinding') return validateRoleBindingUpdate(object, old, resource.namespaced);
  return [...meta, ...validateCreate(resource, object)];
}

/**
 * What the v1 conversion adds on the way out (Convert_core_PodSpec_To_v1_PodSpec): the deprecated
 * `serviceAccount` mirrors `serviceAccountName`. Applied to every pod the server stores.
 */
export function prepareForStorage(resource: ResourceInfo, object: KubeObject): KubeObject {
  if (resource.kind !== 'Pod') return object;
  const spec = object['spec'];
  if (isObject(spec) && typeof spec['serviceAccountName'] === 'string' && spec['serviceAccountName'] !== '') {
    spec['serviceAccount'] = spec['serviceAccountName'];
  }
  return object;
}
