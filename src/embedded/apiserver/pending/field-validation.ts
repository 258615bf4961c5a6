// TEMPORARY stand-in until apiserver-pure's field-validation.ts lands. Not committed.
export function findUnknownFields(_kind: string, _obj: unknown): string[] { return []; }
export function strictDecodingError(kind: string, fields: string[]): string { return `${kind} in version "v1" cannot be handled as a ${kind}: strict decoding error: ${fields.map((f) => `unknown field "${f}"`).join(', ')}`; }
