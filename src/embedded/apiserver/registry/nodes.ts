// Nodes (pkg/registry/core/node/strategy.go): written by the kubelets in-process; status is theirs.
import { handleNodeProxy } from '../handlers/node-proxy.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import { coreResource, type ResourceStrategy } from './types.js';

export const nodes: ResourceStrategy = {
  info: coreResource('nodes', 'node', 'Node', false, {
    shortNames: ['no'],
    subresources: [
      // Only GET is proxied here (configz); upstream's proxy also connects the other verbs.
      { name: 'proxy', kind: 'NodeProxyOptions', verbs: ['get'] },
      { name: 'status', kind: 'Node', verbs: ['get', 'patch', 'update'] },
    ],
  }),
  prepareForUpdate(next, old) {
    next['status'] = structuredClone(old['status']);
    return next;
  },
  validate: (object) => validateObjectMeta(object.metadata, false),
  validateUpdate: (object, old) => [...validateObjectMetaUpdate(object.metadata, old.metadata), ...validateObjectMeta(object.metadata, false)],
  returnDeletedObject: true,
  subresourceHandlers: { proxy: { get: handleNodeProxy } },
};
