// Admission policies: the cost per request of evaluatePolicies with 0, 1 and 10 ValidatingAdmissionPolicies (and
// 1 MutatingAdmissionPolicy) on Admin1's pod, which every policy admits after evaluating everything: the engine's
// share of a pod create (the embedded API server calls the same function in its admission chain). Reference: the
// same call with no policy.
import { readFileSync } from 'node:fs';
import type { BenchLine } from './index.js';
import { evaluatePolicies, type PolicyAttributes, type PolicyLookups } from '../src/embedded/apiserver/admission/policy/evaluate.js';
import { policySetFromYaml } from '../src/embedded/apiserver/admission/policy/policy-set.js';
import type { ValidatingAdmissionPolicy, ValidatingAdmissionPolicyBinding } from '../src/embedded/apiserver/admission/policy/types.js';

const file = (name: string) => policySetFromYaml(readFileSync(new URL(`../cluster-configs/policies/${name}.yaml`, import.meta.url), 'utf8'));

const container = (name: string) => ({ name, image: 'registry.lab:5000/supersecretimage1:1.0', imagePullPolicy: 'Always' });
const attrs: PolicyAttributes = {
  operation: 'CREATE',
  group: '',
  version: 'v1',
  resource: 'pods',
  subresource: '',
  kind: 'Pod',
  name: 'pod1',
  namespace: 'tenant-a',
  object: {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'pod1', namespace: 'tenant-a' },
    spec: { initContainers: [container('init')], containers: [container('app'), container('side')] },
  },
  userInfo: { username: 'admin1' },
};
const lookups: PolicyLookups = {
  namespace: (n) => ({ metadata: { name: n, labels: { 'kubernetes.io/metadata.name': n } } }),
  namespaceLabels: (n) => ({ 'kubernetes.io/metadata.name': n }),
};

/** n copies of the lab's require-always policy and binding, each under its own name. */
function validating(n: number): { validatingPolicies: ValidatingAdmissionPolicy[]; validatingBindings: ValidatingAdmissionPolicyBinding[] } {
  const base = file('require-always');
  const p = base.validatingPolicies![0]!;
  const b = base.validatingBindings![0]!;
  const names = Array.from({ length: n }, (_, i) => `require-always-${i}`);
  return {
    validatingPolicies: names.map((name) => ({ ...p, metadata: { name } })),
    validatingBindings: names.map((name) => ({ ...b, metadata: { name }, spec: { ...b.spec, policyName: name } })),
  };
}

function perRequest(set: Parameters<typeof evaluatePolicies>[1], n = 2000): number {
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    if (!evaluatePolicies(attrs, set, lookups).allowed) throw new Error('the bench pod must be admitted');
  }
  return ((performance.now() - start) / n) * 1000;
}

const us = (v: number): string => `${v.toFixed(1)} µs`;

export default async function bench(): Promise<BenchLine[]> {
  const sets = { none: {}, one: validating(1), ten: validating(10), map: file('force-always') };
  // warm every configuration first (compiles once, and the JIT sees every path) so the order does not matter
  for (const set of Object.values(sets)) for (let i = 0; i < 500; i++) evaluatePolicies(attrs, set, lookups);
  const none = perRequest(sets.none);
  const one = perRequest(sets.one);
  const ten = perRequest(sets.ten);
  const map = perRequest(sets.map);
  return [
    { name: 'admission per request, no policy', value: us(none) },
    { name: 'admission per request, 1 VAP (vs none)', value: `${us(one)} vs ${us(none)}`, ratio: none / one, target: 'informational' },
    { name: 'admission per request, 10 VAPs (vs none)', value: `${us(ten)} vs ${us(none)}`, ratio: none / ten, target: 'informational' },
    { name: 'admission per request, 1 MAP (vs none)', value: `${us(map)} vs ${us(none)}`, ratio: none / map, target: 'informational' },
  ];
}
