// Unknown-field detection for fieldValidation=Strict|Warn, as the apiserver's strict JSON decoding reports it
// (k8s.io/apimachinery pkg/runtime/error.go strictDecodingError, sigs.k8s.io/json field paths, warnings as
// k8s.io/apiserver pkg/endpoints/handlers/rest.go addStrictDecodingWarnings). The schema is the model metadata of
// @kubernetes/client-node 1.4.0 (getAttributeTypeMap), derived into field-schema.json (field-schema.ts).
import { goQuote, newBadRequest, type StatusError } from '../../k8s/api-errors.js';
import { fieldSchema, modelNameForKind } from './field-schema.js';

/** Whether findUnknownFields has a schema for this kind. */
export function hasFieldSchema(kind: string): boolean {
  return fieldSchema()[modelNameForKind(kind)] !== undefined;
}

const arrayType = /^Array<(.+)>$/;
const mapType = /^\{ \[key: string\]: (.+); \}$/;

/**
 * The paths of fields the kind's schema does not know, in document order, as the strict decoder names them:
 * `spec.containers[0].imagePullPolcy`. Throws if the kind has no schema.
 */
export function findUnknownFields(kind: string, obj: unknown): string[] {
  const modelName = modelNameForKind(kind);
  if (!hasFieldSchema(kind)) throw new Error(`no field schema for kind ${JSON.stringify(kind)}`);
  const unknown: string[] = [];
  walk(modelName, obj, '', unknown);
  return unknown;
}

function walk(type: string, value: unknown, path: string, unknown: string[]): void {
  if (value === null || value === undefined) return;
  const array = arrayType.exec(type);
  if (array) {
    if (Array.isArray(value)) value.forEach((item, i) => walk(array[1] ?? 'any', item, `${path}[${i}]`, unknown));
    return;
  }
  const map = mapType.exec(type);
  if (map) {
    if (typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, item] of Object.entries(value)) walk(map[1] ?? 'any', item, `${path}[${key}]`, unknown);
    }
    return;
  }
  const fields = fieldSchema()[type];
  // Scalars, any, IntOrString, Date and MicroTime carry no field names; a wrong JSON type is a different error.
  if (fields === undefined || typeof value !== 'object' || Array.isArray(value)) return;
  for (const [key, item] of Object.entries(value)) {
    const childPath = path === '' ? key : `${path}.${key}`;
    const fieldType = Object.hasOwn(fields, key) ? fields[key] : undefined;
    if (fieldType === undefined) unknown.push(childPath);
    else walk(fieldType, item, childPath, unknown);
  }
}

/** The error text of one unknown field: `unknown field "spec.foo"`. */
export function unknownFieldError(path: string): string {
  return `unknown field ${goQuote(path)}`;
}

/** strictDecodingError.Error(): `strict decoding error: unknown field "a", unknown field "b"`. */
export function strictDecodingErrorMessage(paths: readonly string[]): string {
  return `strict decoding error: ${paths.map(unknownFieldError).join(', ')}`;
}

/**
 * The 400 a create or update with fieldValidation=Strict gets (handlers/create.go via NewBadRequest of the decode
 * error): `Pod in version "v1" cannot be handled as a Pod: strict decoding error: unknown field "spec.foo"`.
 */
export function newStrictDecodingError(kind: string, apiVersion: string, paths: readonly string[]): StatusError {
  const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
  return newBadRequest(`${kind} in version ${goQuote(version)} cannot be handled as a ${kind}: ${strictDecodingErrorMessage(paths)}`);
}

/** The 400 a strict PATCH gets, as observed with kubectl (research §2.2): `strict decoding error: unknown field …`. */
export function newStrictPatchError(paths: readonly string[]): StatusError {
  return newBadRequest(strictDecodingErrorMessage(paths));
}

/** fieldValidation=Warn: one warning per unknown field, the text kubectl prints after `Warning: `. */
export function unknownFieldWarnings(paths: readonly string[]): string[] {
  return paths.map(unknownFieldError);
}

/** A `Warning` response header value (RFC 7234 warn-code 299, agent "-"), one per warning text. */
export function warningHeaderValue(text: string): string {
  return `299 - "${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}
