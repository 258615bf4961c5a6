// TEMPORARY stand-in until apiserver-pure's validation.ts lands. Not committed.
import type { FieldError } from '../../../k8s/api-errors.js';
const none = (..._a: unknown[]): FieldError[] => [];
export const validatePod = none, validatePodUpdate = none, validateEphemeralContainersUpdate = none, validateSecret = none, validateSecretUpdate = none, validateNamespace = none;
