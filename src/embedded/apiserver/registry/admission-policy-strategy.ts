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
  return {
    info,
    defaults(object) {
      // defaultPolicy/defaultBinding answer a cached copy; the server owns what it stores, so copy once more.
      const defaulted = isBinding ? defaultBinding(object as unknown as AnyBinding) : defaultPolicy(object as unknown as AnyPolicy);
      return structuredClone(defaulted) as unknown as KubeObject;
    },
    prepareForCreate(object) {
      // PrepareForCreate: status is the server's (the type checker's); a new policy has none yet.
      if (!isBinding) delete object['status'];
      return object;
    },
    prepareForUpdate(next, old) {
      if (!isBinding) {
        if (old['status'] !== undefined) next['status'] = structuredClone(old['status']);
        else delete next['status'];
      }
      return next;
    },
    validate: (object) => fieldErrors(kind, object),
    validateUpdate: (object, old, subresource) => [...validateObjectMetaUpdate(object.metadata, old.metadata), ...(subresource === 'status' ? [] : fieldErrors(kind, object))],
  };
}
