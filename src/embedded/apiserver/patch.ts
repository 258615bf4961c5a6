// PATCH bodies as the API server applies them: JSON patch (RFC 6902, as gopkg.in/evanphx/json-patch.v4 patch.go),
// JSON merge patch (RFC 7386) and strategic merge patch (k8s.io/apimachinery/pkg/util/strategicpatch/patch.go,
// errors from pkg/util/mergepatch/errors.go, wrapped as k8s.io/apiserver/pkg/endpoints/handlers/patch.go does).
import { newBadRequest, newUnsupportedMediaType, StatusError } from '../../k8s/api-errors.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface JsonPatchOperation {
  op: string;
  path: string;
  value?: unknown;
  from?: string;
}

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

/** Go's fmt %v for decoded JSON: `map[a:1 b:[x y]]`, as mergepatch errors print values. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (isObject(v)) {
    const keys = Object.keys(v).sort();
    return `map[${keys.map((k) => `${k}:${goValue(v[k])}`).join(' ')}]`;
  }
  return String(v);
}

// Go's reflect type names for decoded JSON values, as ErrBadArgType prints them.
function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return '[]interface {}';
  if (isObject(v)) return 'map[string]interface {}';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'float64';
}

// ---------------------------------------------------------------------------------------------
// JSON patch (RFC 6902)

/** A JSON patch that does not apply: the apiserver answers 422 with a generic message (handlers/patch.go). */
function patchRejected(detail: string): StatusError {
  const error = new StatusError({
    code: 422,
    reason: 'Invalid',
    message: 'the server rejected our request due to an error in our request',
  });
  // Upstream drops the json-patch error from the Status; keep it on the error for server logs.
  error.cause = new Error(detail);
  return error;
}

