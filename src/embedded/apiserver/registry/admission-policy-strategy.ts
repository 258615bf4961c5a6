// The strategy shared by the four admission policy kinds (pkg/registry/admissionregistration/
// {validating,mutating}admissionpolicy{,binding}/strategy.go): defaulting on decode, validation by the policy
// engine's validators (422 as upstream), and status kept on spec updates.
import type { FieldError } from '../../../k8s/api-errors.js';
import { defaultBinding, defaultPolicy, type AnyBinding, type AnyPolicy, type PolicyKind } from '../admission/policy/types.js';
import {
  validateMutatingAdmissionPolicy,
  validateMutatingAdmissionPolicyBinding,
  validateValidatingAdmissionPolicy,
  validateValidatingAdmissionPolicyBinding,
} from '../admission/policy/validation.js';
import type { ResourceInfo } from '../resources.js';
import type { KubeObject } from '../store.js';
import { validateObjectMetaUpdate } from '../validation.js';
import type { ResourceStrategy } from './types.js';

const VALIDATORS: Record<PolicyKind, (object: never) => FieldError[]> = {
  ValidatingAdmissionPolicy: validateValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding: validateValidatingAdmissionPolicyBinding,
  MutatingAdmissionPolicy: validateMutatingAdmissionPolicy,
  MutatingAdmissionPolicyBinding: validateMutatingAdmissionPolicyBinding,
};
const fieldErrors = (kind: PolicyKind, object: KubeObject): FieldError[] => (VALIDATORS[kind] as (o: unknown) => FieldError[])(object);

export function admissionPolicyStrategy(info: ResourceInfo & { kind: PolicyKind }): ResourceStrategy {
  const kind = info.kind;
  const isBinding = kind.endsWith('Binding');
  // Only ValidatingAdmissionPolicy has a status (MutatingAdmissionPolicy v1 has none).
  const hasStatus = info.subresources.some((s) => s.name === 'status');
  return {
    info,
    defaults(object) {
      // defaultPolicy/defaultBinding answer a cached copy; the server owns what it stores, so copy once more.
      const defaulted = isBinding ? defaultBinding(object as unknown as AnyBinding) : defaultPolicy(object as unknown as AnyPolicy);
      return structuredClone(defaulted) as unknown as KubeObject;
    },
    prepareForCreate(object) {
      // PrepareForCreate resets status (the type checker's) to the zero struct, which v1 JSON always carries:
      // `status: {}` (validatingadmissionpolicy/strategy.go; Status is a struct, so omitempty never drops it).
      if (hasStatus) object['status'] = {};
      return object;
    },
    prepareForUpdate(next, old) {
      if (hasStatus) next['status'] = structuredClone(old['status'] ?? {});
      return next;
    },
    validate: (object) => fieldErrors(kind, object),
    validateUpdate: (object, old, subresource) => [...validateObjectMetaUpdate(object.metadata, old.metadata), ...(subresource === 'status' ? [] : fieldErrors(kind, object))],
  };
}
