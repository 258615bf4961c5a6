// ClusterRoles (pkg/registry/rbac/clusterrole/strategy.go, pkg/apis/rbac/validation ValidateRole).
import { validateObjectMetaUpdate, validateRole } from '../validation.js';
import { rbacResource, type ResourceStrategy } from './types.js';

export const clusterRoles: ResourceStrategy = {
  info: rbacResource('clusterroles', 'clusterrole', 'ClusterRole', false),
  validate: (object) => validateRole(object, false),
  validateUpdate: (object, old) => [...validateObjectMetaUpdate(object.metadata, old.metadata), ...validateRole(object, false)],
};
