// Namespaces (pkg/registry/core/namespace/strategy.go).
import { defaultNamespace } from '../defaults.js';
import { validateNamespace, validateObjectMetaUpdate } from '../validation.js';
import { coreResource, type ResourceStrategy } from './types.js';

export const namespaces: ResourceStrategy = {
  info: coreResource('namespaces', 'namespace', 'Namespace', false, {
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    shortNames: ['ns'],
    subresources: [{ name: 'status', kind: 'Namespace', verbs: ['get', 'patch', 'update'] }],
  }),
  prepareForCreate: defaultNamespace,
  prepareForUpdate(next, old) {
    // spec and status belong to the namespace controller; the name label stays.
    next['spec'] = structuredClone(old['spec']);
    next['status'] = structuredClone(old['status']);
    next.metadata.labels = { ...(next.metadata.labels ?? {}), 'kubernetes.io/metadata.name': old.metadata.name ?? '' };
    return next;
  },
  validate: validateNamespace,
  validateUpdate: (object, old) => [...validateObjectMetaUpdate(object.metadata, old.metadata), ...validateNamespace(object)],
  returnDeletedObject: true,
};
