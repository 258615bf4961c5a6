// Decoding a parsed body into a kind's Go types, as kube-apiserver's JSON serializer does with
// sigs.k8s.io/json UnmarshalStrict (a fork of encoding/json's decode.go): the first type mismatch is an
// UnmarshalTypeError ("json: cannot unmarshal string into Go struct field Container.spec.containers.ports of
// type []v1.ContainerPort"); unknown and duplicate fields are strict errors in document order ("unknown field
// \"spec.foo\"", "duplicate field \"metadata.name\""); custom unmarshalers fail in their own words (metav1.Time,
// resource.Quantity, []byte as base64). The result is the object as Go would re-encode it: unknown fields
// dropped, nulls gone, a null list element as the element's zero value — a fresh copy that shares nothing
// with the input.
//
// The schema is client-node's model metadata (field-schema.json); where it says only "number" or names a
// plain string map, the Go type comes from the small tables below (k8s.io/api/core/v1/types.go).
import { goQuote } from '../../../k8s/api-errors.js';
import { fieldSchema, modelNameForKind } from '../field-schema.js';
import { goJsonKind, type GoJson } from './go-json.js';

type Json = Record<string, unknown>;

// Integer fields that are int64 in Go; every other "number" of the schema is an int32.
const int64Fields = new Set([
  'V1ObjectMeta.deletionGracePeriodSeconds',
  'V1ObjectMeta.generation',
  'V1PodSpec.activeDeadlineSeconds',
  'V1PodSpec.terminationGracePeriodSeconds',
  'V1Probe.terminationGracePeriodSeconds',
  'V1Condition.observedGeneration',
  'V1PodCondition.observedGeneration',
  'V1PodStatus.observedGeneration',
  'V1PodSecurityContext.fsGroup',
  'V1PodSecurityContext.runAsGroup',
  'V1PodSecurityContext.runAsUser',
  'V1PodSecurityContext.supplementalGroups',
  'V1SecurityContext.runAsGroup',
  'V1SecurityContext.runAsUser',
  'V1LinuxContainerUser.uid',
  'V1LinuxContainerUser.gid',
  'V1LinuxContainerUser.supplementalGroups',
  'V1Toleration.tolerationSeconds',
  'V1ContainerImage.sizeBytes',
  'V1ServiceAccountTokenProjection.expirationSeconds',
  'V1NodeSwapStatus.capacity',
  'V1SleepAction.seconds',
]);
// map[ResourceName]resource.Quantity fields (v1.ResourceList).
const resourceListFields = new Set([
  'V1ResourceRequirements.limits',
  'V1ResourceRequirements.requests',
  'V1VolumeResourceRequirements.limits',
  'V1VolumeResourceRequirements.requests',
  'V1PodSpec.overhead',
  'V1NodeStatus.allocatable',
  'V1NodeStatus.capacity',
  'V1ContainerStatus.allocatedResources',
]);
// map[string][]byte fields: base64 strings.
const bytesMapFields = new Set(['V1Secret.data', 'V1ConfigMap.binaryData']);

/** resource.Quantity's grammar (k8s.io/apimachinery/pkg/api/resource/quantity.go splitREString). */
const quantityRe = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const quantityError = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
const rfc3339Re = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/** A decoding failure Go reports as the error of Unmarshal (the request is then 400). */
export class GoDecodeError extends Error {
  override readonly name = 'GoDecodeError';
}

export interface TypedDecodeResult {
  object: Json;
  /** Strict decoding errors, in document order: `unknown field "spec.foo"`, `duplicate field "metadata.name"`. */
  strict: string[];
  /** Unknown field paths (for fieldValidation=Warn warnings). */
  unknown: string[];
}

type FieldType =
  | { t: 'struct'; model: string }
  | { t: 'array'; of: FieldType }
  | { t: 'map'; of: FieldType; go: string }
  | { t: 'string' }
  | { t: 'bool' }
  | { t: 'int'; bits: 32 | 64 }
  | { t: 'time' }
  | { t: 'intOrString' }
  | { t: 'quantity' }
  | { t: 'bytes' }
  | { t: 'any' };

const arrayType = /^Array<(.+)>$/;
const mapType = /^\{ \[key: string\]: (.+); \}$/;

function fieldType(owner: string, field: string, schemaType: string): FieldType {
  const key = `${owner}.${field}`;
  if (resourceListFields.has(key)) return { t: 'map', of: { t: 'quantity' }, go: 'v1.ResourceList' };
  if (bytesMapFields.has(key)) return { t: 'map', of: { t: 'bytes' }, go: 'map[string][]uint8' };
  return parseType(schemaType, int64Fields.has(key) ? 64 : 32);
}

