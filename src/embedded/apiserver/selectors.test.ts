import { describe, expect, it } from 'vitest';
import { StatusError } from '../../k8s/api-errors.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { KubeObject } from './store.js';

const pod = (name: string, labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({
  metadata: { name, namespace: 'ns', labels },
  ...extra,
});

describe('label selectors', () => {
  const cases: [string, Record<string, string>, boolean][] = [
    ['app=web', { app: 'web' }, true],
    ['app==web', { app: 'db' }, false],
    ['app!=web', {}, true],
    ['app in (web, db)', { app: 'db' }, true],
    ['app notin (web,db)', { app: 'db' }, false],
    ['app', { app: '' }, true],
    ['!app', { app: 'x' }, false],
    ['app=web,tier in (a,b)', { app: 'web', tier: 'b' }, true],
    ['app=web,tier in (a,b)', { app: 'web', tier: 'c' }, false],
  ];
  it.each(cases)('%s on %j → %s', (selector, labels, expected) => {
    expect(parseLabelSelector(selector)(pod('p', labels))).toBe(expected);
  });
  it('rejects garbage with 400', () => {
    expect(() => parseLabelSelector('a b c')).toThrow(StatusError);
  });
});

describe('field selectors', () => {
  it('matches the events describe asks for', () => {
    const event: KubeObject = { metadata: { name: 'e', namespace: 'ns' }, involvedObject: { name: 'p', namespace: 'ns', uid: 'u1' } };
    expect(parseFieldSelector('Event', 'involvedObject.name=p,involvedObject.namespace=ns,involvedObject.uid=u1')(event)).toBe(true);
    expect(parseFieldSelector('Event', 'involvedObject.uid=u2')(event)).toBe(false);
  });
  it('matches metadata.name and status.phase for pods', () => {
    const p = pod('web', {}, { status: { phase: 'Running' } });
    expect(parseFieldSelector('Pod', 'metadata.name=web')(p)).toBe(true);
    expect(parseFieldSelector('Pod', 'status.phase!=Running')(p)).toBe(false);
  });
  it('rejects a field the kind does not support with the upstream message', () => {
    try {
      parseFieldSelector('Pod', 'spec.foo=bar');
      expect.unreachable();
    } catch (e) {
      expect((e as StatusError).status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'field label not supported: spec.foo' });
    }
  });
});
