// MAP mutations (k8s.io/apiserver pkg/admission/plugin/policy/mutating/dispatcher.go, patch/smd.go,
// patch/json_patch.go) and the structured merge of apply configurations.
import { describe, expect, it } from 'vitest';
import type { PolicyAttributes } from './activation.js';
import { findAtomics } from './apply-configuration.js';
import { evaluatePolicies, type PolicyLookups } from './evaluate.js';
import type { MutatingAdmissionPolicy, MutatingAdmissionPolicyBinding, Mutation, ReinvocationPolicyType } from './types.js';

const pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'web', namespace: 'ns', labels: { app: 'web' } },
  spec: {
    containers: [
      { name: 'app', image: 'i:1', imagePullPolicy: 'IfNotPresent', ports: [{ containerPort: 80, protocol: 'TCP' }] },
      { name: 'side', image: 's:1', imagePullPolicy: 'IfNotPresent' },
    ],
  },
};
const attrs: PolicyAttributes = {
  operation: 'CREATE',
  group: '',
  version: 'v1',
  resource: 'pods',
  subresource: '',
  kind: 'Pod',
  name: 'web',
  namespace: 'ns',
  object: pod,
  userInfo: { username: 'u' },
};
const lookups: PolicyLookups = { namespace: (n) => ({ metadata: { name: n } }), namespaceLabels: () => ({}) };

const applyConfig = (expression: string): Mutation => ({ patchType: 'ApplyConfiguration', applyConfiguration: { expression } });
const jsonPatch = (expression: string): Mutation => ({ patchType: 'JSONPatch', jsonPatch: { expression } });

function map(
  name: string,
  mutations: Mutation[],
  extra: Partial<MutatingAdmissionPolicy['spec']> = {},
  reinvocationPolicy: ReinvocationPolicyType = 'Never',
): MutatingAdmissionPolicy {
  return {
    metadata: { name },
    spec: { matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }] }, mutations, reinvocationPolicy, ...extra },
  };
}
const bind = (policyName: string): MutatingAdmissionPolicyBinding => ({ metadata: { name: `${policyName}-binding` }, spec: { policyName } });
const run = (policies: MutatingAdmissionPolicy[], opts = {}) =>
  evaluatePolicies(attrs, { mutatingPolicies: policies, mutatingBindings: policies.map((p) => bind(p.metadata.name!)) }, lookups, opts);

describe('ApplyConfiguration', () => {
  it('merges containers by name and maps by key, leaving every other field', () => {
    const d = run([
      map('m', [
        applyConfig(
          `Object{metadata: Object.metadata{labels: {'forced': 'true'}}, spec: Object.spec{containers: [Object.spec.containers{name: 'side', imagePullPolicy: 'Always'}]}}`,
        ),
      ]),
    ]);
    expect(d.allowed).toBe(true);
    const out = d.patchedObject as typeof pod;
    expect(out.metadata.labels).toEqual({ app: 'web', forced: 'true' });
    expect(out.spec.containers.map((c) => `${c.name}:${c.imagePullPolicy}:${c.image}`)).toEqual(['app:IfNotPresent:i:1', 'side:Always:s:1']);
    expect(out.spec.containers[0]!.ports).toEqual([{ containerPort: 80, protocol: 'TCP' }]);
  });

  it('adds a new container at the end', () => {
    const d = run([map('m', [applyConfig(`Object{spec: Object.spec{containers: [Object.spec.containers{name: 'extra', image: 'e:1'}]}}`)])]);
    expect((d.patchedObject as typeof pod).spec.containers.map((c) => c.name)).toEqual(['app', 'side', 'extra']);
  });

  it('refuses atomic lists, with the policy error as a 403 Invalid', () => {
    const d = run([map('m', [applyConfig(`Object{spec: Object.spec{tolerations: [Object.spec.tolerations{key: 'k'}]}}`)])]);
    expect(d.allowed).toBe(false);
    expect(d.status?.code).toBe(403);
    expect(d.status?.reason).toBe('Invalid');
    expect(d.status?.message).toBe(
      "policy 'm' with binding 'm-binding' denied request: error applying patch: invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: .spec.tolerations",
    );
  });

  it('findAtomics walks into keyed lists', () => {
    expect(findAtomics({ spec: { containers: [{ name: 'a', command: ['x'] }], nodeSelector: { a: 'b' } } })).toEqual(['.spec.containers[0].command', '.spec.nodeSelector']);
  });

  it('failurePolicy Ignore drops a failing mutation and keeps the object', () => {
    const d = run([map('m', [applyConfig('object.nope')], { failurePolicy: 'Ignore' })]);
    expect(d.allowed).toBe(true);
    expect(d.patchedObject).toEqual(pod);
  });

  it('a runtime error under Fail denies with cel-go words', () => {
    const d = run([map('m', [applyConfig('object.nope')])]);
    expect(d.status?.message).toBe("policy 'm' with binding 'm-binding' denied request: expression 'object.nope' resulted in error: no such key: nope");
  });
});

describe('JSONPatch', () => {
  it('applies the operations; jsonpatch.escapeKey escapes a label key', () => {
    const d = run([
      map('m', [
        jsonPatch(
          `[JSONPatch{op: 'add', path: '/metadata/labels/' + jsonpatch.escapeKey('lab.example/forced'), value: 'yes'}, JSONPatch{op: 'replace', path: '/spec/containers/0/imagePullPolicy', value: 'Always'}]`,
        ),
      ]),
    ]);
    const out = d.patchedObject as typeof pod;
    expect(out.metadata.labels).toEqual({ app: 'web', 'lab.example/forced': 'yes' });
    expect(out.spec.containers[0]!.imagePullPolicy).toBe('Always');
  });

  it('a failing test operation leaves the object unchanged', () => {
    const d = run([map('m', [jsonPatch(`[JSONPatch{op: 'test', path: '/metadata/name', value: 'other'}, JSONPatch{op: 'remove', path: '/metadata/labels'}]`)])]);
    expect(d.allowed).toBe(true);
    expect(d.patchedObject).toEqual(pod);
  });

  it('a patch that does not apply fails with the json-patch text', () => {
    const d = run([map('m', [jsonPatch(`[JSONPatch{op: 'add', path: '/spec/nothing/x', value: 1}]`)])]);
    expect(d.status?.message).toBe(
      `policy 'm' with binding 'm-binding' denied request: JSON Patch: add operation does not apply: doc is missing path: "/spec/nothing/x": missing value`,
    );
  });
});

describe('order, defaulting and reinvocation', () => {
  const copy = (policy: ReinvocationPolicyType) =>
    map('a-copy', [applyConfig(`Object{metadata: Object.metadata{labels: {'copy': has(object.metadata.labels.source) ? object.metadata.labels.source : 'none'}}}`)], {}, policy);
  const source = map('b-source', [applyConfig(`Object{metadata: Object.metadata{labels: {'source': 'x'}}}`)]);
  const labels = (d: ReturnType<typeof run>) => (d.patchedObject as typeof pod).metadata.labels as Record<string, string>;

  it('IfNeeded: a policy runs again when a later one changed the object', () => {
    expect(labels(run([copy('IfNeeded'), source]))['copy']).toBe('x');
  });
  it('Never: it does not', () => {
    expect(labels(run([copy('Never'), source]))['copy']).toBe('none');
  });
  it('the object is defaulted after each mutation', () => {
    const seen: unknown[] = [];
    run([source], { defaultObject: (o: Record<string, unknown>) => (seen.push(o), { ...o, defaulted: true }) });
    expect(seen).toHaveLength(1);
  });
});
