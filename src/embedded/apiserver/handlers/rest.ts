// The generic REST verbs over the object store, in the order upstream's handlers run them
// (k8s.io/apiserver/pkg/endpoints/handlers/{create,get,update,patch,delete,watch}.go):
// decode → defaulting → mutating admission → strategy validation → validating admission → store.
import { fieldInvalid, newBadRequest, newInvalid, newMethodNotSupported, newUnsupportedMediaType, type FieldError, type StatusError } from '../../../k8s/api-errors.js';
import { decodeObjectBody, mediaType, objectMediaTypes, parseJsonObject, protobufMediaType, readBody } from '../body.js';
import { cannotBeHandled, decodeObject, parsePatchDocument, type DecodeOutcome, type ExpectedKind } from '../endpoints/decode.js';
import { decodeBody, type TooLarge } from '../endpoints/decode-worker.js';
import { warningHeaderValue } from '../field-validation.js';
import { etcdError } from '../store.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch } from '../patch.js';
import { groupVersion } from '../resources.js';
import { selectorPredicate } from '../selectors.js';
import type { KubeObject, ObjectStore } from '../store.js';
import type { AdmissionContext } from '../admission.js';
import { strategyFor } from '../registry/index.js';
import { prevalidateLabels } from '../validation.js';
import { applyDefaults, prepareForCreate, prepareForStorage, prepareForUpdate, validateCreate, validateUpdate } from '../strategy.js';
import { openWatchStream, sendWatchError } from '../watch.js';
import type { RequestContext } from './context.js';

type Json = Record<string, unknown>;

/**
 * Lets other requests run between the stages of a write: a large object costs tens of milliseconds per stage,
 * and no tenant's write should hold the event loop for all of them at once.
 */
const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** dryRun=All on any write; other values are upstream's 400. */
function isDryRun(query: URLSearchParams): boolean {
  const values = query.getAll('dryRun');
  if (values.length === 0) return false;
  if (values.every((v) => v === 'All')) return true;
  throw newBadRequest(`Invalid dry run argument(s): ${JSON.stringify(values)}`);
}

type FieldValidation = 'Strict' | 'Warn' | 'Ignore';
function fieldValidation(query: URLSearchParams): FieldValidation {
  const v = query.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  // handlers/rest.go fieldValidation: unknown directives are rejected.
  throw newBadRequest(`invalid fieldValidation directive: ${v}`);
}

function invalid(ctx: RequestContext, name: string, errors: FieldError[]): StatusError | undefined {
  return errors.length > 0 ? newInvalid({ group: ctx.resource.group, kind: ctx.resource.kind }, name, errors) : undefined;
}

function ensureMetadata(object: Json): KubeObject {
  if (object['metadata'] === undefined || object['metadata'] === null) object['metadata'] = {};
  if (!isObject(object['metadata'])) throw newBadRequest('metadata must be an object');
  return object as KubeObject;
}

/**
 * Applies fieldValidation to a decode's strict errors (handlers/rest.go): Strict refuses them, Warn sends each as
 * a Warning header, Ignore says nothing. Unknown fields are already dropped, as decoding into Go types does.
 */
function applyFieldValidation(ctx: RequestContext, strict: readonly string[], mode: FieldValidation, refuse: (message: string) => StatusError): void {
  if (strict.length === 0) return;
  if (mode === 'Strict') throw refuse(`strict decoding error: ${strict.join(', ')}`);
  if (mode === 'Warn') ctx.res.setHeader('Warning', strict.map(warningHeaderValue));
}

/** The admission context of one write: who asks, dryRun, the options, and a sink for policy warnings. */
function admissionContext(ctx: RequestContext, dryRun: boolean, options: Json): AdmissionContext {
  return { store: ctx.parts.store, user: ctx.user, dryRun, options, authorize: ctx.parts.authorize, warnings: [] };
}

/** Adds admission warnings to the Warning headers already set (field validation's), as upstream's warning recorder. */
function sendAdmissionWarnings(ctx: RequestContext, admission: AdmissionContext): void {
  if (!admission.warnings || admission.warnings.length === 0) return;
  const existing = ctx.res.getHeader('Warning');
  const before = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  ctx.res.setHeader('Warning', [...before, ...admission.warnings.map(warningHeaderValue)]);
}

