// Nodes (pkg/registry/core/node/strategy.go): written by the kubelets in-process; status is theirs.
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import { coreResource, type ResourceStrategy } from './types.js';

export const nodes: ResourceStrategy = {
  info: coreResource('nodes', 'node', 'Node', false, { shortNames: ['no'], subresources: [{ name: 'status', kind: 'Node', verbs: ['get', 'patch', 'update'] }] }),
  prepareForUpdate(next, old) {
    next['status'] = structuredClone(old['status']);
    return next;
  },
  validate: (object) => validateObjectMeta(object.metadata, false),
  validateUpdate: (object, old) => [...validateObjectMetaUpdate(object.metadata, old.metadata), ...validateObjectMeta(object.metadata, false)],
  returnDeletedObject: true,
};
