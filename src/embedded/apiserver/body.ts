// Reading and decoding request bodies: a size limit like upstream's (3 MiB,
// k8s.io/apiserver/pkg/server/config.go MaxRequestBodyBytes), JSON, YAML and Kubernetes protobuf
// (k8s.io/apiserver/pkg/endpoints/handlers/rest.go negotiation), errors as upstream's Status.
import type { IncomingMessage } from 'node:http';
import { newBadRequest, newRequestEntityTooLarge, newUnsupportedMediaType, StatusError } from '../../k8s/api-errors.js';
import { goJsonObjectError } from './endpoints/go-json.js';
import { yamlToJson } from './endpoints/decode.js';
import { decodeKubernetesProtobuf, ProtobufDecodeError, ProtobufKindNotSupportedError } from './protobuf.js';

export const defaultMaxRequestBodyBytes = 3 * 1024 * 1024;

export const protobufMediaType = 'application/vnd.kubernetes.protobuf';
/** Media types a create or update body may have. */
export const objectMediaTypes = ['application/json', 'application/yaml', protobufMediaType] as const;

export class BodyTooLargeError extends StatusError {}

/** Reads the whole body; past `limit` bytes stops reading and throws 413. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(buf);
  }
  return Buffer.concat(chunks);
}

function tooLarge(limit: number): BodyTooLargeError {
  const e = newRequestEntityTooLarge(`limit is ${limit}`);
  return new BodyTooLargeError({ code: e.status.code, reason: 'RequestEntityTooLarge', message: e.status.message });
}

/** The media type of a Content-Type header, lower case, without parameters ("" when absent). */
export function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export interface DecodedBody {
  object: Record<string, unknown>;
  /** How the body was encoded: protobuf bodies have no unknown fields to report. */
  encoding: 'json' | 'yaml' | 'protobuf';
}

/** Decodes an object body; malformed bodies are 400, unknown media types 415 (never for a served kind in protobuf). */
export function decodeObjectBody(contentType: string | undefined, body: Buffer, expectedKind: string): DecodedBody {
  const type = mediaType(contentType);
  if (type === protobufMediaType) {
    try {
      return { object: decodeKubernetesProtobuf(body).object, encoding: 'protobuf' };
    } catch (error) {
      if (error instanceof ProtobufKindNotSupportedError) throw newUnsupportedMediaType(objectMediaTypes);
      if (error instanceof ProtobufDecodeError) throw newBadRequest(error.message);
      throw error;
    }
  }
  if (type === '' || type === 'application/json') return { object: parseJsonObject(body, expectedKind), encoding: 'json' };
  if (type === 'application/yaml') return { object: parseYamlObject(body, expectedKind), encoding: 'yaml' };
  throw newUnsupportedMediaType(objectMediaTypes);
}

/** Go's summarizeData (handlers/rest.go): the first bytes of a body, for "unrecognized" errors. */
function summarize(body: Buffer, max = 30): string {
  const text = body.toString('utf8');
  return text.length > max ? `${text.slice(0, max)} ...` : text;
}

/** JSON.parse with a 400 in upstream's words for bodies that are not a JSON object. */
export function parseJsonObject(body: Buffer, expectedKind: string): Record<string, unknown> {
  const error = goJsonObjectError(body);
  if (error !== undefined) {
    // transformDecodeError (handlers/rest.go): no kind could be read from the data.
    throw newBadRequest(`the object provided is unrecognized (must be of type ${expectedKind}): couldn't get version/kind; json parse error: ${error} (${summarize(body)})`);
  }
  const value: unknown = JSON.parse(body.toString('utf8'));
  if (value === null) throw newBadRequest(`Object 'Kind' is missing in 'null'`);
  return value as Record<string, unknown>;
}

function parseYamlObject(body: Buffer, expectedKind: string): Record<string, unknown> {
  const converted = yamlToJson(body.toString('utf8'));
  if ('error' in converted) {
    throw newBadRequest(
      `the object provided is unrecognized (must be of type ${expectedKind}): couldn't get version/kind; yaml parse error: ${converted.error} (${summarize(body)})`,
    );
  }
  const value: unknown = JSON.parse(converted.json);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw newBadRequest(`the object provided is unrecognized (must be of type ${expectedKind}): couldn't get version/kind; yaml: body is not an object (${summarize(body)})`);
  }
  return value as Record<string, unknown>;
}