/** CreateOptions/UpdateOptions as a request carries them in the query (what `request.options` shows policies). */
function writeOptions(kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions', query: URLSearchParams): Json {
  const options: Json = { kind, apiVersion: 'meta.k8s.io/v1' };
  const dryRun = query.getAll('dryRun');
  if (dryRun.length > 0) options['dryRun'] = dryRun;
  const fieldManager = query.get('fieldManager');
  if (fieldManager) options['fieldManager'] = fieldManager;
  const fieldValidation = query.get('fieldValidation');
  if (fieldValidation) options['fieldValidation'] = fieldValidation;
  return options;
}

const expected = (ctx: RequestContext): ExpectedKind => ({ group: ctx.resource.group, version: ctx.resource.version, kind: ctx.resource.kind });

/** A decode's failure as the Status upstream answers. */
function decodeFailure(ctx: RequestContext, outcome: Exclude<DecodeOutcome | TooLarge, { ok: true }>): StatusError {
  if (outcome.ok === 'too-large') return etcdError('etcdserver: request is too large');
  if (outcome.code === 422) {
    // handlers/patch.go: a patch whose result does not decode is Invalid on the field "patch".
    return newInvalid({ group: ctx.resource.group, kind: ctx.resource.kind }, '', [fieldInvalid('patch', outcome.invalidPatchValue ?? '', outcome.message)]);
  }
  return newBadRequest(outcome.message);
}

/** Reads and decodes a create or PUT body (JSON, YAML or protobuf) as the resource's kind. */
async function readObject(ctx: RequestContext, mode: FieldValidation): Promise<KubeObject> {
  const body = await readBody(ctx.req, ctx.parts.maxRequestBodyBytes);
  const type = mediaType(ctx.req.headers['content-type']);
  if (type === protobufMediaType) {
    const decoded = decodeObjectBody(ctx.req.headers['content-type'], body, ctx.resource.kind);
    const mismatch = decodeObject(JSON.stringify({ apiVersion: decoded.object['apiVersion'], kind: decoded.object['kind'] }), 'json', {
      ...expected(ctx),
      kind: ctx.resource.kind,
    });
    if (!mismatch.ok) throw decodeFailure(ctx, mismatch);
    return ensureMetadata(decoded.object);
  }
  if (type !== '' && type !== 'application/json' && type !== 'application/yaml') throw newUnsupportedMediaType(objectMediaTypes);
  const outcome = await decodeBody(ctx.parts.decoder, {
    text: body.toString('utf8'),
    mediaType: type === 'application/yaml' ? 'yaml' : 'json',
    expect: expected(ctx),
    patch: false,
  });
  if (outcome.ok !== true) throw decodeFailure(ctx, outcome);
  applyFieldValidation(ctx, outcome.strict, mode, (message) => newBadRequest(cannotBeHandled(expected(ctx), message)));
  return ensureMetadata(outcome.object);
}

