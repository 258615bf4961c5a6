// Roles (pkg/registry/rbac/role/strategy.go, pkg/apis/rbac/validation ValidateRole).
import { validateObjectMetaUpdate, validateRole } from '../validation.js';
import { rbacResource, type ResourceStrategy } from './types.js';

export const roles: ResourceStrategy = {
  info: rbacResource('roles', 'role', 'Role', true),
  validate: (object) => validateRole(object, true),
  validateUpdate: (object, old) => [...validateObjectMetaUpdate(object.metadata, old.metadata), ...validateRole(object, true)],
};
