// API errors as the Kubernetes API server writes them: metav1.Status builders
// (k8s.io/apimachinery/pkg/api/errors/errors.go), field errors (pkg/util/validation/field/errors.go)
// and aggregates (pkg/util/errors/errors.go). Messages match upstream byte for byte.

export type StatusReason =
  | 'Unauthorized'
  | 'Forbidden'
  | 'NotFound'
  | 'AlreadyExists'
  | 'Conflict'
  | 'Gone'
  | 'Invalid'
  | 'ServerTimeout'
  | 'Timeout'
  | 'TooManyRequests'
  | 'BadRequest'
  | 'MethodNotAllowed'
  | 'NotAcceptable'
  | 'RequestEntityTooLarge'
  | 'UnsupportedMediaType'
  | 'InternalError'
  | 'Expired'
  | 'ServiceUnavailable';

export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

/** metav1.Status JSON. `reason` is omitted for StatusReasonUnknown (""), as Go's omitempty does. */
export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, never>;
  status: 'Failure';
  message: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** apierrors.StatusError: an error that carries the Status the API server answers with. */
export class StatusError extends Error {
  override readonly name = 'StatusError';
  readonly status: Status;
  constructor(status: Omit<Status, 'kind' | 'apiVersion' | 'metadata' | 'status'>) {
    super(status.message);
    this.status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', ...status };
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): StatusReason | undefined {
    return this.status.reason;
  }
}

/** schema.GroupResource; `group` is "" for the core group. */
export interface GroupResource {
  group: string;
  resource: string;
}
/** schema.GroupKind. */
export interface GroupKind {
  group: string;
  kind: string;
}

/** GroupResource.String() (apimachinery schema/group_version.go): `pods`, `deployments.apps`. */
export function groupResourceString(gr: GroupResource): string {
  return gr.group === '' ? gr.resource : `${gr.resource}.${gr.group}`;
}
/** GroupKind.String(): `Pod`, `Deployment.apps`. */
export function groupKindString(gk: GroupKind): string {
  return gk.group === '' ? gk.kind : `${gk.kind}.${gk.group}`;
}

/** Go's %q / strconv.Quote for a string: JSON-like, but \x hex escapes for control bytes and DEL. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\x07') out += '\\a';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\v') out += '\\v';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if ((cp >= 0x80 && cp < 0xa0) || cp === 0xad) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

// ---------------------------------------------------------------------------------------------
// Status builders (apimachinery pkg/api/errors/errors.go)

function detailsFor(gr: GroupResource, name: string): StatusDetails {
  const d: StatusDetails = {};
  if (gr.group) d.group = gr.group;
  if (gr.resource) d.kind = gr.resource;
  if (name) d.name = name;
  return d;
}

/** NewNotFound: `pods "x" not found`, 404. */
export function newNotFound(resource: GroupResource, name: string): StatusError {
  return new StatusError({
    code: 404,
    reason: 'NotFound',
    details: detailsFor(resource, name),
    message: `${groupResourceString(resource)} ${goQuote(name)} not found`,
  });
}

/** NewAlreadyExists: `pods "x" already exists`, 409. */
export function newAlreadyExists(resource: GroupResource, name: string): StatusError {
  return new StatusError({
    code: 409,
    reason: 'AlreadyExists',
    details: detailsFor(resource, name),
    message: `${groupResourceString(resource)} ${goQuote(name)} already exists`,
  });
}

/**
 * NewForbidden, 403: `pods "x" is forbidden: <err>`; without a name `secrets is forbidden: <err>`;
 * without a resource `forbidden: <err>`.
 */
export function newForbidden(resource: GroupResource, name: string, err: Error | string): StatusError {
  const text = typeof err === 'string' ? err : err.message;
  let message: string;
  if (resource.group === '' && resource.resource === '') message = `forbidden: ${text}`;
  else if (name === '') message = `${groupResourceString(resource)} is forbidden: ${text}`;
  else message = `${groupResourceString(resource)} ${goQuote(name)} is forbidden: ${text}`;
  return new StatusError({ code: 403, reason: 'Forbidden', details: detailsFor(resource, name), message });
}

/** What the authorizer was asked, as responsewriters.forbiddenMessage reads it. */
export interface AuthorizationAttributes {
  user: string;
  verb: string;
  /** Non-resource requests (e.g. /version) set path and leave resource empty. */
  resource?: string;
  subresource?: string;
  apiGroup?: string;
  namespace?: string;
  name?: string;
  path?: string;
}

/**
 * forbiddenMessage (k8s.io/apiserver pkg/endpoints/handlers/responsewriters/errors.go):
 * `User "admin2" cannot list resource "secrets" in API group "" in the namespace "tenant-a"`.
 */
export function forbiddenMessage(a: AuthorizationAttributes): string {
  if (!a.resource) return `User ${goQuote(a.user)} cannot ${a.verb} path ${goQuote(a.path ?? '')}`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const group = goQuote(a.apiGroup ?? '');
  if (a.namespace) {
    return `User ${goQuote(a.user)} cannot ${a.verb} resource ${goQuote(resource)} in API group ${group} in the namespace ${goQuote(a.namespace)}`;
  }
  return `User ${goQuote(a.user)} cannot ${a.verb} resource ${goQuote(resource)} in API group ${group} at the cluster scope`;
}