export async function handleCreate(ctx: RequestContext): Promise<void> {
  const { info, resource, parts, query } = ctx;
  if (info.name !== '' && info.subresource === '') throw newMethodNotSupported({ group: resource.group, resource: resource.resource }, 'create');
  const dryRun = isDryRun(query);
  const mode = fieldValidation(query);
  const object = await readObject(ctx, mode);
  await yieldToLoop();
  const urlNamespace = resource.namespaced ? info.namespace : '';
  if (resource.namespaced) {
    // rest.go: the body's namespace, when set, must match the URL's.
    const ns = object.metadata.namespace;
    if (ns !== undefined && ns !== '' && ns !== urlNamespace) {
      throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    object.metadata.namespace = urlNamespace;
  }
  // create.go: defaulting on decode, mutating admission, then rest.BeforeCreate (PrepareForCreate, the generated
  // name, Validate), then validating admission.
  const defaulted = applyDefaults(resource, object);
  if (ctx.audited) ctx.audited.name = defaulted.metadata.name ?? '';
  const attrs = {
    operation: 'CREATE' as const,
    group: resource.group,
    resource: resource.resource,
    subresource: '',
    name: defaulted.metadata.name ?? '',
    namespace: urlNamespace,
    kind: resource.kind,
    object: defaulted,
  };
  const admission = admissionContext(ctx, dryRun, writeOptions('CreateOptions', query));
  const admitted = parts.admission.admit(attrs, admission);
  const prepared = prepareForCreate(resource, admitted);
  const name = prepared.metadata.name ?? '';
  if (ctx.audited) ctx.audited.name = name;
  await yieldToLoop();
  await prevalidateLabels(prepared.metadata.labels);
  const err = invalid(ctx, name, validateCreate(resource, prepared));
  if (err) throw err;
  await yieldToLoop();
  parts.admission.validate({ ...attrs, object: prepared }, admission);
  sendAdmissionWarnings(ctx, admission);
  const created = parts.store.create(resource, prepareForStorage(resource, prepared), { dryRun, owned: true, shared: true });
  ctx.respond(201, created);
}

export function handleGet(ctx: RequestContext): void {
  const { info, resource, parts } = ctx;
  const object = parts.store.mustGet(resource, info.namespace, info.name, { shared: true });
  ctx.respond(200, object, { table: true });
}

const continueToken = (rv: string, offset: number): string => Buffer.from(JSON.stringify({ rv, offset })).toString('base64url');

export function handleList(ctx: RequestContext): void {
  const { info, resource, parts, query } = ctx;
  const predicate = selectorPredicate(resource.kind, query);
  const all = parts.store.list(resource, resource.namespaced && info.namespace !== '' ? info.namespace : undefined, predicate, { shared: true });
  let items = all.items;
  let offset = 0;
  let resourceVersion = all.resourceVersion;
  const token = query.get('continue');
  if (token) {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { rv: string; offset: number };
      offset = Number(parsed.offset);
      resourceVersion = String(parsed.rv);
      if (!Number.isInteger(offset) || offset < 0) throw new Error('bad offset');
    } catch {
      throw newBadRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
    }
  }
  items = items.slice(offset);
  const limit = Number(query.get('limit') ?? '0');
  const metadata: Json = { resourceVersion };
  if (Number.isInteger(limit) && limit > 0 && items.length > limit) {
    metadata['continue'] = continueToken(resourceVersion, offset + limit);
    metadata['remainingItemCount'] = items.length - limit;
    items = items.slice(0, limit);
  }
  ctx.respond(200, { kind: `${resource.kind}List`, apiVersion: groupVersion(resource), metadata, items }, { table: true });
}

export function handleWatch(ctx: RequestContext): void {
  const { info, resource, parts, query } = ctx;
  let predicate = selectorPredicate(resource.kind, query);
  if (info.name !== '') {
    const base = predicate;
    predicate = (o) => o.metadata.name === info.name && base(o);
  }
  const timeout = Number(query.get('timeoutSeconds') ?? '0');
  const stream = openWatchStream(ctx.res, Number.isFinite(timeout) ? timeout : 0);
  const asTable = wantsTable(ctx);
  const encode = (object: KubeObject): unknown => (asTable ? tableFor(ctx, object) : object);
  try {
    const stop = parts.store.watch(
      resource,
      {
        ...(resource.namespaced && info.namespace !== '' ? { namespace: info.namespace } : {}),
        ...(query.get('resourceVersion') !== null ? { resourceVersion: query.get('resourceVersion') ?? '' } : {}),
        filter: predicate,
        shared: true,
      },
      (event) => (asTable ? stream.send({ type: event.type, object: encode(event.object) }) : stream.sendEncoded(event.type, encodedJson(parts.store, event.object))),
    );
    stream.onClose(stop);
  } catch (error) {
    sendWatchError(stream, error as StatusError);
  }
}

// Stored objects never change in place, so one JSON text per object serves every watcher of it.
const jsonCache = new WeakMap<object, string>();
function encodedJson(store: ObjectStore, object: KubeObject): string {
  let json = store.encoded(object) ?? jsonCache.get(object);
  if (json === undefined) jsonCache.set(object, (json = JSON.stringify(object)));
  return json;
}

function wantsTable(ctx: RequestContext): boolean {
  return (ctx.req.headers.accept ?? '').includes('as=Table');
}

/** Hook set by the server: renders one object as a one-row Table for a watch event. */
let tableFor: (ctx: RequestContext, object: KubeObject) => unknown = (_ctx, object) => object;
export function setWatchTableRenderer(fn: (ctx: RequestContext, object: KubeObject) => unknown): void {
  tableFor = fn;
}

