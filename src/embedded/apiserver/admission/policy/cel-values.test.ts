// JSON ↔ CEL values: the lazy conversion reads as the eager one did (same keys, nulls, ints as bigint), converts
// each field once, and the expressions policies use see the same answers as on a plain JSON object.
import { isCelList, isCelMap, type CelMap } from '@bufbuild/cel';
import { describe, expect, it } from 'vitest';
import { compileExpression } from './cel-compiler.js';
import { fromCelValue, toCelInput } from './cel-values.js';

const pod = {
  metadata: { name: 'p', labels: { app: 'web' }, annotations: null, generation: 2 },
  spec: { containers: [{ name: 'a', image: 'i', ports: [{ containerPort: 80 }] }], nodeName: undefined, weight: 0.5 },
};

describe('toCelInput', () => {
  it('gives CEL maps and lists; integers bigint, other numbers double; undefined members absent, null members kept', () => {
    const v = toCelInput(pod) as CelMap;
    expect(isCelMap(v)).toBe(true);
    const spec = v.get('spec') as CelMap;
    expect([...spec.keys()]).toEqual(['containers', 'weight']);
    expect(spec.size).toBe(2);
    expect(spec.get('nodeName')).toBeUndefined();
    expect(spec.get('weight')).toBe(0.5);
    expect(isCelList(spec.get('containers'))).toBe(true);
    const metadata = v.get('metadata') as CelMap;
    expect(metadata.get('generation')).toBe(2n);
    expect(metadata.get('annotations')).toBeNull();
    expect(metadata.get(1n)).toBeUndefined();
    expect(fromCelValue(v)).toEqual(JSON.parse(JSON.stringify(pod)));
  });

  it('converts a field once: every read returns the same value', () => {
    const v = toCelInput(pod) as CelMap;
    expect(v.get('spec')).toBe(v.get('spec'));
  });

  it('reads the same in expressions: has() is false on a null member, size, in, equality, iteration', () => {
    const object = toCelInput(pod);
    const run = (expression: string) => {
      const r = compileExpression(expression, { hasParams: false, hasAuthorizer: false, patchTypes: false }).evaluate({
        object,
        oldObject: null,
        request: null,
        namespaceObject: null,
      });
      return r.ok ? fromCelValue(r.value) : r.error;
    };
    expect(run('has(object.metadata.annotations)')).toBe(false);
    expect(run('has(object.spec.nodeName)')).toBe(false);
    expect(run('size(object.metadata)')).toBe(4);
    expect(run("'app' in object.metadata.labels && object.metadata.labels == {'app': 'web'}")).toBe(true);
    expect(run('object.spec.containers[0].ports[0].containerPort + 1')).toBe(81);
    expect(run('object.metadata.map(k, k)')).toEqual(['name', 'labels', 'annotations', 'generation']);
    expect(run('object.spec.containers == [{"name": "a", "image": "i", "ports": [{"containerPort": 80}]}]')).toBe(true);
  });
});
