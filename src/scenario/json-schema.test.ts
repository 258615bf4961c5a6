import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderScenarioJsonSchema, scenarioJsonSchema } from './json-schema.js';

describe('scenario JSON Schema', () => {
  it('is committed as generated (run `npm run schema` after changing the format)', async () => {
    const committed = await readFile(new URL('../../docs/scenario.schema.json', import.meta.url), 'utf8');
    expect(committed).toBe(renderScenarioJsonSchema());
  });

  it('lists every action and requires every profile in the verdict', () => {
    const text = JSON.stringify(scenarioJsonSchema());
    for (const action of ['createPod', 'addEphemeralContainer', 'preloadImage', 'registryDown', 'wait']) expect(text).toContain(`"${action}"`);
    expect(text).toContain('"kubelet-always-verify"');
  });
});
