// Error codes of the OCI Distribution spec (spec.md "Error Codes") with the status and message
// docker/distribution sends for each (registry/api/errcode/register.go, registry/api/v2/errors.go).

export const errorCodes = {
  BLOB_UNKNOWN: { status: 404, message: 'blob unknown to registry' },
  BLOB_UPLOAD_INVALID: { status: 400, message: 'blob upload invalid' },
  BLOB_UPLOAD_UNKNOWN: { status: 404, message: 'blob upload unknown to registry' },
  DIGEST_INVALID: { status: 400, message: 'provided digest did not match uploaded content' },
  MANIFEST_BLOB_UNKNOWN: { status: 400, message: 'blob unknown to registry' },
  MANIFEST_INVALID: { status: 400, message: 'manifest invalid' },
  MANIFEST_UNKNOWN: { status: 404, message: 'manifest unknown' },
  NAME_INVALID: { status: 400, message: 'invalid repository name' },
  NAME_UNKNOWN: { status: 404, message: 'repository name not known to registry' },
  SIZE_INVALID: { status: 400, message: 'provided length did not match content length' },
  UNAUTHORIZED: { status: 401, message: 'authentication required' },
  DENIED: { status: 403, message: 'requested access to the resource is denied' },
  UNSUPPORTED: { status: 405, message: 'The operation is unsupported.' },
  TOOMANYREQUESTS: { status: 429, message: 'too many requests' },
  PAGINATION_NUMBER_INVALID: { status: 400, message: 'invalid number of results requested' },
  UNKNOWN: { status: 500, message: 'unknown error' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** A spec error on its way to the client; `status` overrides the code's usual one (e.g. 413, 416). */
export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail: unknown = null,
    options: { message?: string; status?: number } = {},
  ) {
    super(options.message ?? errorCodes[code].message);
    this.status = options.status ?? errorCodes[code].status;
  }

  /** The spec's body: {"errors":[{"code","message","detail"}]}. */
  toBody(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message, detail: this.detail }] });
  }
}

/** Parses a registry's error body; undefined when it is not spec JSON. */
export function parseErrorBody(text: string): Array<{ code: string; message?: string; detail?: unknown }> | undefined {
  try {
    const body = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(body.errors)) return undefined;
    return body.errors.filter(
      (e): e is { code: string; message?: string; detail?: unknown } => typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string',
    );
  } catch {
    return undefined;
  }
}
