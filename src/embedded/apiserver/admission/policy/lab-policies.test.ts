// The lab's policies (cluster-configs/policies/*.yaml) against the scenario shapes: Admin2's classic pod, a pod
// with an init container, kubectl debug's ephemeral-container PATCH, and Admin1's Always pod.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { PolicyAttributes } from './activation.js';
import { evaluatePolicies, type PolicyLookups } from './evaluate.js';
import { policySetFromYaml } from './policy-set.js';

const policyFile = (name: string) => policySetFromYaml(readFileSync(new URL(`../../../../../cluster-configs/policies/${name}.yaml`, import.meta.url), 'utf8'));

const IMAGE = 'registry.lab:5000/supersecretimage1:1.0';
type Policy = 'Always' | 'IfNotPresent' | 'Never';
const container = (name: string, imagePullPolicy: Policy) => ({ name, image: IMAGE, imagePullPolicy });

function pod(namespace: string, spec: Record<string, unknown>) {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod', namespace }, spec };
}

const admin1 = { username: 'admin1', groups: ['system:authenticated'] };
const admin2 = { username: 'admin2', groups: ['system:authenticated'] };

function create(namespace: string, spec: Record<string, unknown>, user = admin2): PolicyAttributes {
  return {
    operation: 'CREATE',
    group: '',
    version: 'v1',
    resource: 'pods',
    subresource: '',
    kind: 'Pod',
    name: 'pod',
    namespace,
    object: pod(namespace, spec),
    userInfo: user,
  };
}

/** kubectl debug: PATCH pods/pod/ephemeralcontainers, an UPDATE whose object is the whole pod. */
function debug(namespace: string, ephemeralPolicy: Policy): PolicyAttributes {
  const old = pod(namespace, { containers: [container('app', 'Always')] });
  const next = pod(namespace, { containers: [container('app', 'Always')], ephemeralContainers: [container('debugger', ephemeralPolicy)] });
  return {
    operation: 'UPDATE',
    group: '',
    version: 'v1',
    resource: 'pods',
    subresource: 'ephemeralcontainers',
    kind: 'Pod',
    name: 'pod',
    namespace,
    object: next,
    oldObject: old,
    userInfo: admin2,
  };
}

const shapes: Record<string, PolicyAttributes> = {
  'classic pod (IfNotPresent)': create('tenant-b', { containers: [container('app', 'IfNotPresent')] }),
  'init container (IfNotPresent)': create('tenant-b', { initContainers: [container('init', 'IfNotPresent')], containers: [container('app', 'Always')] }),
  'ephemeral container (kubectl debug, IfNotPresent)': debug('tenant-b', 'IfNotPresent'),
  "Admin1's Always pod": create('tenant-a', { initContainers: [container('init', 'Always')], containers: [container('app', 'Always')] }, admin1),
};

function lookups(namespaceLabels: Record<string, Record<string, string>> = {}, params: Record<string, Record<string, unknown>> = {}): PolicyLookups {
  const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...(namespaceLabels[name] ?? {}) } } });
  return {
    namespace: (name) => (['tenant-a', 'tenant-b', 'kube-system'].includes(name) ? ns(name) : undefined),
    namespaceLabels: (name) => (['tenant-a', 'tenant-b', 'kube-system'].includes(name) ? ns(name).metadata.labels : undefined),
    params: {
      scope: (k) => (k.kind === 'ConfigMap' ? 'Namespaced' : undefined),
      get: (_k, namespace, name) => params[`${namespace}/${name}`],
      list: () => [],
    },
  };
}

