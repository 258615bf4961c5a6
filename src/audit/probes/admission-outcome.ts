// What a dry-run answer says about admission, pure (research/policies-audit.md §B5.3).
import type { AdmissionOutcome, PullPolicy } from '../findings.js';
import { statusMessage, type KubeResponse } from '../kube-http.js';

export type ContainerField = 'containers' | 'initContainers' | 'ephemeralContainers';

/**
 * The container the probe sent, as the API server would store it: unchanged policy (weak), changed to Always
 * (a mutating defence), or a refusal with its message. 403 and 404 before admission are not a defence: they say
 * the audit's user may not send the probe.
 */
export function classifyDryRun(response: KubeResponse, sent: { field: ContainerField; name: string; policy: PullPolicy }): AdmissionOutcome {
  if (response.status >= 200 && response.status < 300) {
    const pod = response.body as { metadata?: { annotations?: Record<string, string> }; spec?: Record<string, unknown> } | undefined;
    const list = pod?.spec?.[sent.field];
    const container = Array.isArray(list) ? (list as { name?: string; imagePullPolicy?: string }[]).find((c) => c.name === sent.name) : undefined;
    if (!container) return { kind: 'inconclusive', reason: `the answer has no ${sent.field} entry "${sent.name}"` };
    const returned = container.imagePullPolicy ?? '';
    if (returned === sent.policy) return { kind: 'allowed-as-sent', policy: sent.policy, warnings: response.warnings };
    return { kind: 'mutated', from: sent.policy, to: returned || '(empty)', attribution: attribute(pod?.metadata?.annotations ?? {}) };
  }
  const message = statusMessage(response);
  // RBAC's refusal (plugin/pkg/auth/authorizer/rbac: `User "u" cannot create resource "pods"`) comes before admission
  if (response.status === 403 && /cannot [a-z]+ resource/.test(message)) return { kind: 'inconclusive', reason: `the audit's user may not send it: ${message}` };
  if (response.status === 400 && /does not support dry run/i.test(message)) {
    // webhook/errors/statuserror.go NewDryRunUnsupportedErr: a webhook with sideEffects Unknown/Some matched
    return { kind: 'inconclusive', reason: `a webhook without sideEffects None matched, so the dry run could not be judged: ${message}` };
  }
  if (response.status === 401) return { kind: 'inconclusive', reason: `not authenticated: ${message}` };
  if (response.status === 404) return { kind: 'inconclusive', reason: `not found: ${message}` };
  if (response.status >= 500) return { kind: 'inconclusive', reason: `the API server failed (${response.status}): ${message}` };
  return { kind: 'refused', code: response.status, message };
}

/** Who changed the policy: the marks Kyverno and Gatekeeper leave; AlwaysPullImages and a MAP leave none. */
export function attribute(annotations: Record<string, string>): string {
  const kyverno = annotations['policies.kyverno.io/last-applied-patches'];
  if (kyverno) return `Kyverno: ${kyverno.trim().split('\n')[0]}`;
  const gatekeeper = annotations['gatekeeper.sh/mutations'];
  if (gatekeeper) return `Gatekeeper: ${gatekeeper}`;
  return 'by the AlwaysPullImages admission plugin or a MutatingAdmissionPolicy, which leave no mark';
}

/**
 * A refusal of the probe is a pull-policy defence only if the same request with Always is admitted; otherwise
 * something else (PSA, quota, an image allowlist) refused it and the probe says nothing about pull policy.
 */
export function withControl(outcome: AdmissionOutcome, control: AdmissionOutcome | undefined): AdmissionOutcome {
  if (outcome.kind !== 'refused' || !control) return outcome;
  if (control.kind === 'refused') {
    return { kind: 'inconclusive', reason: `refused even with imagePullPolicy Always, so not for its pull policy: ${control.message}` };
  }
  if (control.kind === 'inconclusive') return { kind: 'inconclusive', reason: `the control request with Always was inconclusive: ${control.reason}` };
  return outcome;
}
