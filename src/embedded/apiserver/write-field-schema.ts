// `npm run schema:fields`: derives field-schema.json from @kubernetes/client-node's model metadata.
import { writeFile } from 'node:fs/promises';
import * as models from '@kubernetes/client-node';
import { deriveFieldSchema } from './field-schema.js';
import { servedKinds } from './resources.js';

const schema = deriveFieldSchema(models as unknown as Record<string, unknown>, servedKinds());
const target = new URL('./field-schema.json', import.meta.url);
await writeFile(target, `${JSON.stringify(schema)}\n`);
console.log(`wrote ${Object.keys(schema).length} models to ${target.pathname}`);
