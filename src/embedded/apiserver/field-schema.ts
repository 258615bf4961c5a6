// The field schema behind strict field validation: for each client-node model reachable from the kinds this
// server serves, its JSON field names and their types, as @kubernetes/client-node 1.4.0's getAttributeTypeMap
// gives them. Derived by `npm run schema:fields` into field-schema.json, so the server does not load the
// whole client library at start-up; field-schema.test.ts keeps the JSON equal to a fresh derivation.
import { readFileSync } from 'node:fs';

/** model name → field name → type string as client-node writes it (`string`, `Array<V1Container>`, `{ [key: string]: string; }`, …). */
export type FieldSchema = Record<string, Record<string, string>>;

interface ModelClass {
  getAttributeTypeMap(): { baseName: string; type: string }[];
}

// Model class names differ from `V1<Kind>` where client-node disambiguates (core/v1 Event vs events.k8s.io).
// client-node 1.4.0 has no v1 MutatingAdmissionPolicy yet; v1beta1 has the same fields (GA in 1.36 unchanged).
const MODEL_FOR_KIND: Readonly<Record<string, string>> = {
  Event: 'CoreV1Event',
  MutatingAdmissionPolicy: 'V1beta1MutatingAdmissionPolicy',
  MutatingAdmissionPolicyBinding: 'V1beta1MutatingAdmissionPolicyBinding',
};

export function modelNameForKind(kind: string): string {
  return MODEL_FOR_KIND[kind] ?? `V1${kind}`;
}

const nested = /^Array<(.+)>$|^\{ \[key: string\]: (.+); \}$/;

/** Walks client-node's model classes from the given kinds and records every model reachable from them. */
export function deriveFieldSchema(models: Record<string, unknown>, kinds: readonly string[]): FieldSchema {
  const schema: FieldSchema = {};
  const visit = (type: string): void => {
    const inner = nested.exec(type);
    if (inner) return visit((inner[1] ?? inner[2])!);
    const model = models[type] as Partial<ModelClass> | undefined;
    if (schema[type] !== undefined || typeof model?.getAttributeTypeMap !== 'function') return;
    const fields = Object.fromEntries((model as ModelClass).getAttributeTypeMap().map((a) => [a.baseName, a.type]));
    schema[type] = fields;
    for (const fieldType of Object.values(fields)) visit(fieldType);
  };
  for (const kind of kinds) visit(modelNameForKind(kind));
  return Object.fromEntries(Object.entries(schema).sort(([a], [b]) => a.localeCompare(b)));
}

let loaded: FieldSchema | undefined;

/** The committed schema (field-schema.json), read once. */
export function fieldSchema(): FieldSchema {
  loaded ??= JSON.parse(readFileSync(new URL('./field-schema.json', import.meta.url), 'utf8')) as FieldSchema;
  return loaded;
}
