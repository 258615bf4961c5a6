import { readFile } from 'node:fs/promises';
import * as models from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { deriveFieldSchema } from './field-schema.js';
import { servedKinds } from './resources.js';

describe('field schema', () => {
  it('is committed as derived from client-node (run `npm run schema:fields` after changing the served kinds)', async () => {
    const committed = JSON.parse(await readFile(new URL('./field-schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(deriveFieldSchema(models as unknown as Record<string, unknown>, servedKinds()));
  });

  it('reaches nested models: a Pod knows its containers and their imagePullPolicy', () => {
    const schema = deriveFieldSchema(models as unknown as Record<string, unknown>, ['Pod']);
    expect(schema['V1PodSpec']?.['containers']).toBe('Array<V1Container>');
    expect(schema['V1Container']?.['imagePullPolicy']).toBe('string');
    expect(schema['V1Secret']).toBeUndefined();
  });
});
