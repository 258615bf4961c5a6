// RoleBindings (pkg/registry/rbac/rolebinding/strategy.go): subjects and roleRef defaulted and validated as upstream.
import { defaultRoleBinding } from '../defaults.js';
import { validateRoleBinding, validateRoleBindingUpdate } from '../validation.js';
import { rbacResource, type ResourceStrategy } from './types.js';

export const roleBindings: ResourceStrategy = {
  info: rbacResource('rolebindings', 'rolebinding', 'RoleBinding', true),
  defaults: defaultRoleBinding,
  validate: (object) => validateRoleBinding(object, true),
  validateUpdate: (object, old) => validateRoleBindingUpdate(object, old, true),
};
