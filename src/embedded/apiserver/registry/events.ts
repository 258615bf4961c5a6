// core/v1 Events (pkg/registry/core/event/strategy.go); they expire after the store's event TTL.
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import { coreResource, type ResourceStrategy } from './types.js';

export const events: ResourceStrategy = {
  info: coreResource('events', 'event', 'Event', true, { shortNames: ['ev'] }),
  validate: (object) => validateObjectMeta(object.metadata, true),
  validateUpdate: (object, old) => [...validateObjectMetaUpdate(object.metadata, old.metadata), ...validateObjectMeta(object.metadata, true)],
};