/** A PUT's object, or a PATCH's document with its type: read once, before the object it changes is read. */
type UpdateInput = { verb: 'update'; object: KubeObject } | { verb: 'patch'; type: string; patch: unknown };

async function readUpdateInput(ctx: RequestContext, verb: 'update' | 'patch'): Promise<UpdateInput> {
  const { parts } = ctx;
  if (verb === 'update') return { verb, object: await readObject(ctx, fieldValidation(ctx.query)) };
  const type = mediaType(ctx.req.headers['content-type']);
  const patchTypes = ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json'];
  if (!patchTypes.includes(type)) {
    // patch.go: server-side apply (application/apply-patch+yaml) is not served here.
    throw newUnsupportedMediaType(patchTypes);
  }
  const body = await readBody(ctx.req, parts.maxRequestBodyBytes);
  const parsedPatch = parsePatchDocument(body.toString('utf8'));
  if (!parsedPatch.ok) throw newBadRequest(parsedPatch.message);
  return { verb, type, patch: parsedPatch.value };
}

/** Applies a PATCH document to `current`, returning the new object. */
async function applyPatchTo(ctx: RequestContext, current: KubeObject, input: { type: string; patch: unknown }): Promise<KubeObject> {
  const { parts, resource, query } = ctx;
  const { type, patch } = input;
  let patched: unknown;
  try {
    if (type === 'application/json-patch+json') {
      if (!Array.isArray(patch)) throw new Error('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      patched = applyJsonPatch(current, patch);
    } else {
      if (!isObject(patch)) throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
      patched = type === 'application/merge-patch+json' ? applyMergePatch(current, patch) : applyStrategicMergePatch(current, patch, resource.kind);
    }
  } catch (error) {
    if (error instanceof Error && 'status' in error) throw error;
    throw newBadRequest(error instanceof Error ? error.message : String(error));
  }
  if (!isObject(patched)) throw newBadRequest('the patch did not result in an object');
  const outcome = await decodeBody(parts.decoder, { text: JSON.stringify(patched), mediaType: 'json', expect: expected(ctx), patch: true });
  if (outcome.ok !== true) throw decodeFailure(ctx, outcome);
  applyFieldValidation(ctx, outcome.strict, fieldValidation(query), (message) => newBadRequest(message));
  return ensureMetadata(outcome.object);
}

/** Whether a PATCH document sets metadata.resourceVersion (then a newer object is a conflict, as upstream). */
function patchNamesResourceVersion(patch: unknown): boolean {
  if (Array.isArray(patch)) return patch.some((op) => isObject(op) && op['path'] === '/metadata/resourceVersion');
  return isObject(patch) && isObject(patch['metadata']) && patch['metadata']['resourceVersion'] !== undefined;
}

/** A patch re-applied to a newer object this many times at most (another writer moving it on and on). */
const PATCH_ATTEMPTS = 5;

/** PUT and PATCH, on the main resource or on a subresource (status, ephemeralcontainers). */
export async function handleUpdate(ctx: RequestContext, verb: 'update' | 'patch'): Promise<void> {
  const { info, resource, parts, query } = ctx;
  const dryRun = isDryRun(query);
  let current = parts.store.mustGet(resource, info.namespace, info.name);
  const input = await readUpdateInput(ctx, verb);
  for (let attempt = 1; ; attempt++) {
    const object = input.verb === 'update' ? input.object : await applyPatchTo(ctx, current, input);
    await yieldToLoop();
    if (input.verb === 'update') {
      // update.go: the name in the body must match the URL's.
      const bodyName = object.metadata.name ?? '';
      if (bodyName !== '' && bodyName !== info.name) throw newBadRequest(`the name of the object (${bodyName}) does not match the name on the URL (${info.name})`);
      object.metadata.name = info.name;
      const ns = object.metadata.namespace;
      if (resource.namespaced && ns !== undefined && ns !== '' && ns !== info.namespace) {
        throw newBadRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
    }
    if (resource.namespaced) object.metadata.namespace = info.namespace;
    let prepared = prepareForUpdate(resource, object, current, info.subresource);
    const attrs = {
      operation: 'UPDATE' as const,
      group: resource.group,
      resource: resource.resource,
      subresource: info.subresource,
      name: info.name,
      namespace: resource.namespaced ? info.namespace : '',
      kind: resource.kind,
      object: prepared,
      oldObject: current,
    };
    // Upstream's patch handler admits with PatchOptions converted to UpdateOptions (patch.go).
    const admission = admissionContext(ctx, dryRun, writeOptions('UpdateOptions', query));
    prepared = parts.admission.admit(attrs, admission);
    await yieldToLoop();
    await prevalidateLabels(prepared.metadata.labels);
    const err = invalid(ctx, info.name, validateUpdate(resource, prepared, current, info.subresource));
    if (err) throw err;
    await yieldToLoop();
    // patch.go applies a patch inside GuaranteedUpdate's tryUpdate, which runs again on the newer object when another
    // writer (a kubelet's status) got there first: a patch that names no resourceVersion is never a conflict
    const latest = parts.store.get(resource, info.namespace, info.name);
    if (
      input.verb === 'patch' &&
      latest &&
      latest.metadata.resourceVersion !== current.metadata.resourceVersion &&
      !patchNamesResourceVersion(input.patch) &&
      attempt < PATCH_ATTEMPTS
    ) {
      current = latest;
      continue;
    }
    parts.admission.validate({ ...attrs, object: prepared }, admission);
    sendAdmissionWarnings(ctx, admission);
    const updated = parts.store.update(resource, prepareForStorage(resource, prepared), { dryRun, owned: true, shared: true });
    ctx.respond(200, updated);
    return;
  }
}

/** DeleteOptions from the body (or query): preconditions and dryRun. */
async function deleteOptions(ctx: RequestContext): Promise<Json> {
  const body = await readBody(ctx.req, ctx.parts.maxRequestBodyBytes);
  if (body.length === 0) return {};
  const options = parseJsonObject(body, 'DeleteOptions');
  return options;
}

export async function handleDelete(ctx: RequestContext): Promise<void> {
  const { info, resource, parts, query } = ctx;
  const options = await deleteOptions(ctx);
  const dryRun = isDryRun(query) || (Array.isArray(options['dryRun']) && options['dryRun'].includes('All'));
  const preconditions = isObject(options['preconditions']) ? options['preconditions'] : {};
  // Read only (admission's oldObject): the stored object itself, not a copy of a possibly large object.
  const current = parts.store.mustGet(resource, info.namespace, info.name, { shared: true });
  const attrs = {
    operation: 'DELETE' as const,
    group: resource.group,
    resource: resource.resource,
    subresource: '',
    name: info.name,
    namespace: resource.namespaced ? info.namespace : '',
    kind: resource.kind,
    object: undefined,
    oldObject: current,
  };
  const admission = admissionContext(ctx, dryRun, { kind: 'DeleteOptions', apiVersion: 'meta.k8s.io/v1', ...options });
  // delete.go: mutating admission, then (in the store's BeforeDelete) validating admission.
  parts.admission.admit(attrs, admission);
  parts.admission.validate(attrs, admission);
  sendAdmissionWarnings(ctx, admission);
  const grace = gracePeriod(query, options);
  const deleted = deleteObject(ctx, info.namespace, info.name, {
    dryRun,
    ...(grace !== undefined ? { gracePeriodSeconds: grace } : {}),
    ...(typeof preconditions['resourceVersion'] === 'string' ? { resourceVersion: preconditions['resourceVersion'] } : {}),
    ...(typeof preconditions['uid'] === 'string' ? { uid: preconditions['uid'] } : {}),
  });
  // registry store ReturnDeletedObject: some kinds answer the deleted object, the rest Status Success.
  if (strategyFor(resource).returnDeletedObject) ctx.respond(200, deleted);
  else
    ctx.respond(200, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: info.name, group: resource.group || undefined, kind: resource.resource, uid: deleted.metadata.uid },
    });
}

