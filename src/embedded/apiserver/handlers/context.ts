// What every resource handler gets: the request, the parsed request info, the user, and the server's parts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AdmissionChain } from '../admission.js';
import type { DecodeWorker } from '../endpoints/decode-worker.js';
import type { UserInfo } from '../authn.js';
import type { NodeConfigz } from './node-proxy.js';
import type { ResourceRequestInfo } from '../request-info.js';
import type { ResourceInfo } from '../resources.js';
import type { KubeObject, ObjectStore } from '../store.js';

/** How a pod's container log is read: the kubelet plugs in here (issue 5). */
export interface PodLogOptions {
  follow: boolean;
  tailLines?: number;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
}
export type PodLogs = (pod: KubeObject, container: string, options: PodLogOptions, signal: AbortSignal) => AsyncIterable<string | Uint8Array>;

export interface ServerParts {
  store: ObjectStore;
  admission: AdmissionChain;
  maxRequestBodyBytes: number;
  /** Decodes large bodies off the event loop. */
  decoder: DecodeWorker;
  podLogs: () => PodLogs;
  /** What each node's kubelet answers on /configz (nodes/proxy). */
  nodeConfigz: () => NodeConfigz;
  /** Pods on a node are deleted gracefully: deletionTimestamp now, removal by the kubelet (store.delete). */
  gracefulPodDeletion: boolean;
  /** Deletes every namespaced object in a namespace (the namespace controller's job). */
  purgeNamespace: (namespace: string) => void;
  /** Authorizes an attribute set for a user (used by SelfSubjectAccessReview). */
  authorize: (user: UserInfo, attributes: AuthorizationRequest) => { allowed: boolean; reason: string };
  /** The rules that apply to a user in a namespace (SelfSubjectRulesReview). */
  rulesFor: (user: UserInfo, namespace: string) => unknown;
}

export interface AuthorizationRequest {
  verb: string;
  resourceRequest: boolean;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceRequestInfo;
  resource: ResourceInfo;
  query: URLSearchParams;
  user: UserInfo;
  parts: ServerParts;
  /** Set when the request is audited: a create fills in the name it decoded from the body (objectRef.name). */
  audited?: { name: string };
  /** Answer `object` as JSON (or as a Table when asked for and `table` is true). */
  respond: (code: number, object: unknown, options?: { table?: boolean }) => void;
}
