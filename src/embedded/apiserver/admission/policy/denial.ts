// The StatusError a policy denial answers with: admission.NewForbidden (k8s.io/apiserver pkg/admission/errors.go)
// with the reason and code replaced (validating/dispatcher.go, policy_decision.go reasonToCode; generic
// policy_dispatcher.go for MAP), and the message repeated as the first cause.
import { StatusError, newForbidden, type StatusReason } from '../../../../k8s/api-errors.js';
import type { PolicyAttributes } from './activation.js';

/** extractResourceName (admission/errors.go): the request name, else metadata.name, else generateName, else "Unknown". */
function resourceName(a: PolicyAttributes): string {
  if (a.name) return a.name;
  const meta = (a.object as { metadata?: { name?: string; generateName?: string } } | null | undefined)?.metadata;
  return meta?.name || meta?.generateName || 'Unknown';
}

/** reasonToCode: Forbidden 403, Unauthorized 401, RequestEntityTooLarge 413, Invalid (and anything else) 422. */
export function reasonToCode(reason: StatusReason): number {
  switch (reason) {
    case 'Forbidden':
      return 403;
    case 'Unauthorized':
      return 401;
    case 'RequestEntityTooLarge':
      return 413;
    default:
      return 422;
  }
}

/**
 * NewForbidden(a, message) with `reason` set; `code` follows the reason for VAP (reasonToCode) and stays 403 for
 * MAP (the generic dispatcher only replaces the reason).
 */
export function policyDenial(a: PolicyAttributes, message: string, reason: StatusReason, code: number, causes: readonly string[] = [message]): StatusError {
  const forbidden = newForbidden({ group: a.group, resource: a.resource }, resourceName(a), message).status;
  return new StatusError({
    message: forbidden.message,
    reason,
    code,
    details: { ...forbidden.details, causes: causes.map((m) => ({ message: m })) },
  });
}