function parseType(schemaType: string, bits: 32 | 64): FieldType {
  const array = arrayType.exec(schemaType);
  if (array) return { t: 'array', of: parseType(array[1]!, bits) };
  const map = mapType.exec(schemaType);
  if (map) {
    const of = parseType(map[1]!, bits);
    return { t: 'map', of, go: `map[string]${goTypeName(of)}` };
  }
  switch (schemaType) {
    case 'string':
      return { t: 'string' };
    case 'boolean':
      return { t: 'bool' };
    case 'number':
      return { t: 'int', bits };
    case 'Date':
      return { t: 'time' };
    case 'IntOrString':
      return { t: 'intOrString' };
    case 'any':
      return { t: 'any' };
    default:
      return fieldSchema()[schemaType] ? { t: 'struct', model: schemaType } : { t: 'any' };
  }
}

/** V1ContainerPort → ContainerPort; CoreV1Event → Event; RbacV1Subject → Subject. */
function goStructName(model: string): string {
  return model.replace(/^(?:[A-Z][a-z]+)?V\d+(?:(?:alpha|beta)\d+)?/, '');
}

function goTypeName(type: FieldType): string {
  switch (type.t) {
    case 'struct':
      return `v1.${goStructName(type.model)}`;
    case 'array':
      return `[]${goTypeName(type.of)}`;
    case 'map':
      return type.go;
    case 'string':
    case 'time':
      return 'string';
    case 'bool':
      return 'bool';
    case 'int':
      return type.bits === 64 ? 'int64' : 'int32';
    case 'intOrString':
      return 'intstr.IntOrString';
    case 'quantity':
      return 'resource.Quantity';
    case 'bytes':
      return '[]uint8';
    case 'any':
      return 'interface {}';
  }
}

interface Context {
  /** The Go struct that holds the field being decoded ("" at the root of an anonymous struct). */
  struct: string;
  /** Go's Field: JSON names from the root, joined by ".", without indices or map keys. */
  goField: string;
  /** The strict path: `spec.containers[0].name`, map entries as `[key]`. */
  path: string;
}

const OMIT = Symbol('omit');

class Decoder {
  strict: string[] = [];
  unknown: string[] = [];
  private typeError: string | undefined;

  constructor(private readonly parsed: GoJson) {}

  fail(message: string): void {
    this.typeError ??= message;
  }

  failType(value: unknown, type: FieldType, ctx: Context, literal?: string): void {
    const what = literal !== undefined ? `number ${literal}` : goJsonKind(value);
    const where = ctx.goField === '' ? 'Go value' : `Go struct field ${ctx.struct}.${ctx.goField}`;
    this.fail(`json: cannot unmarshal ${what} into ${where} of type ${goTypeName(type)}`);
  }

  error(): string | undefined {
    return this.typeError;
  }

