import { describe, expect, it } from 'vitest';
import { attribute, classifyDryRun, withControl } from './admission-outcome.js';

const sent = { field: 'containers', name: 'probe', policy: 'IfNotPresent' } as const;
const pod = (policy: string, annotations: Record<string, string> = {}) => ({ metadata: { annotations }, spec: { containers: [{ name: 'probe', imagePullPolicy: policy }] } });

describe('classifyDryRun (research/policies-audit.md §B5.3)', () => {
  it('2xx with the policy unchanged: admitted as sent, with any Warning headers', () => {
    expect(classifyDryRun({ status: 201, body: pod('IfNotPresent'), warnings: ['would violate'] }, sent)).toEqual({
      kind: 'allowed-as-sent',
      policy: 'IfNotPresent',
      warnings: ['would violate'],
    });
  });
  it('2xx with Always: mutated, attributed to Kyverno by its annotation', () => {
    const o = classifyDryRun(
      {
        status: 201,
        body: pod('Always', { 'policies.kyverno.io/last-applied-patches': 'always-pull-images.always-pull-images.kyverno.io: replaced /spec/containers/0/imagePullPolicy\n' }),
        warnings: [],
      },
      sent,
    );
    expect(o).toEqual({
      kind: 'mutated',
      from: 'IfNotPresent',
      to: 'Always',
      attribution: 'Kyverno: always-pull-images.always-pull-images.kyverno.io: replaced /spec/containers/0/imagePullPolicy',
    });
  });
  it('a VAP or webhook denial is a refusal with its message', () => {
    const message = "pods \"p\" is forbidden: ValidatingAdmissionPolicy 'require-always' with binding 'b' denied request: imagePullPolicy must be Always";
    expect(classifyDryRun({ status: 403, body: { message }, warnings: [] }, sent)).toEqual({ kind: 'refused', code: 403, message });
  });
  it('RBAC refusing the probe itself, a webhook without dry-run support, and 5xx are inconclusive', () => {
    const rbac = classifyDryRun(
      { status: 403, body: { message: 'pods is forbidden: User "u" cannot create resource "pods" in API group "" in the namespace "x"' }, warnings: [] },
      sent,
    );
    expect(rbac.kind).toBe('inconclusive');
    const dry = classifyDryRun({ status: 400, body: { message: 'admission webhook "x" does not support dry run' }, warnings: [] }, sent);
    expect(dry.kind).toBe('inconclusive');
    expect(classifyDryRun({ status: 500, body: 'oops', warnings: [] }, sent).kind).toBe('inconclusive');
  });
  it('a 2xx answer without the container sent is inconclusive', () => {
    expect(classifyDryRun({ status: 201, body: { spec: {} }, warnings: [] }, sent).kind).toBe('inconclusive');
  });
  it('a refusal that also refuses Always is not about pull policy', () => {
    const refused = { kind: 'refused', code: 403, message: 'image registry not allowed' } as const;
    expect(withControl(refused, refused).kind).toBe('inconclusive');
    expect(withControl(refused, { kind: 'allowed-as-sent', policy: 'Always', warnings: [] })).toBe(refused);
  });
  it('no mark: AlwaysPullImages or a MAP', () => {
    expect(attribute({})).toContain('AlwaysPullImages');
  });
});
