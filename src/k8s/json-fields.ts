// Reading Kubernetes objects as plain JSON without trusting their shape: a missing or mistyped field reads as
// Go's zero value, as it does after upstream decodes an object.

export type JsonObject = Record<string, unknown>;

export const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);
export const objectField = (v: unknown): JsonObject => (isObject(v) ? v : {});
export const listField = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const stringField = (v: unknown): string => (typeof v === 'string' ? v : '');
export const numberField = (v: unknown): number => (typeof v === 'number' ? v : 0);
