// The policy CEL environment: declarations, the Kubernetes libraries (k8s.io/apiserver pkg/cel/library), cel-go's
// error texts, cost accounting, and MAP object construction.
import { describe, expect, it } from 'vitest';
import { compileExpression, type CompileOptions } from './cel-compiler.js';
import { fromCelValue, toCelInput } from './cel-values.js';
import { COST_LIMIT_EXCEEDED } from './cost.js';

const VALIDATING: CompileOptions = { hasParams: false, hasAuthorizer: true, patchTypes: false, variables: [] };
const object = toCelInput({
  metadata: { name: 'p', labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'a', image: 'reg/x:1', ports: [{ containerPort: 80 }] },
      { name: 'b', image: 'reg/y' },
    ],
  },
});

function evaluate(expression: string, opts: CompileOptions = VALIDATING, limit?: number): unknown {
  const c = compileExpression(expression, opts);
  if (c.error) return `compile: ${c.error}`;
  const r = c.evaluate({ object, oldObject: null, request: toCelInput({ operation: 'CREATE', subResource: '' }), namespaceObject: null, params: null }, limit);
  return r.ok ? fromCelValue(r.value) : `error: ${r.error}`;
}

describe('declarations', () => {
  it('object, oldObject, request, namespaceObject are declared; params only with paramKind', () => {
    expect(evaluate('oldObject == null && namespaceObject == null && request.operation == "CREATE"')).toBe(true);
    expect(evaluate('params == null')).toBe("compile: compilation failed: ERROR: <input>:1:1: undeclared reference to 'params' (in container '')\n | params == null\n | ^");
    expect(evaluate('params == null', { ...VALIDATING, hasParams: true })).toBe(true);
  });
  it('comprehension variables are in scope only inside their macro', () => {
    expect(evaluate('object.spec.containers.all(c, c.name != "") && c == 1')).toMatch(/undeclared reference to 'c'/);
  });
  it('Object{} and JSONPatch{} exist only for mutations', () => {
    expect(evaluate('Object{}')).toMatch(/undeclared reference to 'Object'/);
    expect(evaluate('Object{spec: Object.spec{x: 1}}', { ...VALIDATING, patchTypes: true })).toEqual({ spec: { x: 1 } });
  });
});

describe('values and errors', () => {
  it('integers are int (JSON numbers become int64 as in unstructured objects)', () => {
    expect(evaluate('object.spec.containers[0].ports[0].containerPort + size(object.spec.containers)')).toBe(82);
  });
  it('a missing field is "no such key" as cel-go says it; has() guards it', () => {
    expect(evaluate('object.spec.initContainers')).toBe('error: no such key: initContainers');
    expect(evaluate('has(object.spec.initContainers)')).toBe(false);
  });
});

describe('Kubernetes libraries', () => {
  const table: [string, unknown][] = [
    ["object.spec.containers.map(c, c.name).join(', ')", 'a, b'],
    ["object.spec.containers.filter(c, c.image.endsWith(':1')).map(c, c.name)", ['a']],
    ["object.spec.containers.exists_one(c, !c.image.contains(':'))", true],
    ["'reg/x:1'.find('[0-9]+$')", '1'],
    ["'a1b22c333'.findAll('[0-9]+')", ['1', '22', '333']],
    ["'a1b22c333'.findAll('[0-9]+', 2)", ['1', '22']],
    ["'Hello'.lowerAscii() + 'x'.upperAscii()", 'helloX'],
    ["'a,b'.split(',')", ['a', 'b']],
    ["'abc'.matches('^a.c$')", true],
    ['[1, 2, 3].isSorted() && ![2, 1].isSorted()', true],
    ['[1, 2, 3].sum()', 6],
    ['[3, 1, 2].min() + [3, 1, 2].max()', 4],
    ["['a', 'b', 'a'].indexOf('a') + ['a', 'b', 'a'].lastIndexOf('a')", 2],
    ['sets.contains([1, 2, 3], [2]) && sets.intersects([1], [1, 5]) && sets.equivalent([1, 2], [2, 1])', true],
  ];
  for (const [expression, expected] of table) it(expression, () => expect(evaluate(expression)).toEqual(expected));

  it('min of an empty list is an error', () => {
    expect(evaluate('[].min()')).toBe('error: min called on empty list');
  });
  it('jsonpatch.escapeKey only for mutations', () => {
    expect(evaluate("jsonpatch.escapeKey('a/b~c')", { ...VALIDATING, patchTypes: true })).toBe('a~1b~0c');
  });
  it('optional syntax is not parsed by @bufbuild/cel 0.6.1 (a compile error, not a wrong answer)', () => {
    expect(evaluate('object.?spec')).toMatch(/^compile: compilation failed: ERROR: <input>:1:\d+: Syntax error/);
  });
});

describe('cost', () => {
  it('is counted and stops an evaluation past the limit', () => {
    const c = compileExpression('object.spec.containers.map(c, c.name)', VALIDATING);
    const r = c.evaluate({ object, oldObject: null, request: null, namespaceObject: null });
    expect(r.ok && r.cost).toBeGreaterThan(10);
    expect(evaluate('[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, a + b))', VALIDATING, 500)).toBe(`error: ${COST_LIMIT_EXCEEDED}`);
  });
});
