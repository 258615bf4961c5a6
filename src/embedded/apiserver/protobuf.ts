// Decodes application/vnd.kubernetes.protobuf request bodies into the JSON a JSON client would send.
// Follows k8s.io/apimachinery/pkg/runtime/serializer/protobuf/protobuf.go (the "k8s\0" magic and runtime.Unknown
// envelope); field numbers are wire facts from the generated.proto files of k8s.io/apimachinery meta/v1 and
// runtime, and k8s.io/api core/v1, rbac/v1, authorization/v1.
import protobuf from 'protobufjs';

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

/** The body is not a well-formed Kubernetes protobuf message (the server answers 400 BadRequest). */
export class ProtobufDecodeError extends Error {
  override readonly name = 'ProtobufDecodeError';
}

/** The envelope names a kind this decoder has no message definition for (the server answers 415). */
export class ProtobufKindNotSupportedError extends Error {
  override readonly name = 'ProtobufKindNotSupportedError';
  constructor(
    readonly apiVersion: string,
    readonly kind: string,
  ) {
    super(`no protobuf message definition for ${apiVersion === '' ? '' : apiVersion + ', '}Kind=${kind}`);
  }
}

/** The four bytes every Kubernetes protobuf body starts with. */
export const PROTOBUF_MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

type FieldSpec = [name: string, id: number, type: string, rule?: 'repeated' | 'map', valueType?: string];