/**
 * responsewriters.Forbidden (k8s.io/apiserver …/responsewriters/errors.go): the 403 an authorizer denial produces,
 * e.g. `secrets is forbidden: User "admin2" cannot list resource "secrets" in API group "" in the namespace "tenant-a"`.
 */
export function newAuthorizationForbidden(a: AuthorizationAttributes, reason = ''): StatusError {
  const msg = forbiddenMessage(a);
  const err = reason ? `${msg}: ${reason}` : msg;
  return newForbidden({ group: a.apiGroup ?? '', resource: a.resource ?? '' }, a.name ?? '', err);
}

/** NewConflict: `Operation cannot be fulfilled on pods "x": <err>`, 409. */
export function newConflict(resource: GroupResource, name: string, err: Error | string): StatusError {
  const text = typeof err === 'string' ? err : err.message;
  return new StatusError({
    code: 409,
    reason: 'Conflict',
    details: detailsFor(resource, name),
    message: `Operation cannot be fulfilled on ${groupResourceString(resource)} ${goQuote(name)}: ${text}`,
  });
}

/** NewBadRequest: the reason is the message, 400. */
export function newBadRequest(reason: string): StatusError {
  return new StatusError({ code: 400, reason: 'BadRequest', message: reason });
}

/** NewInvalid: `Pod "x" is invalid: <aggregate of field errors>`, 422, one cause per field error. */
export function newInvalid(kind: GroupKind, name: string, errs: readonly FieldError[]): StatusError {
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: e.errorBody(), field: e.field }));
  const agg = fieldErrorListToAggregate(errs);
  const head = `${groupKindString(kind)} ${goQuote(name)} is invalid`;
  const details: StatusDetails = { causes };
  if (kind.group) details.group = kind.group;
  if (kind.kind) details.kind = kind.kind;
  if (name) details.name = name;
  return new StatusError({
    code: 422,
    reason: 'Invalid',
    details,
    message: agg ? `${head}: ${agg.message}` : head,
  });
}

/** NewInternalError: `Internal error occurred: <err>`, 500. */
export function newInternalError(err: Error | string): StatusError {
  const text = typeof err === 'string' ? err : err.message;
  return new StatusError({
    code: 500,
    reason: 'InternalError',
    details: { causes: [{ message: text }] },
    message: `Internal error occurred: ${text}`,
  });
}

/** NewMethodNotSupported: `<action> is not supported on resources of kind "pods"`, 405. */
export function newMethodNotSupported(resource: GroupResource, action: string): StatusError {
  const details: StatusDetails = { kind: resource.resource };
  if (resource.group) details.group = resource.group;
  return new StatusError({
    code: 405,
    reason: 'MethodNotAllowed',
    details,
    message: `${action} is not supported on resources of kind ${goQuote(groupResourceString(resource))}`,
  });
}

/**
 * errUnsupportedMediaType (k8s.io/apiserver pkg/endpoints/handlers/negotiation/errors.go), 415:
 * `the body of the request was in an unknown format - accepted media types include: …`.
 */
export function newUnsupportedMediaType(accepted: readonly string[]): StatusError {
  return new StatusError({
    code: 415,
    reason: 'UnsupportedMediaType',
    message: `the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`,
  });
}

/** NewRequestEntityTooLargeError: `Request entity too large: <message>`, 413. */
export function newRequestEntityTooLarge(message: string): StatusError {
  return new StatusError({
    code: 413,
    reason: 'RequestEntityTooLarge',
    message: `Request entity too large: ${message}`,
  });
}

/**
 * responsewriters.ErrorToAPIStatus (k8s.io/apiserver …/responsewriters/status.go): a StatusError keeps its Status;
 * anything else (an Aggregate included) becomes 500 with StatusReasonUnknown ("", omitted) and err.Error() as message.
 */
export function errorToAPIStatus(err: Error): Status {
  if (err instanceof StatusError) return err.status;
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: err.message, code: 500 };
}

/** errorToAPIStatus as a throwable StatusError. */
export function toStatusError(err: Error): StatusError {
  if (err instanceof StatusError) return err;
  const { message, code, reason, details } = errorToAPIStatus(err);
  return new StatusError({ message, code, ...(reason ? { reason } : {}), ...(details ? { details } : {}) });
}

// ---------------------------------------------------------------------------------------------
// Aggregate (apimachinery pkg/util/errors/errors.go)

/** utilerrors.Aggregate: one error prints bare; several print as `[a, b]` with duplicate messages removed. */
export class Aggregate extends Error {
  override readonly name = 'Aggregate';
  readonly errors: readonly Error[];
  constructor(errors: readonly Error[]) {
    super(aggregateMessage(errors));
    this.errors = errors;
  }
}

