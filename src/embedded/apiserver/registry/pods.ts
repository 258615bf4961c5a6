// Pods (pkg/registry/core/pod/strategy.go): defaults, the initial status, the update rules per subresource, the
// v1 conversion's mirrored serviceAccount, and pods/log served by the node's kubelet.
import { defaultPod, initialPodStatus } from '../defaults.js';
import { handlePodLog } from '../handlers/pods.js';
import { validateEphemeralContainersUpdate, validatePod, validatePodUpdate } from '../validation.js';
import { coreResource, type ResourceStrategy } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export const pods: ResourceStrategy = {
  info: coreResource('pods', 'pod', 'Pod', true, {
    shortNames: ['po'],
    categories: ['all'],
    subresources: [
      { name: 'ephemeralcontainers', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
      { name: 'log', kind: 'Pod', verbs: ['get'] },
      { name: 'status', kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    ],
  }),
  defaults: defaultPod,
  prepareForCreate(object) {
    object['status'] = initialPodStatus(object);
    return object;
  },
  prepareForUpdate(next, old) {
    next['status'] = structuredClone(old['status']);
    return next;
  },
  prepareSubresourceUpdate(subresource, object, old) {
    if (subresource !== 'ephemeralcontainers') return undefined;
    // ephemeralContainersStrategy.PrepareForUpdate: everything but spec.ephemeralContainers stays.
    const next = structuredClone(old);
    const spec = isObject(next['spec']) ? next['spec'] : (next['spec'] = {});
    const wanted = isObject(object['spec']) ? object['spec']['ephemeralContainers'] : undefined;
    if (wanted === undefined || wanted === null) delete spec['ephemeralContainers'];
    else spec['ephemeralContainers'] = wanted;
    next.metadata.resourceVersion = object.metadata.resourceVersion ?? '';
    return defaultPod(next);
  },
  validate: validatePod,
  validateUpdate(object, old, subresource) {
    if (subresource === 'ephemeralcontainers') return validateEphemeralContainersUpdate(object, old);
    if (subresource === 'status') return [];
    return validatePodUpdate(object, old);
  },
  prepareForStorage(object) {
    // Convert_core_PodSpec_To_v1_PodSpec: the deprecated serviceAccount mirrors serviceAccountName.
    const spec = object['spec'];
    if (isObject(spec) && typeof spec['serviceAccountName'] === 'string' && spec['serviceAccountName'] !== '') spec['serviceAccount'] = spec['serviceAccountName'];
    return object;
  },
  returnDeletedObject: true,
  subresourceHandlers: { log: { get: handlePodLog } },
};
