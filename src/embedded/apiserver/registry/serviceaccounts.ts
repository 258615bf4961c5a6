// ServiceAccounts (pkg/registry/core/serviceaccount/strategy.go).
import { validateObjectMeta, validateObjectMetaUpdate } from '../validation.js';
import { coreResource, type ResourceStrategy } from './types.js';

export const serviceAccounts: ResourceStrategy = {
  info: coreResource('serviceaccounts', 'serviceaccount', 'ServiceAccount', true, { shortNames: ['sa'] }),
  validate: (object) => validateObjectMeta(object.metadata, true),
  validateUpdate: (object, old) => [...validateObjectMetaUpdate(object.metadata, old.metadata), ...validateObjectMeta(object.metadata, true)],
};