/** DeleteOptions.gracePeriodSeconds, from the body or the query; negative or non-integer is 400. */
function gracePeriod(query: URLSearchParams, options: Json): number | undefined {
  const raw = options['gracePeriodSeconds'] ?? query.get('gracePeriodSeconds') ?? undefined;
  if (raw === undefined || raw === null || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) throw newBadRequest(`invalid gracePeriodSeconds: ${JSON.stringify(raw)}`);
  return Math.max(0, n);
}

interface DeleteObjectOptions {
  dryRun: boolean;
  resourceVersion?: string;
  uid?: string;
  gracePeriodSeconds?: number;
}

function deleteObject(ctx: RequestContext, namespace: string, name: string, options: DeleteObjectOptions): KubeObject {
  const { resource, parts } = ctx;
  if (resource.kind === 'Namespace') {
    // The namespace controller's job, done at once: mark Terminating, remove everything in it, then the namespace.
    const ns = parts.store.mustGet(resource, undefined, name);
    const when = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    const terminating = { ...ns, metadata: { ...ns.metadata, deletionTimestamp: when }, status: { phase: 'Terminating' } };
    if (options.dryRun) return terminating;
    parts.store.delete(resource, undefined, name, options);
    parts.purgeNamespace(name);
    return terminating;
  }
  if (resource.kind === 'Pod' && parts.gracefulPodDeletion) {
    const terminating = beginGracefulPodDeletion(ctx, namespace, name, options);
    if (terminating) return terminating;
  }
  const deleted = parts.store.delete(resource, namespace, name, { ...options, shared: true });
  if (resource.kind === 'Pod') {
    // rest.BeforeDelete runs for a pod deleted at once too (grace 0): the answer carries deletionTimestamp = now,
    // deletionGracePeriodSeconds 0 and the bumped generation, as a real server's does.
    deleted.metadata.deletionTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    deleted.metadata['deletionGracePeriodSeconds'] = 0;
    if (typeof deleted.metadata.generation === 'number') deleted.metadata.generation += 1;
  }
  return deleted;
}