// One line per field: [json name, field number, type, rule, map value type].
const MESSAGES: Record<string, FieldSpec[]> = {
  // k8s.io/apimachinery/pkg/runtime/generated.proto
  TypeMeta: [
    ['apiVersion', 1, 'string'],
    ['kind', 2, 'string'],
  ],
  Unknown: [
    ['typeMeta', 1, 'TypeMeta'],
    ['raw', 2, 'bytes'],
    ['contentEncoding', 3, 'string'],
    ['contentType', 4, 'string'],
  ],
  // k8s.io/apimachinery/pkg/apis/meta/v1/generated.proto
  Time: [
    ['seconds', 1, 'int64'],
    ['nanos', 2, 'int32'],
  ],
  MicroTime: [
    ['seconds', 1, 'int64'],
    ['nanos', 2, 'int32'],
  ],
  ObjectMeta: [
    ['name', 1, 'string'],
    ['generateName', 2, 'string'],
    ['namespace', 3, 'string'],
    ['selfLink', 4, 'string'],
    ['uid', 5, 'string'],
    ['resourceVersion', 6, 'string'],
    ['generation', 7, 'int64'],
    ['creationTimestamp', 8, 'Time'],
    ['deletionTimestamp', 9, 'Time'],
    ['deletionGracePeriodSeconds', 10, 'int64'],
    ['labels', 11, 'string', 'map', 'string'],
    ['annotations', 12, 'string', 'map', 'string'],
    ['ownerReferences', 13, 'OwnerReference', 'repeated'],
    ['finalizers', 14, 'string', 'repeated'],
  ],
  OwnerReference: [
    ['kind', 1, 'string'],
    ['name', 3, 'string'],
    ['uid', 4, 'string'],
    ['apiVersion', 5, 'string'],
    ['controller', 6, 'bool'],
    ['blockOwnerDeletion', 7, 'bool'],
  ],
  LabelSelector: [
    ['matchLabels', 1, 'string', 'map', 'string'],
    ['matchExpressions', 2, 'LabelSelectorRequirement', 'repeated'],
  ],
  LabelSelectorRequirement: [
    ['key', 1, 'string'],
    ['operator', 2, 'string'],
    ['values', 3, 'string', 'repeated'],
  ],
  // k8s.io/api/core/v1/generated.proto
  Namespace: [
    ['metadata', 1, 'ObjectMeta'],
    ['spec', 2, 'NamespaceSpec'],
    ['status', 3, 'NamespaceStatus'],
  ],
  NamespaceSpec: [['finalizers', 1, 'string', 'repeated']],
  NamespaceStatus: [['phase', 1, 'string']],
  Secret: [
    ['metadata', 1, 'ObjectMeta'],
    ['data', 2, 'bytes', 'map', 'bytes'],
    ['type', 3, 'string'],
    ['stringData', 4, 'string', 'map', 'string'],
    ['immutable', 5, 'bool'],
  ],
  ConfigMap: [
    ['metadata', 1, 'ObjectMeta'],
    ['data', 2, 'string', 'map', 'string'],
    ['binaryData', 3, 'bytes', 'map', 'bytes'],
    ['immutable', 4, 'bool'],
  ],
  ServiceAccount: [
    ['metadata', 1, 'ObjectMeta'],
    ['secrets', 2, 'ObjectReference', 'repeated'],
    ['imagePullSecrets', 3, 'LocalObjectReference', 'repeated'],
    ['automountServiceAccountToken', 4, 'bool'],
  ],
  LocalObjectReference: [['name', 1, 'string']],
  ObjectReference: [
    ['kind', 1, 'string'],
    ['namespace', 2, 'string'],
    ['name', 3, 'string'],
    ['uid', 4, 'string'],
    ['apiVersion', 5, 'string'],
    ['resourceVersion', 6, 'string'],
    ['fieldPath', 7, 'string'],
  ],
  Event: [
    ['metadata', 1, 'ObjectMeta'],
    ['involvedObject', 2, 'ObjectReference'],
    ['reason', 3, 'string'],
    ['message', 4, 'string'],
    ['source', 5, 'EventSource'],
    ['firstTimestamp', 6, 'Time'],
    ['lastTimestamp', 7, 'Time'],
    ['count', 8, 'int32'],
    ['type', 9, 'string'],
    ['eventTime', 10, 'MicroTime'],
    ['series', 11, 'EventSeries'],
    ['action', 12, 'string'],
    ['related', 13, 'ObjectReference'],
    ['reportingComponent', 14, 'string'],
    ['reportingInstance', 15, 'string'],
  ],
  EventSource: [
    ['component', 1, 'string'],
    ['host', 2, 'string'],
  ],
  EventSeries: [
    ['count', 1, 'int32'],
    ['lastObservedTime', 2, 'MicroTime'],
  ],
  // k8s.io/api/rbac/v1/generated.proto
  PolicyRule: [
    ['verbs', 1, 'string', 'repeated'],
    ['apiGroups', 2, 'string', 'repeated'],
    ['resources', 3, 'string', 'repeated'],
    ['resourceNames', 4, 'string', 'repeated'],
    ['nonResourceURLs', 5, 'string', 'repeated'],
  ],
  Role: [
    ['metadata', 1, 'ObjectMeta'],
    ['rules', 2, 'PolicyRule', 'repeated'],
  ],
  ClusterRole: [
    ['metadata', 1, 'ObjectMeta'],
    ['rules', 2, 'PolicyRule', 'repeated'],
    ['aggregationRule', 3, 'AggregationRule'],
  ],
  AggregationRule: [['clusterRoleSelectors', 1, 'LabelSelector', 'repeated']],
  Subject: [
    ['kind', 1, 'string'],
    ['apiGroup', 2, 'string'],
    ['name', 3, 'string'],
    ['namespace', 4, 'string'],
  ],
  RoleRef: [
    ['apiGroup', 1, 'string'],
    ['kind', 2, 'string'],
    ['name', 3, 'string'],
  ],
  RoleBinding: [
    ['metadata', 1, 'ObjectMeta'],
    ['subjects', 2, 'Subject', 'repeated'],
    ['roleRef', 3, 'RoleRef'],
  ],
  ClusterRoleBinding: [
    ['metadata', 1, 'ObjectMeta'],
    ['subjects', 2, 'Subject', 'repeated'],
    ['roleRef', 3, 'RoleRef'],
  ],
  // k8s.io/api/authorization/v1/generated.proto
  SelfSubjectAccessReview: [
    ['metadata', 1, 'ObjectMeta'],
    ['spec', 2, 'SelfSubjectAccessReviewSpec'],
    ['status', 3, 'SubjectAccessReviewStatus'],
  ],
  SelfSubjectAccessReviewSpec: [
    ['resourceAttributes', 1, 'ResourceAttributes'],
    ['nonResourceAttributes', 2, 'NonResourceAttributes'],
  ],
  ResourceAttributes: [
    ['namespace', 1, 'string'],
    ['verb', 2, 'string'],
    ['group', 3, 'string'],
    ['version', 4, 'string'],
    ['resource', 5, 'string'],
    ['subresource', 6, 'string'],
    ['name', 7, 'string'],
  ],
  NonResourceAttributes: [
    ['path', 1, 'string'],
    ['verb', 2, 'string'],
  ],
  SubjectAccessReviewStatus: [
    ['allowed', 1, 'bool'],
    ['denied', 4, 'bool'],
    ['reason', 2, 'string'],
    ['evaluationError', 3, 'string'],
  ],
  SelfSubjectRulesReview: [
    ['metadata', 1, 'ObjectMeta'],
    ['spec', 2, 'SelfSubjectRulesReviewSpec'],
    ['status', 3, 'SubjectRulesReviewStatus'],
  ],
  SelfSubjectRulesReviewSpec: [['namespace', 1, 'string']],
  SubjectRulesReviewStatus: [
    ['resourceRules', 1, 'ResourceRule', 'repeated'],
    ['nonResourceRules', 2, 'NonResourceRule', 'repeated'],
    ['incomplete', 3, 'bool'],
    ['evaluationError', 4, 'string'],
  ],
  ResourceRule: [
    ['verbs', 1, 'string', 'repeated'],
    ['apiGroups', 2, 'string', 'repeated'],
    ['resources', 3, 'string', 'repeated'],
    ['resourceNames', 4, 'string', 'repeated'],
  ],
  NonResourceRule: [
    ['verbs', 1, 'string', 'repeated'],
    ['nonResourceURLs', 2, 'string', 'repeated'],
  ],
};

