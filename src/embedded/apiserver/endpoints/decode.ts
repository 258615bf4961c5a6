// Decoding a create/update body or a patched object into a kind, as kube-apiserver's serializers do
// (k8s.io/apimachinery/pkg/runtime/serializer/json/json.go Decode, handlers/rest.go transformDecodeError):
// YAML is converted to JSON first (sigs.k8s.io/yaml), the JSON is checked as Go's scanner checks it, the
// apiVersion/kind are read (meta.Interpret), must name the URL's kind, and the body is decoded into the
// kind's Go types (typed-decode.ts). Pure: it runs inline for small bodies and in the decode worker for
// large ones (decode-worker.ts), so its answer is plain data.
import yaml from 'js-yaml';
import { goQuote } from '../../../k8s/api-errors.js';
import { goJsonKind, GoJsonSyntaxError, maxNestingDepth, parseGoJson } from './go-json.js';
import { decodeTyped, GoDecodeError, hasTypedSchema } from './typed-decode.js';

type Json = Record<string, unknown>;

export interface ExpectedKind {
  group: string;
  version: string;
  kind: string;
}

/** A Status to answer, as plain data (it crosses the worker boundary). */
export interface DecodeFailure {
  ok: false;
  code: number;
  reason: 'BadRequest' | 'Invalid';
  message: string;
  /** For a patch whose result does not decode: the 422 Invalid field error's value. */
  invalidPatchValue?: string;
}

export interface DecodeSuccess {
  ok: true;
  object: Json;
  /** Strict decoding errors: unknown and duplicate fields, in document order. */
  strict: string[];
  /** The unknown field paths (already dropped from `object`). */
  unknown: string[];
}

export type DecodeOutcome = DecodeSuccess | DecodeFailure;

const badRequest = (message: string): DecodeFailure => ({ ok: false, code: 400, reason: 'BadRequest', message });

/** Go's summarizeData (handlers/rest.go): the first bytes of a body, for "unrecognized" errors. */
function summarize(text: string, max = 30): string {
  return text.length > max ? `${text.slice(0, max)} ...` : text;
}

const unrecognized = (kind: string, why: string, body: string): DecodeFailure =>
  badRequest(`the object provided is unrecognized (must be of type ${kind}): couldn't get version/kind; ${why} (${summarize(body)})`);

export const groupVersionOf = (e: Pick<ExpectedKind, 'group' | 'version'>): string => (e.group === '' ? e.version : `${e.group}/${e.version}`);

/** The core/v1 → "core" naming of conversion errors. */
const internalGroup = (group: string): string => (group === '' ? 'core' : (group.split('.')[0] ?? group));

/**
 * YAML → JSON text as sigs.k8s.io/yaml YAMLToJSON does, with goyaml's bounds: nesting deeper than 10000 and
 * excessive alias expansion are errors (gopkg.in/yaml.v2 decode.go allowedAliasRatio), never a hang.
 */
export function yamlToJson(text: string): { json: string } | { error: string } {
  let value: unknown;
  try {
    // js-yaml 4.3 takes maxDepth (its typings predate it).
    const options = { schema: yaml.CORE_SCHEMA, json: true, maxDepth: maxNestingDepth } as yaml.LoadOptions;
    const docs = yaml.loadAll(text, undefined, options);
    value = docs[0] ?? null;
  } catch (error) {
    const message = error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
    if (/maxDepth/.test(message)) return { error: `yaml: exceeded max depth of ${maxNestingDepth}` };
    return { error: `yaml: ${message}` };
  }
  if (excessiveAliasing(value)) return { error: 'yaml: document contains excessive aliasing' };
  return { json: JSON.stringify(value) ?? 'null' };
}

/**
 * goyaml counts decoded nodes and those decoded again through an alias; more than a ratio of alias nodes is
 * refused. js-yaml returns an alias as the same JS object, so a second visit of an object is alias expansion.
 */
function excessiveAliasing(root: unknown): boolean {
  const seen = new Set<object>();
  let decoded = 0;
  let aliased = 0;
  const ratio = (count: number): number => (count <= 400_000 ? 0.99 : count >= 4_000_000 ? 0.1 : 0.99 - (0.89 * (count - 400_000)) / 3_600_000);
  const stack: { value: unknown; alias: boolean }[] = [{ value: root, alias: false }];
  while (stack.length > 0) {
    const { value, alias } = stack.pop()!;
    decoded++;
    if (alias) aliased++;
    if (aliased > 100 && decoded > 1000 && aliased / decoded > ratio(decoded)) return true;
    if (typeof value !== 'object' || value === null) continue;
    const again = alias || seen.has(value);
    seen.add(value);
    const children = Array.isArray(value) ? value : Object.values(value);
    for (const child of children) stack.push({ value: child, alias: again });
  }
  return false;
}

