import { describe, expect, it } from 'vitest';
import { decodeObject, yamlToJson } from './decode.js';
import { goJsonSyntaxError, parseGoJson } from './go-json.js';
import { base64Error } from './typed-decode.js';

const pod = { group: '', version: 'v1', kind: 'Pod' };

describe('go-json: encoding/json scanner', () => {
  it('words syntax errors as Go does', () => {
    expect(goJsonSyntaxError('{"a":1,}')).toBe("invalid character '}' looking for beginning of object key string");
    expect(goJsonSyntaxError('[1 2]')).toBe("invalid character '2' after array element");
    expect(goJsonSyntaxError('{"a"')).toBe('unexpected end of JSON input');
    expect(goJsonSyntaxError('-x')).toBe("invalid character 'x' in numeric literal");
  });

  it('allows 10000 levels of nesting and refuses the 10001st, without recursion', () => {
    expect(goJsonSyntaxError(`${'['.repeat(10_000)}${']'.repeat(10_000)}`)).toBeUndefined();
    expect(goJsonSyntaxError(`${'['.repeat(10_001)}${']'.repeat(10_001)}`)).toBe("invalid character '[' exceeded max depth");
    expect(goJsonSyntaxError('['.repeat(1_000_000))).toBe("invalid character '[' exceeded max depth");
  });

  it('keeps duplicate keys, number literals and __proto__ as data', () => {
    const parsed = parseGoJson('{"a":1,"a":2.0,"__proto__":{"x":1}}');
    const value = parsed.value as Record<string, unknown>;
    expect(value['a']).toBe(2);
    expect(parsed.duplicates.get(value)).toEqual(new Set(['a']));
    expect(parsed.rawNumbers.get(value)?.get('a')).toBe('2.0');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['a', '__proto__']);
  });
});

describe('decodeObject: typed decoding into the kind', () => {
  it('drops unknown fields and reports them, and duplicates, in document order', () => {
    const out = decodeObject(
      '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a","name":"b"},"spec":{"foo":1,"containers":[{"name":"c","image":"x","imagePullPolcy":"Never"}]}}',
      'json',
      pod,
    );
    expect(out).toEqual({
      ok: true,
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'b' }, spec: { containers: [{ name: 'c', image: 'x' }] } },
      strict: ['duplicate field "metadata.name"', 'unknown field "spec.foo"', 'unknown field "spec.containers[0].imagePullPolcy"'],
      unknown: ['spec.foo', 'spec.containers[0].imagePullPolcy'],
    });
  });

  it("reports the first type error as Go's UnmarshalTypeError", () => {
    const out = decodeObject('{"spec":{"containers":[{"name":"c","ports":[{"containerPort":"80"}]}],"priority":99999999999}}', 'json', pod);
    expect(out).toMatchObject({
      ok: false,
      code: 400,
      message: 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32',
    });
    expect(decodeObject('{"spec":{"priority":2147483648}}', 'json', pod)).toMatchObject({
      message: expect.stringContaining('cannot unmarshal number 2147483648 into Go struct field PodSpec.spec.priority of type int32'),
    });
    expect(decodeObject('{"spec":{"activeDeadlineSeconds":2147483648}}', 'json', pod)).toMatchObject({ ok: true });
    expect(decodeObject('{"metadata":{"creationTimestamp":"soon"}}', 'json', pod)).toMatchObject({
      message: expect.stringContaining('parsing time "soon" as "2006-01-02T15:04:05Z07:00"'),
    });
    expect(decodeObject('{"spec":{"containers":[{"resources":{"limits":{"cpu":"lots"}}}]}}', 'json', pod)).toMatchObject({
      message: expect.stringContaining('quantities must match the regular expression'),
    });
  });

  it('turns null list elements into zero values and drops null fields', () => {
    const out = decodeObject('{"metadata":{"name":null,"labels":{"a":null}},"spec":{"containers":[null],"tolerations":[null]}}', 'json', pod);
    expect(out).toMatchObject({ ok: true, object: { metadata: { labels: { a: '' } }, spec: { containers: [{}], tolerations: [{}] } } });
  });

  it('a patch result that does not decode is a 422 on the field patch', () => {
    expect(decodeObject('{"spec":{"containers":"x"}}', 'json', pod, { patch: true })).toMatchObject({ ok: false, code: 422, invalidPatchValue: '{"spec":{"containers":"x"}}' });
  });
});

describe('YAML and base64 bounds', () => {
  it('refuses alias bombs and deep nesting', () => {
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', ...'bcdefgh'.split('').map((l, i) => `${l}: &${l} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`)].join('\n');
    expect(yamlToJson(bomb)).toEqual({ error: 'yaml: document contains excessive aliasing' });
    expect(yamlToJson('a: &a [1]\nb: *a\n')).toEqual({ json: '{"a":[1],"b":[1]}' });
    expect('error' in yamlToJson(`${'['.repeat(20_000)}${']'.repeat(20_000)}`)).toBe(true);
  });

  it('finds the corrupt byte as encoding/base64 does', () => {
    expect(base64Error('dmFsdWU=')).toBeUndefined();
    expect(base64Error('dmFs\ndWU=')).toBeUndefined();
    expect(base64Error('no!')).toBe(2);
    expect(base64Error('abc')).toBe(0);
    expect(base64Error('ab=c')).toBe(3);
  });
});