  /** Decodes `value` as `type`; `holder`/`key` locate the value for its number literal. */
  value(type: FieldType, value: unknown, ctx: Context, holder: object | undefined, key: string | number): unknown {
    if (value === null) return OMIT;
    switch (type.t) {
      case 'any':
        return value;
      case 'string':
        if (typeof value !== 'string') return (this.failType(value, type, ctx), OMIT);
        return value;
      case 'bool':
        if (typeof value !== 'boolean') return (this.failType(value, type, ctx), OMIT);
        return value;
      case 'int':
      case 'intOrString': {
        if (type.t === 'intOrString' && typeof value === 'string') return value;
        const bits = type.t === 'int' ? type.bits : 32;
        if (typeof value !== 'number') return (this.failType(value, { t: 'int', bits }, ctx), OMIT);
        const literal = holder ? this.parsed.rawNumbers.get(holder)?.get(key) : undefined;
        if (!intFits(literal ?? String(value), bits)) return (this.failType(value, { t: 'int', bits }, ctx, literal ?? String(value)), OMIT);
        return value;
      }
      case 'time':
        if (typeof value !== 'string') return (this.failType(value, type, ctx), OMIT);
        if (!rfc3339Re.test(value)) {
          this.fail(`parsing time ${goQuote(value)} as "2006-01-02T15:04:05Z07:00": cannot parse ${goQuote(value)} as "2006"`);
          return OMIT;
        }
        return value;
      case 'quantity': {
        const literal = typeof value === 'number' ? ((holder ? this.parsed.rawNumbers.get(holder)?.get(key) : undefined) ?? String(value)) : value;
        if (typeof literal !== 'string' || !quantityRe.test(literal.trim())) return (this.fail(quantityError), OMIT);
        return literal.trim();
      }
      case 'bytes': {
        if (typeof value !== 'string') return (this.failType(value, type, ctx), OMIT);
        const bad = base64Error(value);
        if (bad !== undefined) return (this.fail(`illegal base64 data at input byte ${bad}`), OMIT);
        return value.replace(/[\r\n]/g, '');
      }
      case 'array': {
        if (!Array.isArray(value)) return (this.failType(value, type, ctx), OMIT);
        const out: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          const item = this.value(type.of, value[i], { ...ctx, path: `${ctx.path}[${i}]` }, value, i);
          out[i] = item === OMIT ? zeroValue(type.of) : item;
        }
        return out;
      }
      case 'map': {
        if (typeof value !== 'object' || Array.isArray(value)) return (this.failType(value, type, ctx), OMIT);
        const out: Json = {};
        const dups = this.parsed.duplicates.get(value);
        for (const [k, item] of Object.entries(value as Json)) {
          const path = `${ctx.path}[${k}]`;
          if (dups?.has(k)) this.strict.push(`duplicate field ${goQuote(path)}`);
          const decoded = this.value(type.of, item, { ...ctx, path }, value, k);
          setKey(out, k, decoded === OMIT ? zeroValue(type.of) : decoded);
        }
        return out;
      }
      case 'struct':
        return this.struct(type.model, value, ctx);
    }
  }

  struct(model: string, value: unknown, ctx: Context): Json | typeof OMIT {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.failType(value, { t: 'struct', model }, ctx);
      return OMIT;
    }
    const fields = fieldSchema()[model] ?? {};
    const struct = goStructName(model);
    const dups = this.parsed.duplicates.get(value);
    const out: Json = {};
    for (const [k, item] of Object.entries(value as Json)) {
      const path = ctx.path === '' ? k : `${ctx.path}.${k}`;
      if (dups?.has(k)) this.strict.push(`duplicate field ${goQuote(path)}`);
      const schemaType = Object.hasOwn(fields, k) ? fields[k] : undefined;
      if (schemaType === undefined) {
        this.strict.push(`unknown field ${goQuote(path)}`);
        this.unknown.push(path);
        continue;
      }
      const decoded = this.value(fieldType(model, k, schemaType), item, { struct, goField: ctx.goField === '' ? k : `${ctx.goField}.${k}`, path }, value, k);
      if (decoded !== OMIT) setKey(out, k, decoded);
    }
    return out;
  }
}

function setKey(target: Json, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
  else target[key] = value;
}

/** Go's zero value of an element type, as it re-encodes it (a null list element becomes this). */
function zeroValue(type: FieldType): unknown {
  switch (type.t) {
    case 'struct':
      return {};
    case 'string':
    case 'bytes':
      return '';
    case 'quantity':
      return '0';
    case 'bool':
      return false;
    case 'int':
      return 0;
    default:
      return null;
  }
}

function intFits(literal: string, bits: 32 | 64): boolean {
  if (!/^-?\d+$/.test(literal)) return false;
  const n = BigInt(literal);
  const max = bits === 64 ? 2n ** 63n : 2n ** 31n;
  return n >= -max && n < max;
}

/** encoding/base64 StdEncoding.Decode: the offset of the first corrupt byte, or undefined (\r and \n are skipped). */
export function base64Error(text: string): number | undefined {
  const alphabet = /[A-Za-z0-9+/]/;
  let quantum = 0;
  let quantumStart = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '\r' || c === '\n') continue;
    if (quantum === 0) quantumStart = i;
    if (c === '=') {
      if (quantum < 2) return i;
      // "x=" needs a second "=" after two characters; after it nothing but newlines may follow.
      let j = i + 1;
      if (quantum === 2) {
        while (j < text.length && (text[j] === '\r' || text[j] === '\n')) j++;
        if (j >= text.length) return text.length;
        if (text[j] !== '=') return j;
        j++;
      }
      while (j < text.length && (text[j] === '\r' || text[j] === '\n')) j++;
      return j < text.length ? j : undefined;
    }
    if (!alphabet.test(c)) return i;
    quantum = (quantum + 1) % 4;
  }
  return quantum === 0 ? undefined : quantumStart;
}

/**
 * Decodes a parsed body as `kind` (its apiVersion/kind already checked). Throws GoDecodeError with Go's text for
 * the first type error; strict errors are returned for the caller to apply (fieldValidation).
 */
export function decodeTyped(kind: string, parsed: GoJson): TypedDecodeResult {
  const decoder = new Decoder(parsed);
  const object = decoder.struct(modelNameForKind(kind), parsed.value, { struct: goStructName(modelNameForKind(kind)), goField: '', path: '' });
  const error = decoder.error();
  if (error !== undefined) throw new GoDecodeError(error);
  return { object: object === OMIT ? {} : object, strict: decoder.strict, unknown: decoder.unknown };
}

/** Whether the kind has a schema to decode against. */
export function hasTypedSchema(kind: string): boolean {
  return fieldSchema()[modelNameForKind(kind)] !== undefined;
}
