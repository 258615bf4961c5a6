// Services, read-only: only the `kubernetes` Service exists, so `kubectl cluster-info` and `get svc` answer as on a cluster.
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import { coreResource, type ResourceStrategy } from './types.js';

export const services: ResourceStrategy = {
  info: coreResource('services', 'service', 'Service', true, { verbs: ['get', 'list', 'watch'], shortNames: ['svc'], categories: ['all'] }),
  validate: (object) => validateObjectMeta(object.metadata, true),
  validateUpdate: (object, old) => validateObjectMetaUpdate(object.metadata, old.metadata),
};
