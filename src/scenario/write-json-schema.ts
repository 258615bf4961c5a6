// `npm run schema`: regenerates docs/scenario.schema.json from the zod schema.
import { writeFile } from 'node:fs/promises';
import { renderScenarioJsonSchema } from './json-schema.js';

const target = new URL('../../docs/scenario.schema.json', import.meta.url);
await writeFile(target, renderScenarioJsonSchema());
console.log(`wrote ${target.pathname}`);