// Go fields without `omitempty`: a JSON client sends them even when empty, so the decoder keeps them too.
const KEPT_WHEN_EMPTY = new Set([
  'Subject.kind',
  'Subject.name',
  'RoleRef.apiGroup',
  'RoleRef.kind',
  'RoleRef.name',
  'SubjectAccessReviewStatus.allowed',
  'SubjectRulesReviewStatus.incomplete',
]);
// Go pointer fields (*bool, *int64): present on the wire only when set, so a false or 0 is meaningful.
const POINTER_FIELDS = new Set([
  'Secret.immutable',
  'ConfigMap.immutable',
  'ServiceAccount.automountServiceAccountToken',
  'ObjectMeta.deletionGracePeriodSeconds',
  'OwnerReference.controller',
  'OwnerReference.blockOwnerDeletion',
]);

/** Kinds this decoder serves, keyed by `apiVersion/kind` as they appear in the envelope's TypeMeta. */
export const PROTOBUF_KINDS: ReadonlyMap<string, string> = new Map([
  ['v1/Namespace', 'Namespace'],
  ['v1/Secret', 'Secret'],
  ['v1/ConfigMap', 'ConfigMap'],
  ['v1/ServiceAccount', 'ServiceAccount'],
  ['v1/Event', 'Event'],
  ['rbac.authorization.k8s.io/v1/Role', 'Role'],
  ['rbac.authorization.k8s.io/v1/ClusterRole', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1/RoleBinding', 'RoleBinding'],
  ['rbac.authorization.k8s.io/v1/ClusterRoleBinding', 'ClusterRoleBinding'],
  ['authorization.k8s.io/v1/SelfSubjectAccessReview', 'SelfSubjectAccessReview'],
  ['authorization.k8s.io/v1/SelfSubjectRulesReview', 'SelfSubjectRulesReview'],
]);

const root = buildRoot();

function buildRoot(): protobuf.Root {
  const nested: Record<string, { edition: string; fields: Record<string, object> }> = {};
  for (const [message, fields] of Object.entries(MESSAGES)) {
    const out: Record<string, object> = {};
    for (const [name, id, type, rule, valueType] of fields) {
      if (rule === 'map') out[name] = { keyType: 'string', type: valueType ?? type, id };
      else if (rule === 'repeated') out[name] = { rule: 'repeated', type, id, options: { packed: false } };
      else out[name] = { type, id };
    }
    // proto2, as upstream's generated.proto: explicit presence, so a set `false` (a *bool) survives decoding.
    nested[message] = { edition: 'proto2', fields: out };
  }
  return protobuf.Root.fromJSON({ nested: { k8s: { nested } } } as protobuf.INamespace);
}

function messageType(name: string): protobuf.Type {
  return root.lookupType(`k8s.${name}`);
}

/** Decodes a `k8s\0`-prefixed runtime.Unknown body; the object is returned as a JSON client would send it. */
export function decodeKubernetesProtobuf(body: Buffer): DecodedObject {
  if (body.length < PROTOBUF_MAGIC.length || !body.subarray(0, PROTOBUF_MAGIC.length).equals(PROTOBUF_MAGIC)) {
    throw new ProtobufDecodeError('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  }
  const unknown = decodeMessage('Unknown', body.subarray(PROTOBUF_MAGIC.length));
  const typeMeta = (unknown['typeMeta'] ?? {}) as { apiVersion?: string; kind?: string };
  const apiVersion = typeMeta.apiVersion ?? '';
  const kind = typeMeta.kind ?? '';
  if (kind === '') throw new ProtobufDecodeError("Object 'Kind' is missing in protobuf envelope");
  const contentEncoding = unknown['contentEncoding'];
  if (typeof contentEncoding === 'string' && contentEncoding !== '') {
    throw new ProtobufDecodeError(`unsupported protobuf content encoding "${contentEncoding}"`);
  }
  const messageName = PROTOBUF_KINDS.get(`${apiVersion}/${kind}`);
  if (messageName === undefined) throw new ProtobufKindNotSupportedError(apiVersion, kind);
  const raw = unknown['raw'];
  const object = toJson(messageName, decodeMessage(messageName, raw instanceof Uint8Array ? raw : new Uint8Array()));
  return { apiVersion, kind, object: { kind, apiVersion, ...object } };
}

function decodeMessage(name: string, bytes: Uint8Array): Record<string, unknown> {
  try {
    return messageType(name).decode(bytes) as unknown as Record<string, unknown>;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ProtobufDecodeError(`unable to decode protobuf ${name}: ${reason}`);
  }
}

// Converts a decoded message to Kubernetes JSON: Time as RFC 3339, bytes as base64, empty omitempty fields dropped.
function toJson(typeName: string, message: Record<string, unknown>): Record<string, unknown> {
  const type = messageType(typeName);
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (!Object.prototype.hasOwnProperty.call(message, field.name)) continue;
    const value = message[field.name];
    const key = `${typeName}.${field.name}`;
    if (field.map) {
      const entries = Object.entries(value as Record<string, unknown>);
      if (entries.length === 0) continue;
      out[field.name] = Object.fromEntries(entries.map(([k, v]) => [k, scalarToJson(field.type, v)]));
    } else if (field.repeated) {
      const items = value as unknown[];
      if (items.length === 0) continue;
      out[field.name] = items.map((item) => valueToJson(field, item));
    } else {
      const converted = valueToJson(field, value);
      if (isEmptyScalar(converted) && !KEPT_WHEN_EMPTY.has(key) && !POINTER_FIELDS.has(key)) continue;
      out[field.name] = converted;
    }
  }
  return out;
}

function valueToJson(field: protobuf.Field, value: unknown): unknown {
  if (field.type === 'Time') return timeToJson(value as Record<string, unknown>, false);
  if (field.type === 'MicroTime') return timeToJson(value as Record<string, unknown>, true);
  if (MESSAGES[field.type] !== undefined) return toJson(field.type, value as Record<string, unknown>);
  return scalarToJson(field.type, value);
}

function scalarToJson(type: string, value: unknown): unknown {
  if (type === 'bytes') return Buffer.from(value as Uint8Array).toString('base64');
  if (type === 'int64') return longToNumber(value);
  return value;
}

function longToNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (value !== null && typeof value === 'object' && 'low' in value && 'high' in value) {
    const { low, high } = value as { low: number; high: number };
    return high * 2 ** 32 + (low >>> 0);
  }
  return Number(value);
}

function isEmptyScalar(value: unknown): boolean {
  return value === '' || value === 0 || value === false;
}

// meta/v1 Time marshals to RFC 3339 in seconds; MicroTime to microseconds; the zero time to null.
function timeToJson(time: Record<string, unknown>, micro: boolean): string | null {
  const seconds = longToNumber(time['seconds'] ?? 0);
  const nanos = typeof time['nanos'] === 'number' ? time['nanos'] : 0;
  if (seconds === 0 && nanos === 0) return null;
  const base = new Date(seconds * 1000).toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  return `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z`;
}

/** Encodes an object in the wire format kubectl uses; for tests and for answering protobuf-only clients. */
export function encodeKubernetesProtobuf(apiVersion: string, kind: string, object: Record<string, unknown>): Buffer {
  const messageName = PROTOBUF_KINDS.get(`${apiVersion}/${kind}`);
  if (messageName === undefined) throw new ProtobufKindNotSupportedError(apiVersion, kind);
  const raw = messageType(messageName).encode(fromJson(messageName, object)).finish();
  const envelope = messageType('Unknown').encode({ typeMeta: { apiVersion, kind }, raw, contentEncoding: '', contentType: '' }).finish();
  return Buffer.concat([PROTOBUF_MAGIC, envelope]);
}

function fromJson(typeName: string, json: Record<string, unknown>): Record<string, unknown> {
  const type = messageType(typeName);
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    const value = json[field.name];
    if (value === undefined || value === null) continue;
    if (field.map) {
      out[field.name] = Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, field.type === 'bytes' ? Buffer.from(String(v), 'base64') : v]));
    } else if (field.repeated) {
      out[field.name] = (value as unknown[]).map((item) => fieldFromJson(field, item));
    } else {
      out[field.name] = fieldFromJson(field, value);
    }
  }
  return out;
}

function fieldFromJson(field: protobuf.Field, value: unknown): unknown {
  if (field.type === 'Time' || field.type === 'MicroTime') {
    const text = String(value);
    const ms = Date.parse(text);
    if (Number.isNaN(ms)) throw new ProtobufDecodeError(`${field.name}: invalid time ${JSON.stringify(text)}`);
    const fraction = /\.(\d{1,9})Z$/.exec(text)?.[1] ?? '';
    return { seconds: Math.floor(ms / 1000), nanos: Number(fraction.padEnd(9, '0')) };
  }
  if (MESSAGES[field.type] !== undefined) return fromJson(field.type, value as Record<string, unknown>);
  if (field.type === 'bytes') return Buffer.from(String(value), 'base64');
  return value;
}
