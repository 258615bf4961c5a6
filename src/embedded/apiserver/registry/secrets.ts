// Secrets (pkg/registry/core/secret/strategy.go).
import { fieldInvalid } from '../../../k8s/api-errors.js';
import { defaultSecret } from '../defaults.js';
import { validateObjectMetaUpdate, validateSecret } from '../validation.js';
import { coreResource, type ResourceStrategy } from './types.js';

export const secrets: ResourceStrategy = {
  info: coreResource('secrets', 'secret', 'Secret', true),
  defaults: defaultSecret,
  validate: validateSecret,
  validateUpdate(object, old) {
    // ValidateSecretUpdate: the type is immutable.
    const typeErrs = object['type'] !== old['type'] ? [fieldInvalid('type', object['type'], 'field is immutable')] : [];
    return [...validateObjectMetaUpdate(object.metadata, old.metadata), ...typeErrs, ...validateSecret(object)];
  },
};
