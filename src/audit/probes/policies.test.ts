import { describe, expect, it } from 'vitest';
import { assignCoverage, celPolicyCoverage, kyvernoCoverage, rulesReach, webhookCoverage } from './policies.js';

describe('rulesReach: admissionregistration rule resources', () => {
  it.each([
    [['pods'], { pods: true, ephemeral: false }],
    [['*'], { pods: true, ephemeral: false }],
    [['pods', 'pods/ephemeralcontainers'], { pods: true, ephemeral: true }],
    [['pods/*'], { pods: false, ephemeral: true }],
    [['*/*'], { pods: true, ephemeral: true }],
    [['deployments'], { pods: false, ephemeral: false }],
  ])('%j', (resources, expected) => {
    expect(rulesReach([{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources }])).toEqual(expected);
  });
  it('CREATE only does not reach the ephemeral UPDATE; another API group reaches nothing', () => {
    expect(rulesReach([{ apiGroups: [''], operations: ['CREATE'], resources: ['*/*'] }])).toEqual({ pods: true, ephemeral: false });
    expect(rulesReach([{ apiGroups: ['apps'], operations: ['*'], resources: ['*/*'] }])).toEqual({ pods: false, ephemeral: false });
  });
});

describe('coverage of known policies', () => {
  it("Kyverno's library always-pull-images ClusterPolicy mutates spec.containers only (kyverno/policies other/always-pull-images)", () => {
    const policy = {
      metadata: { name: 'always-pull-images' },
      spec: {
        rules: [
          {
            name: 'always-pull-images',
            match: { any: [{ resources: { kinds: ['Pod'] } }] },
            mutate: { patchStrategicMerge: { spec: { containers: [{ '(name)': '?*', imagePullPolicy: 'Always' }] } } },
          },
        ],
      },
    };
    expect(kyvernoCoverage('Kyverno ClusterPolicy', policy).covers).toEqual({ containers: 'yes', initContainers: 'no', ephemeralContainers: 'no' });
  });
  it("Gatekeeper's docs Assign covers containers only", () => {
    const assign = {
      metadata: { name: 'demo-image-pull-policy' },
      spec: { applyTo: [{ groups: [''], kinds: ['Pod'], versions: ['v1'] }], location: 'spec.containers[name:*].imagePullPolicy', parameters: { assign: { value: 'Always' } } },
    };
    expect(assignCoverage('Gatekeeper Assign', assign).covers).toEqual({ containers: 'yes', initContainers: 'no', ephemeralContainers: 'no' });
  });
  it('a VAP that names all three lists and matches the subresource covers all three', () => {
    const vap = {
      metadata: { name: 'require-always' },
      spec: {
        matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] }] },
        validations: [
          {
            expression:
              "object.spec.containers.all(c, c.imagePullPolicy == 'Always') && (!has(object.spec.initContainers) || object.spec.initContainers.all(c, c.imagePullPolicy == 'Always')) && (!has(object.spec.ephemeralContainers) || object.spec.ephemeralContainers.all(c, c.imagePullPolicy == 'Always'))",
          },
        ],
      },
    };
    expect(celPolicyCoverage('ValidatingAdmissionPolicy', vap).covers).toEqual({ containers: 'yes', initContainers: 'yes', ephemeralContainers: 'yes' });
    const podsOnly = { ...vap, spec: { ...vap.spec, matchConstraints: { resourceRules: [{ apiGroups: [''], operations: ['CREATE', 'UPDATE'], resources: ['pods'] }] } } };
    expect(celPolicyCoverage('ValidatingAdmissionPolicy', podsOnly).covers.ephemeralContainers).toBe('no');
  });
  it('a webhook on pods is opaque: unknown, and fail-open is noted', () => {
    const config = {
      metadata: { name: 'gatekeeper' },
      webhooks: [
        { name: 'mutation.gatekeeper.sh', failurePolicy: 'Ignore', rules: [{ apiGroups: ['*'], operations: ['CREATE', 'UPDATE'], resources: ['*', 'pods/ephemeralcontainers'] }] },
      ],
    };
    expect(webhookCoverage('MutatingWebhookConfiguration', config)).toEqual([
      {
        api: 'MutatingWebhookConfiguration',
        name: 'gatekeeper/mutation.gatekeeper.sh',
        covers: { containers: 'unknown', initContainers: 'unknown', ephemeralContainers: 'unknown' },
        note: 'failurePolicy Ignore: fails open',
      },
    ]);
  });
});
