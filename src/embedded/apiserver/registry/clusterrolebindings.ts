// ClusterRoleBindings (pkg/registry/rbac/clusterrolebinding/strategy.go): subjects and roleRef defaulted and validated as upstream.
import { defaultRoleBinding } from '../defaults.js';
import { validateRoleBinding, validateRoleBindingUpdate } from '../validation.js';
import { rbacResource, type ResourceStrategy } from './types.js';

export const clusterRoleBindings: ResourceStrategy = {
  info: rbacResource('clusterrolebindings', 'clusterrolebinding', 'ClusterRoleBinding', false),
  defaults: defaultRoleBinding,
  validate: (object) => validateRoleBinding(object, false),
  validateUpdate: (object, old) => validateRoleBindingUpdate(object, old, false),
};