type Outcome = 'denied' | 'allowed';
const VALIDATING: { file: string; expected: Record<string, Outcome> }[] = [
  {
    file: 'require-always',
    expected: {
      'classic pod (IfNotPresent)': 'denied',
      'init container (IfNotPresent)': 'denied',
      'ephemeral container (kubectl debug, IfNotPresent)': 'denied',
      "Admin1's Always pod": 'allowed',
    },
  },
  {
    file: 'gap-forgets-ephemeral-containers',
    expected: {
      'classic pod (IfNotPresent)': 'denied',
      'init container (IfNotPresent)': 'denied',
      'ephemeral container (kubectl debug, IfNotPresent)': 'allowed',
      "Admin1's Always pod": 'allowed',
    },
  },
  {
    file: 'gap-containers-only',
    expected: {
      'classic pod (IfNotPresent)': 'denied',
      'init container (IfNotPresent)': 'allowed',
      'ephemeral container (kubectl debug, IfNotPresent)': 'allowed',
      "Admin1's Always pod": 'allowed',
    },
  },
  {
    file: 'gap-ignore-missing-param',
    expected: {
      'classic pod (IfNotPresent)': 'allowed',
      'init container (IfNotPresent)': 'allowed',
      'ephemeral container (kubectl debug, IfNotPresent)': 'allowed',
      "Admin1's Always pod": 'allowed',
    },
  },
  {
    file: 'gap-namespace-label-exemption',
    expected: {
      'classic pod (IfNotPresent)': 'denied',
      'init container (IfNotPresent)': 'denied',
      'ephemeral container (kubectl debug, IfNotPresent)': 'denied',
      "Admin1's Always pod": 'allowed',
    },
  },
];

describe('the lab validating policies against the scenario shapes', () => {
  for (const { file, expected } of VALIDATING) {
    describe(file, () => {
      const set = policyFile(file);
      for (const [shape, outcome] of Object.entries(expected)) {
        it(`${shape}: ${outcome}`, () => {
          const d = evaluatePolicies(shapes[shape]!, set, lookups());
          expect(d.allowed ? 'allowed' : 'denied').toBe(outcome);
        });
      }
    });
  }

  it('require-always denies with the policy message, 403 Forbidden, as the API server words it', () => {
    const d = evaluatePolicies(shapes['classic pod (IfNotPresent)']!, policyFile('require-always'), lookups());
    expect(d.status?.code).toBe(403);
    expect(d.status?.reason).toBe('Forbidden');
    expect(d.status?.message).toBe(
      `pods "pod" is forbidden: ValidatingAdmissionPolicy 'require-imagepullpolicy-always.image-heist.lab' with binding 'require-imagepullpolicy-always.image-heist.lab' denied request: imagePullPolicy must be Always (cached-image bypass); offending: containers/app`,
    );
  });

  it('require-always names the ephemeral container on kubectl debug, and lets an Always debugger through', () => {
    const set = policyFile('require-always');
    expect(evaluatePolicies(shapes['ephemeral container (kubectl debug, IfNotPresent)']!, set, lookups()).status?.message).toMatch(/offending: ephemeralContainers\/debugger$/);
    expect(evaluatePolicies(debug('tenant-b', 'Always'), set, lookups()).allowed).toBe(true);
  });

  it('require-always exempts unchanged containers of a legacy pod, but not the same image under another name', () => {
    const set = policyFile('require-always');
    const legacy = pod('tenant-b', { containers: [container('app', 'IfNotPresent')] });
    const relabel: PolicyAttributes = {
      ...shapes['classic pod (IfNotPresent)']!,
      operation: 'UPDATE',
      object: { ...legacy, metadata: { ...legacy.metadata, labels: { a: 'b' } } },
      oldObject: legacy,
    };
    expect(evaluatePolicies(relabel, set, lookups()).allowed).toBe(true);
    const sameImage = debug('tenant-b', 'IfNotPresent');
    expect(evaluatePolicies(sameImage, set, lookups()).allowed).toBe(false);
  });

  it('gap-ignore-missing-param closes once the param exists', () => {
    const set = policyFile('gap-ignore-missing-param');
    const params = {
      'kube-system/image-pull-policy': {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'image-pull-policy', namespace: 'kube-system' },
        data: { requiredPullPolicy: 'Always' },
      },
    };
    const d = evaluatePolicies(shapes['init container (IfNotPresent)']!, set, lookups({}, params));
    expect(d.allowed).toBe(false);
    expect(d.status?.message).toMatch(/denied request: imagePullPolicy must be Always$/);
  });

  it('gap-ignore-missing-param with failurePolicy Fail would have said why', () => {
    const set = policyFile('gap-ignore-missing-param');
    const failing = { ...set, validatingPolicies: set.validatingPolicies!.map((p) => ({ ...p, spec: { ...p.spec, failurePolicy: 'Fail' as const } })) };
    const d = evaluatePolicies(shapes['classic pod (IfNotPresent)']!, failing, lookups());
    expect(d.status?.code).toBe(422);
    expect(d.status?.message).toBe(
      "pods \"pod\" is forbidden: ValidatingAdmissionPolicy 'gap-ignore-missing-param.image-heist.lab' with binding 'gap-ignore-missing-param.image-heist.lab' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
    );
  });

  it('gap-namespace-label-exemption: a tenant that labels its own namespace is exempt', () => {
    const set = policyFile('gap-namespace-label-exemption');
    const labelled = lookups({ 'tenant-b': { 'lab.example/exempt': 'true' } });
    for (const shape of ['classic pod (IfNotPresent)', 'init container (IfNotPresent)', 'ephemeral container (kubectl debug, IfNotPresent)']) {
      expect(evaluatePolicies(shapes[shape]!, set, labelled).allowed).toBe(true);
    }
  });
});

