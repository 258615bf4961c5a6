import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { StatusError } from '../../k8s/api-errors.js';
import { applyJsonPatch, applyMergePatch, applyStrategicMergePatch, escapePointerToken, goValue } from './patch.js';

const fixture = (name: string): string => readFileSync(fileURLToPath(new URL(`../../../test/fixtures/patch/${name}`, import.meta.url)), 'utf8');
type Obj = Record<string, any>;

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StatusError) return error;
    throw error;
  }
  throw new Error('expected a StatusError');
}

describe('applyJsonPatch (RFC 6902)', () => {
  const doc: Obj = { metadata: { name: 'p', labels: { 'app/name': 'web', 'a~b': 'x' } }, spec: { containers: [{ name: 'a' }, { name: 'b' }] } };

  it('adds, replaces and removes, with ~0/~1 escaping and the "-" index', () => {
    const out = applyJsonPatch(doc, [
      { op: 'add', path: '/spec/containers/-', value: { name: 'c' } },
      { op: 'add', path: '/spec/containers/0', value: { name: 'z' } },
      { op: 'replace', path: '/metadata/labels/app~1name', value: 'api' },
      { op: 'remove', path: '/metadata/labels/a~0b' },
    ]);
    expect(out.spec.containers.map((c: Obj) => c.name)).toEqual(['z', 'a', 'b', 'c']);
    expect(out.metadata.labels).toEqual({ 'app/name': 'api' });
    expect(doc.spec.containers).toHaveLength(2); // the input is not mutated
  });

  it('moves and copies, and test passes on deep equality', () => {
    const out = applyJsonPatch(doc, [
      { op: 'test', path: '/spec/containers/1', value: { name: 'b' } },
      { op: 'copy', from: '/spec/containers/0', path: '/spec/initContainers' },
      { op: 'move', from: '/metadata/labels', path: '/metadata/annotations' },
    ]);
    expect(out.spec.initContainers).toEqual({ name: 'a' });
    expect(out.metadata).toEqual({ name: 'p', annotations: { 'app/name': 'web', 'a~b': 'x' } });
  });

  it('replaces the whole document with the empty path', () => {
    expect(applyJsonPatch(doc, [{ op: 'replace', path: '', value: { kind: 'X' } }])).toEqual({ kind: 'X' });
  });

  it('a failed test, a missing path or an unknown op is 422 Invalid with upstream generic message', () => {
    for (const ops of [
      [{ op: 'test', path: '/metadata/name', value: 'q' }],
      [{ op: 'remove', path: '/spec/nope' }],
      [{ op: 'replace', path: '/metadata/nope', value: 1 }],
      [{ op: 'add', path: '/a/b/c', value: 1 }],
      [{ op: 'move', from: '/nope', path: '/x' }],
      [{ op: 'frobnicate', path: '/x' }],
    ]) {
      const err = statusOf(() => applyJsonPatch(doc, ops));
      expect(err.status).toMatchObject({ code: 422, reason: 'Invalid', message: 'the server rejected our request due to an error in our request' });
    }
    const err = statusOf(() => applyJsonPatch(doc, [{ op: 'test', path: '/metadata/name', value: 'q' }]));
    expect((err.cause as Error).message).toBe('testing value /metadata/name failed: test failed');
    const missing = statusOf(() => applyJsonPatch(doc, [{ op: 'replace', path: '/metadata/nope', value: 1 }]));
    expect((missing.cause as Error).message).toBe('replace operation does not apply: doc is missing key: /metadata/nope: missing value');
  });

  it('a body that is not a list of operations is 400 BadRequest', () => {
    const err = statusOf(() => applyJsonPatch(doc, { op: 'add' }));
    expect(err.status).toMatchObject({ code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' });
  });

  it('escapePointerToken is the inverse of the pointer decoding', () => {
    const out = applyJsonPatch({ m: {} as Obj }, [{ op: 'add', path: `/m/${escapePointerToken('a/b~c')}`, value: 1 }]);
    expect(out.m).toEqual({ 'a/b~c': 1 });
  });
});

describe('applyMergePatch (RFC 7386)', () => {
  it('merges objects, deletes on null, replaces lists and scalars (RFC 7386 appendix A cases)', () => {
    expect(applyMergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: 'b' }, { b: 'c' })).toEqual({ a: 'b', b: 'c' });
    expect(applyMergePatch({ a: 'b', b: 'c' }, { a: null })).toEqual({ b: 'c' });
    expect(applyMergePatch({ a: ['b'] }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: { b: 'c' } }, { a: { b: 'd', c: null } })).toEqual({ a: { b: 'd' } });
    expect(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(applyMergePatch({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
    expect(applyMergePatch({ a: 'foo' }, 'bar')).toBe('bar');
  });
});

describe('applyStrategicMergePatch with bodies captured from kubectl 1.32 (test/fixtures/patch)', () => {
  const stored = JSON.parse(fixture('stored-pod.json')) as Obj;

  it('second apply with a changed image: only the image and the last-applied annotation change', () => {
    const patch = JSON.parse(fixture('apply-changed-image.smp.json'));
    const out = applyStrategicMergePatch(stored, patch, 'Pod');
    expect(out.spec.containers).toEqual([{ ...stored.spec.containers[0], image: 'nginx:1.14' }]);
    expect(out.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']).toContain('"image":"nginx:1.14"');
    expect(out.metadata.uid).toBe('u1');
    expect(JSON.stringify(out)).not.toContain('$setElementOrder');
  });

  it('apply adding a label, an env var and a second container keeps the setElementOrder', () => {
    const patch = JSON.parse(fixture('apply-add-label-env-container.smp.json'));
    const out = applyStrategicMergePatch(stored, patch, 'Pod');
    expect(out.metadata.labels).toEqual({ app: 'web' });
    expect(out.spec.containers.map((c: Obj) => c.name)).toEqual(['nginx', 'side']);
    expect(out.spec.containers[0]).toEqual({ ...stored.spec.containers[0], env: [{ name: 'A', value: '1' }] });
    expect(out.spec.containers[1]).toEqual({ image: 'busybox:1.36', name: 'side' });
  });

  it('apply removing them again (research §2.3): null deletes the labels map and the env list', () => {
    const withAll = applyStrategicMergePatch(stored, JSON.parse(fixture('apply-add-label-env-container.smp.json')), 'Pod');
    const removal = {
      metadata: { labels: null },
      spec: {
        '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'side' }],
        containers: [{ env: null, name: 'nginx' }],
      },
    };
    const out = applyStrategicMergePatch(withAll, removal, 'Pod');
    expect(out.metadata.labels).toBeUndefined();
    expect(out.spec.containers[0].env).toBeUndefined();
    expect(out.spec.containers.map((c: Obj) => c.name)).toEqual(['nginx', 'side']);
  });

  it('kubectl debug adds an ephemeral container to the live pod', () => {
    const patch = JSON.parse(fixture('debug-ephemeral-container.smp.json'));
    const first = applyStrategicMergePatch(stored, patch, 'Pod');
    expect(first.spec.ephemeralContainers).toEqual([
      { image: 'busybox:1.36', name: 'debugger-4hqsm', resources: {}, targetContainerName: 'nginx', terminationMessagePolicy: 'File' },
    ]);
    expect(first.spec.containers).toEqual(stored.spec.containers);
    const second = applyStrategicMergePatch(first, { spec: { ephemeralContainers: [{ name: 'debugger-b', image: 'busybox:1.36' }] } }, 'Pod');
    expect(second.spec.ephemeralContainers.map((c: Obj) => c.name).sort()).toEqual(['debugger-4hqsm', 'debugger-b']);
  });
});

describe('applyStrategicMergePatch semantics (strategicpatch/patch.go)', () => {
  const pod: Obj = {
    metadata: { name: 'p', finalizers: ['a', 'b'], labels: { x: '1', y: '2' } },
    spec: {
      containers: [
        { name: 'c1', image: 'i1', env: [{ name: 'E1', value: '1' }], ports: [{ containerPort: 80, protocol: 'TCP' }], args: ['x', 'y'] },
        { name: 'c2', image: 'i2' },
      ],
      volumes: [{ name: 'v1', emptyDir: {} }],
      tolerations: [{ key: 't1' }],
    },
  };

  it('merges containers by name and env by name; new list items without setElementOrder go first, as upstream', () => {
    const out = applyStrategicMergePatch(pod, { spec: { containers: [{ name: 'c1', env: [{ name: 'E2', value: '2' }] }] } }, 'Pod');
    expect(out.spec.containers[0].env).toEqual([
      { name: 'E2', value: '2' },
      { name: 'E1', value: '1' },
    ]);
    expect(out.spec.containers[0].image).toBe('i1');
    expect(out.spec.containers[1]).toEqual({ name: 'c2', image: 'i2' });
  });

  it('merges ports by containerPort and replaces lists without a merge strategy (args, tolerations)', () => {
    const out = applyStrategicMergePatch(
      pod,
      { spec: { containers: [{ name: 'c1', ports: [{ containerPort: 80, name: 'http' }], args: ['z'] }], tolerations: [{ key: 't2' }] } },
      'Pod',
    );
    expect(out.spec.containers[0].ports).toEqual([{ containerPort: 80, protocol: 'TCP', name: 'http' }]);
    expect(out.spec.containers[0].args).toEqual(['z']);
    expect(out.spec.tolerations).toEqual([{ key: 't2' }]);
  });

  it('$patch: delete removes a list element by merge key; $patch: replace replaces a list or a map', () => {
    const del = applyStrategicMergePatch(pod, { spec: { containers: [{ name: 'c2', $patch: 'delete' }] } }, 'Pod');
    expect(del.spec.containers.map((c: Obj) => c.name)).toEqual(['c1']);
    const repl = applyStrategicMergePatch(pod, { spec: { containers: [{ name: 'only', image: 'x' }, { $patch: 'replace' }] } }, 'Pod');
    expect(repl.spec.containers).toEqual([{ name: 'only', image: 'x' }]);
    const map = applyStrategicMergePatch(pod, { metadata: { labels: { z: '9', $patch: 'replace' } } }, 'Pod');
    expect(map.metadata.labels).toEqual({ z: '9' });
    const gone = applyStrategicMergePatch(pod, { metadata: { labels: { $patch: 'delete' } } }, 'Pod');
    expect(gone.metadata.labels).toEqual({});
  });

  it('$setElementOrder reorders the merged list', () => {
    const out = applyStrategicMergePatch(pod, { spec: { '$setElementOrder/containers': [{ name: 'c2' }, { name: 'c1' }] } }, 'Pod');
    expect(out.spec.containers.map((c: Obj) => c.name)).toEqual(['c2', 'c1']);
  });

  it('$retainKeys clears fields of a volume that the patch does not keep', () => {
    const out = applyStrategicMergePatch(pod, { spec: { volumes: [{ name: 'v1', hostPath: { path: '/x' }, $retainKeys: ['hostPath', 'name'] }] } }, 'Pod');
    expect(out.spec.volumes).toEqual([{ name: 'v1', hostPath: { path: '/x' } }]);
  });

  it('$deleteFromPrimitiveList removes finalizers; finalizers merge as a set', () => {
    const del = applyStrategicMergePatch(pod, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, 'Pod');
    expect(del.metadata.finalizers).toEqual(['b']);
    const add = applyStrategicMergePatch(pod, { metadata: { finalizers: ['b', 'c'] } }, 'Pod');
    expect([...add.metadata.finalizers].sort()).toEqual(['a', 'b', 'c']);
  });

  it('null deletes keys and is dropped from values the original lacks', () => {
    const out = applyStrategicMergePatch(pod, { metadata: { labels: { x: null }, annotations: { a: 'b', c: null } } }, 'Pod');
    expect(out.metadata.labels).toEqual({ y: '2' });
    expect(out.metadata.annotations).toEqual({ a: 'b' });
  });

  it('a list element without its merge key is a 500 with upstream text', () => {
    const err = statusOf(() => applyStrategicMergePatch(pod, { spec: { containers: [{ image: 'x' }] } }, 'Pod'));
    expect(err.status).toMatchObject({ code: 500, message: 'map: map[image:x] does not contain declared merge key: name' });
    expect(err.status.reason).toBeUndefined();
  });

  it('malformed directives are 400 BadRequest, list of lists 422, unknown $patch 500', () => {
    expect(statusOf(() => applyStrategicMergePatch(pod, { spec: { volumes: [{ name: 'v1', $retainKeys: 'x' }] } }, 'Pod')).status).toMatchObject({
      code: 400,
      reason: 'BadRequest',
      message: 'invalid patch format of retainKeys',
    });
    expect(statusOf(() => applyStrategicMergePatch(pod, { spec: { volumes: [{ name: 'v1', emptyDir: null, hostPath: {}, $retainKeys: ['name'] }] } }, 'Pod')).status.message).toBe(
      'invalid patch format of retainKeys',
    );
    expect(statusOf(() => applyStrategicMergePatch({ metadata: { finalizers: [['a']] } }, { metadata: { finalizers: [['x']] } }, 'Pod')).status).toMatchObject({
      code: 422,
      reason: 'Invalid',
    });
    expect(statusOf(() => applyStrategicMergePatch(pod, { metadata: { finalizers: [['x']] } }, 'Pod')).status.message).toBe('list element types are not identical: [a b] [[x]]');
    expect(statusOf(() => applyStrategicMergePatch(pod, { metadata: { labels: { $patch: 'frob' } } }, 'Pod')).status.message).toBe(
      'unknown patch type: frob in map: map[$patch:frob]',
    );
    expect(statusOf(() => applyStrategicMergePatch(pod, [1], 'Pod')).status).toMatchObject({
      code: 400,
      message: 'json: cannot unmarshal array into Go value of type map[string]interface {}',
    });
  });

  it('other kinds: ServiceAccount secrets merge by name, Secret data merges as a map', () => {
    const sa = applyStrategicMergePatch(
      { secrets: [{ name: 'a' }], imagePullSecrets: [{ name: 'x' }] },
      { secrets: [{ name: 'b' }], imagePullSecrets: [{ name: 'y' }] },
      'ServiceAccount',
    );
    expect(sa.secrets.map((s: Obj) => s.name).sort()).toEqual(['a', 'b']);
    expect(sa.imagePullSecrets).toEqual([{ name: 'y' }]);
    const secret = applyStrategicMergePatch({ data: { a: 'YQ==' } }, { data: { b: 'Yg==' } }, 'Secret');
    expect(secret.data).toEqual({ a: 'YQ==', b: 'Yg==' });
    const role = applyStrategicMergePatch({ rules: [{ verbs: ['get'] }] }, { rules: [{ verbs: ['list'] }] }, 'Role');
    expect(role.rules).toEqual([{ verbs: ['list'] }]);
    expect(statusOf(() => applyStrategicMergePatch({}, {}, 'Widget')).status).toMatchObject({
      code: 415,
      reason: 'UnsupportedMediaType',
      message:
        'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
    });
  });

  it('goValue prints like Go %v', () => {
    expect(goValue({ b: [1, 'x'], a: { c: true } })).toBe('map[a:map[c:true] b:[1 x]]');
  });
});
