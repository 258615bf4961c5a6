// ConfigMaps (pkg/registry/core/configmap/strategy.go): served so that a policy's paramKind ConfigMap can exist
// (cluster-configs/policies/gap-ignore-missing-param.yaml closes once its param is created).
import { validateConfigMap, validateConfigMapUpdate } from '../validation.js';
import { coreResource, type ResourceStrategy } from './types.js';

export const configMaps: ResourceStrategy = {
  info: coreResource('configmaps', 'configmap', 'ConfigMap', true, { shortNames: ['cm'] }),
  validate: validateConfigMap,
  validateUpdate: validateConfigMapUpdate,
};