/** Reads apiVersion/kind as meta.Interpret does: they must be strings when present. */
function typeMetaError(object: Json): string | undefined {
  for (const key of ['apiVersion', 'kind']) {
    const v = object[key];
    if (v !== undefined && v !== null && typeof v !== 'string') {
      return `json parse error: json: cannot unmarshal ${goJsonKind(v)} into Go struct field .${key} of type string`;
    }
  }
  return undefined;
}

/** kind/apiVersion in the body must name the URL's kind (create.go / transformDecodeError). */
function typeMetaMismatch(object: Json, expect: ExpectedKind): DecodeFailure | undefined {
  const kind = object['kind'];
  const apiVersion = object['apiVersion'];
  if (typeof kind === 'string' && kind !== '' && kind !== expect.kind) {
    const version = typeof apiVersion === 'string' ? (apiVersion.split('/').pop() ?? '') : '';
    return badRequest(
      `${kind} in version ${JSON.stringify(version)} cannot be handled as a ${expect.kind}: converting (${version}.${kind}) to (${internalGroup(expect.group)}.${expect.kind}): unknown conversion`,
    );
  }
  const gv = groupVersionOf(expect);
  if (typeof apiVersion === 'string' && apiVersion !== '' && apiVersion !== gv) {
    return badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${gv})`);
  }
  return undefined;
}

/** The decode error of a body that parsed: `Pod in version "v1" cannot be handled as a Pod: <err>`. */
export function cannotBeHandled(expect: ExpectedKind, err: string): string {
  return `${expect.kind} in version ${goQuote(expect.version)} cannot be handled as a ${expect.kind}: ${err}`;
}

/**
 * Decodes a request body (JSON or YAML text) as `expect`'s kind. `patch: true` decodes the result of applying
 * a patch: a type error is then upstream's 422 on the field "patch" (handlers/patch.go applyPatchToCurrentObject).
 */
export function decodeObject(text: string, mediaType: 'json' | 'yaml', expect: ExpectedKind, options: { patch?: boolean } = {}): DecodeOutcome {
  let jsonText = text;
  if (mediaType === 'yaml') {
    const converted = yamlToJson(text);
    if ('error' in converted) return unrecognized(expect.kind, `yaml parse error: ${converted.error}`, text);
    jsonText = converted.json;
  }
  let parsed;
  try {
    parsed = parseGoJson(jsonText);
  } catch (error) {
    if (!(error instanceof GoJsonSyntaxError)) throw error;
    return unrecognized(expect.kind, `json parse error: ${error.message}`, text);
  }
  const value = parsed.value;
  if (value === null) return badRequest(`Object 'Kind' is missing in 'null'`);
  if (typeof value !== 'object' || Array.isArray(value)) {
    return unrecognized(expect.kind, `json parse error: json: cannot unmarshal ${goJsonKind(value)} into Go value of type map[string]interface {}`, text);
  }
  const object = value as Json;
  const metaError = typeMetaError(object);
  if (metaError) return unrecognized(expect.kind, metaError, text);
  const mismatch = typeMetaMismatch(object, expect);
  if (mismatch) return mismatch;
  if (!hasTypedSchema(expect.kind)) return { ok: true, object, strict: [], unknown: [] };
  try {
    const decoded = decodeTyped(expect.kind, parsed);
    return { ok: true, object: decoded.object, strict: decoded.strict, unknown: decoded.unknown };
  } catch (error) {
    if (!(error instanceof GoDecodeError)) throw error;
    if (options.patch) return { ok: false, code: 422, reason: 'Invalid', message: error.message, invalidPatchValue: jsonText };
    return badRequest(cannotBeHandled(expect, error.message));
  }
}

/** Parses a patch document: Go's syntax rules and nesting limit; the error text as patch.go words it. */
export function parsePatchDocument(text: string): { ok: true; value: unknown } | DecodeFailure {
  try {
    return { ok: true, value: parseGoJson(text).value };
  } catch (error) {
    if (!(error instanceof GoJsonSyntaxError)) throw error;
    return badRequest(`error decoding patch: ${error.message}`);
  }
}
