// The API server's audit log, as kube-apiserver writes it with --audit-log-path and --audit-log-format=json:
// one audit.k8s.io/v1 Event per line at stage ResponseComplete. The lab's policy is fixed and small:
//
//   rules:
//     - level: Metadata
//       verbs: [create]
//       resources: [{ group: "", resources: [pods] }]
//     - level: None
//
// so a pod create refused by admission (PodSecurity, AlwaysPullImages never refuses) is observable afterwards,
// with the status the client saw. Fields as staging/src/k8s.io/apiserver/pkg/apis/audit/v1/types.go.
import { randomUUID } from 'node:crypto';
import type { Status } from '../../k8s/api-errors.js';
import type { UserInfo } from './authn.js';
import type { ResourceRequestInfo } from './request-info.js';

export interface AuditEvent {
  kind: 'Event';
  apiVersion: 'audit.k8s.io/v1';
  level: 'Metadata';
  auditID: string;
  stage: 'ResponseComplete';
  requestURI: string;
  verb: string;
  user: { username: string; groups: string[] };
  sourceIPs: string[];
  userAgent?: string;
  objectRef: { resource: string; namespace?: string; name?: string; apiVersion: string };
  responseStatus: { metadata: Record<string, never>; status?: 'Failure'; message?: string; reason?: string; code: number };
  requestReceivedTimestamp: string;
  stageTimestamp: string;
}

export type AuditSink = (event: AuditEvent) => void;

/** The lab policy's first rule: Metadata for creates of core pods; everything else is level None. */
export function auditLevel(info: ResourceRequestInfo): 'Metadata' | 'None' {
  return info.verb === 'create' && info.group === '' && info.resource === 'pods' && info.subresource === '' ? 'Metadata' : 'None';
}

/** RFC 3339 with microseconds, as metav1.MicroTime marshals. */
function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function auditEvent(request: {
  info: ResourceRequestInfo;
  requestURI: string;
  user: UserInfo;
  sourceIP: string;
  userAgent: string | undefined;
  /** The object's name as decoded from the body (a create's URL has none). */
  name: string;
  received: number;
  /** The status written: the code alone for a success, the whole Status for a failure. */
  outcome: { code: number } | Status;
  now: number;
}): AuditEvent {
  const { info, outcome } = request;
  return {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: randomUUID(),
    stage: 'ResponseComplete',
    requestURI: request.requestURI,
    verb: info.verb,
    user: { username: request.user.name, groups: request.user.groups },
    sourceIPs: [request.sourceIP],
    ...(request.userAgent ? { userAgent: request.userAgent } : {}),
    objectRef: {
      resource: info.resource,
      ...(info.namespace ? { namespace: info.namespace } : {}),
      ...(request.name ? { name: request.name } : {}),
      apiVersion: info.version,
    },
    // responseStatus of a success carries only the code (audit.go LogResponseObject on a non-Status object)
    responseStatus:
      'status' in outcome
        ? { metadata: {}, status: 'Failure', ...(outcome.message ? { message: outcome.message } : {}), ...(outcome.reason ? { reason: outcome.reason } : {}), code: outcome.code }
        : { metadata: {}, code: outcome.code },
    requestReceivedTimestamp: microTime(request.received),
    stageTimestamp: microTime(request.now),
  };
}
