import { describe, expect, it } from 'vitest';
import { resources } from '../resources.js';
import { strategies, strategyFor } from './index.js';

describe('the resource registry', () => {
  it('serves exactly the registered strategies, each once', () => {
    expect(resources).toEqual(strategies.map((s) => s.info));
    const keys = strategies.map((s) => `${s.info.group}/${s.info.resource}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const r of resources) expect(strategyFor(r).info).toBe(r);
  });

  it('gives every stored resource validation and its own handlers only to what is not stored', () => {
    for (const s of strategies) {
      expect(typeof s.validate).toBe('function');
      if (s.handlers) expect(s.info.verbs).toEqual(['create']);
    }
  });
});