/**
 * Graceful deletion (k8s.io/apiserver/pkg/registry/rest/delete.go BeforeDelete with the pod strategy's
 * CheckGracefulDelete): a pod bound to a node and not finished gets deletionTimestamp = now + grace and
 * stays until its kubelet removes it; undefined means "delete at once" (unscheduled, finished, or grace 0).
 */
function beginGracefulPodDeletion(ctx: RequestContext, namespace: string, name: string, options: DeleteObjectOptions): KubeObject | undefined {
  const { resource, parts } = ctx;
  const pod = parts.store.mustGet(resource, namespace, name);
  const spec = isObject(pod['spec']) ? pod['spec'] : {};
  const phase = isObject(pod['status']) ? pod['status']['phase'] : undefined;
  let grace = options.gracePeriodSeconds ?? (typeof spec['terminationGracePeriodSeconds'] === 'number' ? spec['terminationGracePeriodSeconds'] : 30);
  if (typeof spec['nodeName'] !== 'string' || spec['nodeName'] === '' || phase === 'Failed' || phase === 'Succeeded') grace = 0;
  if (grace === 0) return undefined;
  if (options.resourceVersion && options.resourceVersion !== pod.metadata.resourceVersion) return undefined; // store.delete reports the 409
  if (options.uid && options.uid !== pod.metadata.uid) return undefined;
  const current = pod.metadata['deletionGracePeriodSeconds'];
  // A second delete may only shorten the grace period.
  if (pod.metadata.deletionTimestamp && typeof current === 'number' && current <= grace) return pod;
  pod.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  pod.metadata['deletionGracePeriodSeconds'] = grace;
  if (options.dryRun) return pod;
  // a copy: the caller may still change what it answers
  return structuredClone(
    parts.store.mutate(resource, namespace, name, (o) => {
      o.metadata.deletionTimestamp = pod.metadata.deletionTimestamp;
      o.metadata['deletionGracePeriodSeconds'] = grace;
    }),
  );
}

export async function handleDeleteCollection(ctx: RequestContext): Promise<void> {
  const { info, resource, parts, query } = ctx;
  await deleteOptions(ctx);
  const dryRun = isDryRun(query);
  const predicate = selectorPredicate(resource.kind, query);
  const items = parts.store.list(resource, resource.namespaced && info.namespace !== '' ? info.namespace : undefined).items.filter(predicate);
  const deleted = items.map((o) => deleteObject(ctx, o.metadata.namespace ?? '', o.metadata.name ?? '', { dryRun }));
  ctx.respond(200, { kind: `${resource.kind}List`, apiVersion: groupVersion(resource), metadata: { resourceVersion: parts.store.resourceVersion() }, items: deleted });
}
