// The JSON Schema of the scenario format, generated from the zod schema so editors and the loader agree.
// `npm run schema` writes it to docs/scenario.schema.json; a test keeps the committed copy current.
import { z } from 'zod';
import { Scenario } from './schema.js';

export function scenarioJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Scenario, { io: 'input', unrepresentable: 'any' });
  return {
    ...schema,
    title: 'image-heist scenario',
    description: 'A scenario of the image-heist lab: actors, steps with one action each, expectations per profile, and the verdict rule.',
  };
}

export function renderScenarioJsonSchema(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}