describe('force-always (MutatingAdmissionPolicy)', () => {
  const set = policyFile('force-always');
  const policies = (o: unknown, key: 'containers' | 'initContainers' | 'ephemeralContainers') =>
    ((o as { spec: Record<string, { name: string; imagePullPolicy: string }[]> }).spec[key] ?? []).map((c) => `${c.name}:${c.imagePullPolicy}`);

  it('forces Always on the classic pod and keeps every other field', () => {
    const d = evaluatePolicies(shapes['classic pod (IfNotPresent)']!, set, lookups());
    expect(d.allowed).toBe(true);
    expect(policies(d.patchedObject, 'containers')).toEqual(['app:Always']);
    expect((d.patchedObject as { spec: { containers: { image: string }[] } }).spec.containers[0]!.image).toBe(IMAGE);
  });

  it('forces Always on init containers', () => {
    const d = evaluatePolicies(shapes['init container (IfNotPresent)']!, set, lookups());
    expect(policies(d.patchedObject, 'initContainers')).toEqual(['init:Always']);
    expect(policies(d.patchedObject, 'containers')).toEqual(['app:Always']);
  });

  it('forces Always on the ephemeral container kubectl debug adds', () => {
    const d = evaluatePolicies(shapes['ephemeral container (kubectl debug, IfNotPresent)']!, set, lookups());
    expect(policies(d.patchedObject, 'ephemeralContainers')).toEqual(['debugger:Always']);
  });

  it("leaves Admin1's Always pod as it is", () => {
    const a = shapes["Admin1's Always pod"]!;
    expect(evaluatePolicies(a, set, lookups()).patchedObject).toEqual(a.object);
  });

  it('does not touch kube-system', () => {
    const a = create('kube-system', { containers: [container('app', 'IfNotPresent')] });
    expect(policies(evaluatePolicies(a, set, lookups()).patchedObject, 'containers')).toEqual(['app:IfNotPresent']);
  });

  it('with require-always behind it, the forced pod passes validation', () => {
    const validating = policyFile('require-always');
    const both = { ...set, validatingPolicies: validating.validatingPolicies!, validatingBindings: validating.validatingBindings! };
    expect(evaluatePolicies(shapes['init container (IfNotPresent)']!, both, lookups()).allowed).toBe(true);
  });
});