function flatten(errors: readonly Error[]): Error[] {
  return errors.flatMap((e) => (e instanceof Aggregate ? flatten(e.errors) : [e]));
}

function aggregateMessage(errors: readonly Error[]): string {
  if (errors.length === 0) return '';
  if (errors.length === 1) return errors[0]?.message ?? '';
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const e of flatten(errors)) {
    if (seen.has(e.message)) continue;
    seen.add(e.message);
    parts.push(e.message);
  }
  return parts.length === 1 ? (parts[0] ?? '') : `[${parts.join(', ')}]`;
}

/** utilerrors.NewAggregate: undefined for no errors (Go's nil), nullish entries dropped. */
export function aggregate(errors: readonly (Error | null | undefined)[]): Aggregate | undefined {
  const list = errors.filter((e): e is Error => e != null);
  return list.length === 0 ? undefined : new Aggregate(list);
}

// ---------------------------------------------------------------------------------------------
// Field errors (apimachinery pkg/util/validation/field/errors.go)

/** field.ErrorType values (the Status cause `reason`) and their String() texts. */
export const fieldErrorTypes = {
  FieldValueNotFound: 'Not found',
  FieldValueRequired: 'Required value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  InternalError: 'Internal error',
  FieldValueTypeInvalid: 'Invalid value',
} as const;
export type FieldErrorType = keyof typeof fieldErrorTypes;

const omitValue = Symbol('omitValue');
// Types whose ErrorBody never prints the value.
const valueless = new Set<FieldErrorType>(['FieldValueRequired', 'FieldValueForbidden', 'FieldValueTooLong', 'InternalError']);

/** field.Error: `<field>: <type>[: <value>][: <detail>]`. */
export class FieldError extends Error {
  override readonly name = 'FieldError';
  constructor(
    readonly type: FieldErrorType,
    readonly field: string,
    readonly badValue: unknown,
    readonly detail: string,
  ) {
    super('');
    this.message = `${field}: ${this.errorBody()}`;
  }

  /** ErrorBody: the message without the field path (the Status cause message). */
  errorBody(): string {
    let s: string = fieldErrorTypes[this.type];
    if (!valueless.has(this.type) && this.badValue !== omitValue) {
      s += `: ${formatBadValue(this.badValue)}`;
    }
    if (this.detail.length !== 0) s += `: ${this.detail}`;
    return s;
  }

  override toString(): string {
    return this.message;
  }
}

/** ErrorBody's value printing: nil → "null" (quoted, as upstream substitutes the string), strings %q, simple types %v. */
function formatBadValue(v: unknown): string {
  if (v === null || v === undefined) return goQuote('null');
  if (typeof v === 'string') return goQuote(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return JSON.stringify(v) ?? String(v);
}

/** field.Required: `spec.containers[0].image: Required value`. */
export function fieldRequired(path: string, detail = ''): FieldError {
  return new FieldError('FieldValueRequired', path, '', detail);
}
/** field.Invalid: `<path>: Invalid value: "<v>": <detail>`. */
export function fieldInvalid(path: string, value: unknown, detail = ''): FieldError {
  return new FieldError('FieldValueInvalid', path, value, detail);
}
/** field.NotSupported: `<path>: Unsupported value: "<v>": supported values: "a", "b"`. */
export function fieldNotSupported(path: string, value: unknown, validValues: readonly string[]): FieldError {
  const detail = validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(', ')}` : '';
  return new FieldError('FieldValueNotSupported', path, value, detail);
}
/** field.Forbidden: `<path>: Forbidden: <detail>`. */
export function fieldForbidden(path: string, detail: string): FieldError {
  return new FieldError('FieldValueForbidden', path, '', detail);
}
/** field.Duplicate: `<path>: Duplicate value: "<v>"`. */
export function fieldDuplicate(path: string, value: unknown): FieldError {
  return new FieldError('FieldValueDuplicate', path, value, '');
}
/** field.NotFound: `<path>: Not found: "<v>"`. */
export function fieldNotFound(path: string, value: unknown): FieldError {
  return new FieldError('FieldValueNotFound', path, value, '');
}
/** field.InternalError: `<path>: Internal error: <err>`. */
export function fieldInternalError(path: string, err: Error | string): FieldError {
  return new FieldError('InternalError', path, omitValue, typeof err === 'string' ? err : err.message);
}

/** ErrorList.ToAggregate: duplicate messages dropped, then utilerrors.NewAggregate. */
export function fieldErrorListToAggregate(errs: readonly FieldError[]): Aggregate | undefined {
  const seen = new Set<string>();
  const unique = errs.filter((e) => (seen.has(e.message) ? false : (seen.add(e.message), true)));
  return aggregate(unique);
}

/**
 * A connection reset or closed before the answer, in the words Node and node-fetch use (apimachinery's
 * net.IsConnectionReset / IsProbableEOF): what client-go retries a GET after.
 */
export function isConnectionReset(text: string): boolean {
  return /ECONNRESET|EPIPE|socket hang up|socket disconnected|\bEOF\b|unexpected end|reason: read\b/i.test(text);
}