// RFC 6901: "~1" → "/", then "~0" → "~".
function decodePointer(path: string): string[] | undefined {
  if (path === '') return [];
  if (!path.startsWith('/')) return undefined;
  return path
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

/** Encodes one JSON pointer token (for callers that build paths). */
export function escapePointerToken(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

interface Location {
  parent: JsonObject | Json[];
  key: string;
}

// findObject: the container that holds the last token, or undefined when an intermediate is missing.
function locate(doc: Json, path: string): Location | undefined {
  const tokens = decodePointer(path);
  if (tokens === undefined || tokens.length === 0) return undefined;
  let current: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    if (Array.isArray(current)) {
      const index = arrayIndex(token, current.length - 1);
      if (index === undefined) return undefined;
      current = current[index] as Json;
    } else if (isObject(current)) {
      if (!Object.prototype.hasOwnProperty.call(current, token)) return undefined;
      current = current[token] as Json;
    } else {
      return undefined;
    }
  }
  if (!Array.isArray(current) && !isObject(current)) return undefined;
  return { parent: current, key: tokens[tokens.length - 1] ?? '' };
}

function arrayIndex(token: string, max: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const index = Number(token);
  return index <= max ? index : undefined;
}

function getAt(loc: Location): Json | undefined {
  if (Array.isArray(loc.parent)) {
    const index = arrayIndex(loc.key, loc.parent.length - 1);
    if (index === undefined) throw new Error(`Unable to access invalid index: ${loc.key}: invalid index referenced`);
    return loc.parent[index];
  }
  return Object.prototype.hasOwnProperty.call(loc.parent, loc.key) ? loc.parent[loc.key] : undefined;
}

function addAt(loc: Location, value: Json): void {
  if (Array.isArray(loc.parent)) {
    const index = loc.key === '-' ? loc.parent.length : arrayIndex(loc.key, loc.parent.length);
    if (index === undefined) throw new Error(`Unable to access invalid index: ${loc.key}: invalid index referenced`);
    loc.parent.splice(index, 0, value);
  } else {
    loc.parent[loc.key] = value;
  }
}

function removeAt(loc: Location): Json {
  if (Array.isArray(loc.parent)) {
    const index = arrayIndex(loc.key, loc.parent.length - 1);
    if (index === undefined) throw new Error(`Unable to access invalid index: ${loc.key}: invalid index referenced`);
    return loc.parent.splice(index, 1)[0] as Json;
  }
  if (!Object.prototype.hasOwnProperty.call(loc.parent, loc.key)) {
    throw new Error(`Unable to remove nonexistent key: ${loc.key}: missing value`);
  }
  const value = loc.parent[loc.key] as Json;
  delete loc.parent[loc.key];
  return value;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => jsonEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}

function parseOperations(ops: unknown): JsonPatchOperation[] {
  if (!Array.isArray(ops)) {
    throw newBadRequest(`json: cannot unmarshal ${jsonKind(ops)} into Go value of type jsonpatch.Patch`);
  }
  return ops.map((op) => {
    if (!isObject(op)) throw newBadRequest(`json: cannot unmarshal ${jsonKind(op)} into Go value of type jsonpatch.Operation`);
    return op as unknown as JsonPatchOperation;
  });
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (isObject(v)) return 'object';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'bool';
  return 'null';
}

/** Applies an RFC 6902 JSON patch to a copy of doc; a patch that does not apply is a 422 as upstream answers. */
export function applyJsonPatch<T>(doc: T, ops: unknown): T {
  const operations = parseOperations(ops);
  const root = { doc: clone(doc) as unknown as Json };
  for (const op of operations) {
    try {
      applyOperation(root, op);
    } catch (error) {
      if (error instanceof StatusError) throw error;
      throw patchRejected(error instanceof Error ? error.message : String(error));
    }
  }
  return root.doc as unknown as T;
}

function pathOf(op: JsonPatchOperation, field: 'path' | 'from'): string {
  const value = op[field];
  if (typeof value !== 'string') throw new Error(`${op.op} operation failed to decode ${field}`);
  return value;
}

// The whole document ("" path) is replaced through a wrapper so add/replace/remove of the root work too.
function applyOperation(root: { doc: Json }, op: JsonPatchOperation): void {
  const at = (path: string): Location | undefined => (path === '' ? { parent: root as unknown as JsonObject, key: 'doc' } : locate(root.doc, path));
  const value = (): Json => {
    if (!('value' in op)) throw new Error(`${op.op} operation requires a value`);
    return clone(op.value) as Json;
  };
  switch (op.op) {
    case 'add': {
      const path = pathOf(op, 'path');
      const loc = at(path);
      if (loc === undefined) throw new Error(`add operation does not apply: doc is missing path: "${path}": missing value`);
      addAt(loc, value());
      return;
    }
    case 'remove': {
      const path = pathOf(op, 'path');
      const loc = at(path);
      if (loc === undefined) throw new Error(`remove operation does not apply: doc is missing path: "${path}": missing value`);
      removeAt(loc);
      return;
    }
    case 'replace': {
      const path = pathOf(op, 'path');
      const loc = at(path);
      if (loc === undefined) throw new Error(`replace operation does not apply: doc is missing path: ${path}: missing value`);
      if (getAt(loc) === undefined) throw new Error(`replace operation does not apply: doc is missing key: ${path}: missing value`);
      removeAt(loc);
      addAt(loc, value());
      return;
    }
    case 'move': {
      const from = pathOf(op, 'from');
      const path = pathOf(op, 'path');
      if (path.startsWith(`${from}/`)) throw new Error(`move operation does not apply: cannot move ${from} into its own child ${path}`);
      const source = at(from);
      if (source === undefined || getAt(source) === undefined) {
        throw new Error(`move operation does not apply: doc is missing from path: ${from}: missing value`);
      }
      const moved = removeAt(source);
      const target = at(path);
      if (target === undefined) throw new Error(`move operation does not apply: doc is missing destination path: ${path}: missing value`);
      addAt(target, moved);
      return;
    }
    case 'copy': {
      const from = pathOf(op, 'from');
      const path = pathOf(op, 'path');
      const source = at(from);
      const copied = source === undefined ? undefined : getAt(source);
      if (copied === undefined) throw new Error(`copy operation does not apply: doc is missing from path: ${from}: missing value`);
      const target = at(path);
      if (target === undefined) throw new Error(`copy operation does not apply: doc is missing destination path: ${path}: missing value`);
      addAt(target, clone(copied));
      return;
    }
    case 'test': {
      const path = pathOf(op, 'path');
      const loc = at(path);
      if (loc === undefined) throw new Error(`test operation does not apply: is missing path: ${path}: missing value`);
      const actual = getAt(loc);
      if (!jsonEqual(actual ?? null, op.value ?? null)) throw new Error(`testing value ${path} failed: test failed`);
      return;
    }
    default:
      throw new Error(`Unexpected kind: ${String(op.op)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// JSON merge patch (RFC 7386)

/** Applies an RFC 7386 merge patch to a copy of doc: objects merge, null deletes, everything else replaces. */
export function applyMergePatch<T>(doc: T, patch: unknown): T {
  return mergePatchValue(clone(doc) as unknown as Json, patch as Json) as unknown as T;
}

function mergePatchValue(target: Json | undefined, patch: Json): Json {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? target : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatchValue(out[key], value);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Strategic merge patch

/** patchStrategy/patchMergeKey of one field, from the struct tags in k8s.io/api core/v1 types.go. */
interface FieldPatchMeta {
  /** Schema type of the field (for maps) or of its elements (for lists). */
  type?: string;
  strategy?: 'merge' | 'replace';
  mergeKey?: string;
}

const merge = (mergeKey?: string, type?: string): FieldPatchMeta => ({ strategy: 'merge', ...(mergeKey ? { mergeKey } : {}), ...(type ? { type } : {}) });

// Only fields whose tags matter, or that lead to one; every other list is atomic (replaced), every map merges.
const PATCH_SCHEMA: Record<string, Record<string, FieldPatchMeta>> = {
  ObjectMeta: { finalizers: merge(), ownerReferences: merge('uid') },
  Pod: { metadata: { type: 'ObjectMeta' }, spec: { type: 'PodSpec' }, status: { type: 'PodStatus' } },
  PodSpec: {
    volumes: merge('name'),
    initContainers: merge('name', 'Container'),
    containers: merge('name', 'Container'),
    ephemeralContainers: merge('name', 'Container'),
    imagePullSecrets: merge('name'),
    hostAliases: merge('ip'),
    topologySpreadConstraints: merge('topologyKey'),
    schedulingGates: merge('name'),
    resourceClaims: merge('name'),
  },
  Container: {
    ports: merge('containerPort'),
    env: merge('name'),
    volumeMounts: merge('mountPath'),
    volumeDevices: merge('devicePath'),
  },
  PodStatus: { conditions: merge('type'), podIPs: merge('ip'), hostIPs: merge('ip'), resourceClaimStatuses: merge('name') },
  Namespace: { metadata: { type: 'ObjectMeta' }, status: { type: 'NamespaceStatus' } },
  NamespaceStatus: { conditions: merge('type') },
  Node: { metadata: { type: 'ObjectMeta' }, spec: { type: 'NodeSpec' }, status: { type: 'NodeStatus' } },
  NodeSpec: { podCIDRs: merge() },
  NodeStatus: { conditions: merge('type'), addresses: merge('type') },
  ServiceAccount: { metadata: { type: 'ObjectMeta' }, secrets: merge('name') },
  Secret: { metadata: { type: 'ObjectMeta' } },
  ConfigMap: { metadata: { type: 'ObjectMeta' } },
  Event: { metadata: { type: 'ObjectMeta' } },
  // rbac/v1 lists (rules, subjects) carry no patch strategy: they are replaced whole.
  Role: { metadata: { type: 'ObjectMeta' } },
  ClusterRole: { metadata: { type: 'ObjectMeta' } },
  RoleBinding: { metadata: { type: 'ObjectMeta' } },
  ClusterRoleBinding: { metadata: { type: 'ObjectMeta' } },
  // admissionregistration/v1: only matchConditions has a patch strategy (merge on name); every other list is atomic.
  ValidatingAdmissionPolicy: { metadata: { type: 'ObjectMeta' }, spec: { type: 'AdmissionPolicySpec' } },
  MutatingAdmissionPolicy: { metadata: { type: 'ObjectMeta' }, spec: { type: 'AdmissionPolicySpec' } },
  AdmissionPolicySpec: { matchConditions: merge('name') },
  ValidatingAdmissionPolicyBinding: { metadata: { type: 'ObjectMeta' } },
  MutatingAdmissionPolicyBinding: { metadata: { type: 'ObjectMeta' } },
};

/** Kinds applyStrategicMergePatch knows the patch metadata of. */
export const STRATEGIC_MERGE_PATCH_KINDS: readonly string[] = [
  'Pod',
  'Namespace',
  'Node',
  'ServiceAccount',
  'Secret',
  'ConfigMap',
  'Event',
  'Role',
  'ClusterRole',
  'RoleBinding',
  'ClusterRoleBinding',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
];

const directiveMarker = '$patch';
const retainKeysDirective = '$retainKeys';
const deleteFromPrimitiveListPrefix = '$deleteFromPrimitiveList';
const setElementOrderPrefix = '$setElementOrder';

// mergepatch errors: the ones apiserver's interpretStrategicMergePatchError maps to 400 or 422; others become 500.
class MergePatchError extends Error {
  constructor(
    message: string,
    readonly answer: 'BadRequest' | 'Invalid' | 'Internal',
  ) {
    super(message);
  }
}
const errBadPatchFormatForPrimitiveList = (): MergePatchError => new MergePatchError('invalid patch format of primitive list', 'BadRequest');
const errBadPatchFormatForRetainKeys = (): MergePatchError => new MergePatchError('invalid patch format of retainKeys', 'BadRequest');
const errBadPatchFormatForSetElementOrderList = (): MergePatchError => new MergePatchError('invalid patch format of setElementOrder list', 'BadRequest');
const errNoListOfLists = (): MergePatchError => new MergePatchError('lists of lists are not supported', 'Invalid');
const errNoMergeKey = (m: unknown, key: string): MergePatchError => new MergePatchError(`map: ${goValue(m)} does not contain declared merge key: ${key}`, 'Internal');
const errBadPatchType = (t: unknown, m: unknown): MergePatchError => new MergePatchError(`unknown patch type: ${goValue(t)} in map: ${goValue(m)}`, 'Internal');
const errBadArgType = (expected: string, actual: unknown): MergePatchError => new MergePatchError(`expected a ${expected}, but received a ${goTypeName(actual)}`, 'Internal');

/**
 * Applies a strategic merge patch to a copy of doc as the API server does for `kind` (StrategicMergeMapPatch with
 * MergeParallelList and IgnoreUnmatchedNulls). Errors are StatusErrors with upstream's code and text.
 */
export function applyStrategicMergePatch<T>(doc: T, patch: unknown, kind: string): T {
  if (!STRATEGIC_MERGE_PATCH_KINDS.includes(kind)) {
    // As for custom resources: the patch handler only offers the untyped patch types (handlers/patch.go).
    throw newUnsupportedMediaType(['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
  }
  if (!isObject(patch)) {
    throw newBadRequest(`json: cannot unmarshal ${jsonKind(patch)} into Go value of type map[string]interface {}`);
  }
  try {
    const original = isObject(doc) ? (clone(doc) as JsonObject) : {};
    return mergeMap(original, clone(patch), kind) as unknown as T;
  } catch (error) {
    if (!(error instanceof MergePatchError)) throw error;
    if (error.answer === 'BadRequest') throw newBadRequest(error.message);
    if (error.answer === 'Invalid') {
      const status = patchRejected(error.message);
      throw status;
    }
    // errorToAPIStatus: a plain error becomes 500 with no reason and its own text.
    throw new StatusError({ code: 500, message: error.message });
  }
}

function fieldMeta(type: string | undefined, key: string): FieldPatchMeta {
  if (type === undefined) return {};
  return PATCH_SCHEMA[type]?.[key] ?? {};
}

function mergeMap(original: JsonObject, patch: JsonObject, type: string | undefined): JsonObject {
  if (Object.prototype.hasOwnProperty.call(patch, directiveMarker)) return handleDirectiveInMergeMap(patch[directiveMarker], patch);
  applyRetainKeysDirective(original, patch);
  mergePatchIntoOriginal(original, patch, type);

  for (const [rawKey, patchV] of Object.entries(patch)) {
    let key = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(deleteFromPrimitiveListPrefix)) {
      key = extractKey(rawKey, deleteFromPrimitiveListPrefix);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete original[key];
      continue;
    }
    if (!Object.prototype.hasOwnProperty.call(original, key)) {
      if (!isDeleteList) original[key] = newValueFromPatch(patchV, fieldMeta(type, key));
      continue;
    }
    const originalV = original[key] as Json;
    if (goTypeName(originalV) !== goTypeName(patchV)) {
      if (!isDeleteList) original[key] = newValueFromPatch(patchV, fieldMeta(type, key));
      continue;
    }
    const meta = fieldMeta(type, key);
    if (isObject(originalV) && isObject(patchV)) {
      original[key] = meta.strategy === 'replace' ? patchV : mergeMap(originalV, patchV, meta.type);
    } else if (Array.isArray(originalV) && Array.isArray(patchV)) {
      original[key] = meta.strategy === 'merge' ? mergeSlice(originalV, patchV, meta, isDeleteList) : patchV;
    } else {
      original[key] = patchV;
    }
  }
  return original;
}

// A value the original lacks is taken from the patch; its nulls are dropped (discardNullValuesFromPatch) and any
// directives it carries are resolved against an empty original, so none reach the stored object.
function newValueFromPatch(value: Json, meta: FieldPatchMeta): Json {
  if (isObject(value)) return mergeMap({}, value, meta.type);
  if (Array.isArray(value) && meta.strategy === 'merge' && value.some(isObject)) return mergeSlice([], value, meta, false);
  return value;
}

function handleDirectiveInMergeMap(directive: Json | undefined, patch: JsonObject): JsonObject {
  if (directive === 'replace') {
    delete patch[directiveMarker];
    return patch;
  }
  if (directive === 'delete') return {};
  throw errBadPatchType(directive, patch);
}

function extractKey(key: string, prefix: string): string {
  const slash = key.indexOf('/');
  if (slash < 0 || key.slice(0, slash) !== prefix) {
    throw prefix === setElementOrderPrefix ? errBadPatchFormatForSetElementOrderList() : errBadPatchFormatForPrimitiveList();
  }
  return key.slice(slash + 1);
}

function applyRetainKeysDirective(original: JsonObject, patch: JsonObject): void {
  if (!Object.prototype.hasOwnProperty.call(patch, retainKeysDirective)) return;
  const retainKeys = patch[retainKeysDirective];
  delete patch[retainKeysDirective];
  if (!Array.isArray(retainKeys)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set(retainKeys);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null || key.startsWith(deleteFromPrimitiveListPrefix) || key.startsWith(setElementOrderPrefix)) continue;
    if (!keep.has(key)) throw errBadPatchFormatForRetainKeys();
  }
  for (const key of Object.keys(original)) if (!keep.has(key)) delete original[key];
}

// $setElementOrder/<list>: merge the list with its patch, then order it (setElementOrder > patch > live order).
function mergePatchIntoOriginal(original: JsonObject, patch: JsonObject, type: string | undefined): void {
  for (const [key, order] of Object.entries(patch)) {
    if (!key.startsWith(setElementOrderPrefix)) continue;
    delete patch[key];
    if (!Array.isArray(order)) throw errBadArgType('[]interface {}', order);
    const listKey = extractKey(key, setElementOrderPrefix);
    const foundOriginal = Object.prototype.hasOwnProperty.call(original, listKey);
    const foundPatch = Object.prototype.hasOwnProperty.call(patch, listKey);
    const originalList = foundOriginal ? original[listKey] : [];
    const patchList = foundPatch ? patch[listKey] : [];
    if (!Array.isArray(originalList)) throw errBadArgType('[]interface {}', originalList);
    if (!Array.isArray(patchList)) throw errBadArgType('[]interface {}', patchList);
    const meta = fieldMeta(type, listKey);
    const mergeKey = meta.mergeKey ?? '';
    validatePatchWithSetOrderList(patchList, order, mergeKey);

    let merged: Json[];
    if (foundOriginal && !foundPatch) merged = originalList;
    else if (!foundOriginal && foundPatch) merged = newValueFromPatch(patchList, meta) as Json[];
    else if (foundOriginal && foundPatch) merged = meta.strategy === 'merge' ? mergeSlice(originalList, patchList, meta, false) : patchList;
    else continue;

    const elementIsMap = sliceElementKind(originalList, patchList) === 'map';
    const inOrder = (item: Json): boolean => indexIn(order, item, mergeKey, elementIsMap) >= 0;
    const patchItems = merged.filter(inOrder);
    const serverOnly = merged.filter((item) => !inOrder(item));
    original[listKey] = normalizeElementOrder(patchItems, serverOnly, order, originalList, mergeKey, elementIsMap);
    delete patch[listKey];
  }
}

function validatePatchWithSetOrderList(patchList: Json[], order: Json[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const nonDelete = mergeKey === '' ? patchList : patchList.filter((v) => !(isObject(v) && v[directiveMarker] === 'delete'));
  let p = 0;
  let s = 0;
  while (p < nonDelete.length && s < order.length) {
    const item = nonDelete[p];
    if (isObject(item) && Object.prototype.hasOwnProperty.call(item, directiveMarker)) {
      p++;
      continue;
    }
    if (mergeKeyValueEqual(item, order[s], mergeKey)) p++;
    s++;
  }
  if (p < nonDelete.length && s >= order.length) {
    throw new MergePatchError(`The order in patch list:\n${goValue(patchList)}\n doesn't match ${setElementOrderPrefix} list:\n${goValue(order)}\n`, 'Internal');
  }
}

function mergeKeyValueEqual(left: Json | undefined, right: Json | undefined, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (!isObject(left)) throw errBadArgType('map[string]interface {}', left);
  if (!isObject(right)) throw errBadArgType('map[string]interface {}', right);
  if (!(mergeKey in left)) throw errNoMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

function sliceElementKind(...slices: Json[][]): 'map' | 'scalar' | 'none' {
  let kind: string | undefined;
  for (const slice of slices) {
    for (const v of slice) {
      const current = goTypeName(v);
      if (kind === undefined) {
        kind = current;
        if (Array.isArray(v)) throw errNoListOfLists();
      } else if (kind !== current) {
        throw new MergePatchError(`list element types are not identical: ${slices.map(goValue).join(' ')}`, 'Internal');
      }
    }
  }
  if (kind === undefined) return 'none';
  return kind === 'map[string]interface {}' ? 'map' : 'scalar';
}

function mergeSlice(original: Json[], patch: Json[], meta: FieldPatchMeta, isDeleteList: boolean): Json[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  const mergeKey = meta.mergeKey ?? '';
  let merged: Json[];
  let live = original;
  let patchItems = patch;
  if (kind !== 'map') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    merged = [...new Set([...original, ...patch])];
  } else {
    if (mergeKey === '') throw new MergePatchError('cannot merge lists without merge key for type struct', 'Internal');
    const special = mergeSliceWithSpecialElements(original, patch, mergeKey);
    if (special.replaced) return special.list;
    live = special.list;
    patchItems = special.patch;
    merged = mergeSliceWithoutSpecialElements([...live], patchItems, mergeKey, meta.type);
  }
  const isMap = kind === 'map';
  const inPatch = (item: Json): boolean => indexIn(patchItems, item, mergeKey, isMap) >= 0;
  return normalizeElementOrder(
    merged.filter(inPatch),
    merged.filter((i) => !inPatch(i)),
    patchItems,
    live,
    mergeKey,
    isMap,
  );
}

function mergeSliceWithSpecialElements(original: Json[], patch: Json[], mergeKey: string): { replaced: boolean; list: Json[]; patch: Json[] } {
  const withoutSpecial: Json[] = [];
  let replace = false;
  let live = original;
  for (const v of patch) {
    const item = v as JsonObject;
    if (!Object.prototype.hasOwnProperty.call(item, directiveMarker)) {
      withoutSpecial.push(v);
      continue;
    }
    const directive = item[directiveMarker];
    if (directive === 'delete') {
      if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
      const value = item[mergeKey];
      live = live.filter((o) => !(isObject(o) && o[mergeKey] === value));
    } else if (directive === 'replace') {
      replace = true;
    } else if (directive === 'merge') {
      throw new MergePatchError('merging lists cannot yet be specified in the patch', 'Internal');
    } else {
      throw errBadPatchType(directive, item);
    }
  }
  if (replace) return { replaced: true, list: withoutSpecial, patch: [] };
  return { replaced: false, list: live, patch: withoutSpecial };
}

function mergeSliceWithoutSpecialElements(original: Json[], patch: Json[], mergeKey: string, type: string | undefined): Json[] {
  for (const v of patch) {
    const item = v as JsonObject;
    if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    const index = original.findIndex((o) => {
      if (!isObject(o)) throw new MergePatchError(`value for key ${original.indexOf(o)} is not a map.`, 'Internal');
      return Object.prototype.hasOwnProperty.call(o, mergeKey) && o[mergeKey] === item[mergeKey];
    });
    if (index >= 0) original[index] = mergeMap(original[index] as JsonObject, item, type);
    else original.push(mergeMap({}, item, type));
  }
  return original;
}

function indexIn(list: Json[], item: Json, mergeKey: string, isMap: boolean): number {
  const key = (v: Json | undefined): Json | undefined => (isMap ? (isObject(v) ? v[mergeKey] : undefined) : v);
  const wanted = key(item);
  return list.findIndex((v) => key(v) === wanted);
}

// normalizeElementOrder: sort patch items by the patch order and server-only items by the live order, then
// interleave them (mergeSortedSlice), keeping each list's relative order.
function normalizeElementOrder(patch: Json[], serverOnly: Json[], patchOrder: Json[], serverOrder: Json[], mergeKey: string, isMap: boolean): Json[] {
  const left = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, isMap);
  const right = normalizeSliceOrder(patch, patchOrder, mergeKey, isMap);
  const out: Json[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++] as Json);
    else if (j >= right.length) out.push(left[i++] as Json);
    else {
      const li = indexIn(serverOrder, left[i] as Json, mergeKey, isMap);
      const ri = indexIn(serverOrder, right[j] as Json, mergeKey, isMap);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++] as Json);
      else out.push(right[j++] as Json);
    }
  }
  return out;
}

function normalizeSliceOrder(toSort: Json[], order: Json[], mergeKey: string, isMap: boolean): Json[] {
  if (isMap) {
    for (const item of [...toSort, ...order]) {
      if (!isObject(item)) throw errBadArgType('map[string]interface {}', item);
      if (!Object.prototype.hasOwnProperty.call(item, mergeKey)) throw errNoMergeKey(item, mergeKey);
    }
  }
  const known = toSort.filter((item) => indexIn(order, item, mergeKey, isMap) >= 0);
  const unknown = toSort.filter((item) => indexIn(order, item, mergeKey, isMap) < 0);
  known.sort((a, b) => indexIn(order, a, mergeKey, isMap) - indexIn(order, b, mergeKey, isMap));
  return [...known, ...unknown];
}
