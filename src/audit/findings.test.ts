import { describe, expect, it } from 'vitest';
import {
  evaluate,
  hasFindings,
  versionDefault,
  type AdmissionOutcome,
  type AdmissionProbe,
  type AttackObservation,
  type KubeletObservation,
  type Observations,
} from './findings.js';

const allowed = (policy: 'IfNotPresent' | 'Never' = 'IfNotPresent'): AdmissionOutcome => ({ kind: 'allowed-as-sent', policy, warnings: [] });
const forced: AdmissionOutcome = { kind: 'mutated', from: 'IfNotPresent', to: 'Always', attribution: 'AlwaysPullImages' };
const probes = (o: { pods: AdmissionOutcome; ephemeral: AdmissionOutcome }): AdmissionProbe[] => [
  { path: 'containers', probe: 'p', namespace: 'ns', basis: 'observed', outcome: o.pods },
  { path: 'init-containers', probe: 'p', namespace: 'ns', basis: 'observed', outcome: o.pods },
  { path: 'never-policy', probe: 'p', namespace: 'ns', basis: 'observed', outcome: o.pods.kind === 'allowed-as-sent' ? allowed('Never') : o.pods },
  { path: 'ephemeral-containers', probe: 'p', namespace: 'ns', basis: 'observed', outcome: o.ephemeral },
];
const unreadable: KubeletObservation = { serverVersion: 'v1.36.3', nodes: [{ node: 'w', read: false, reason: '404' }] };
const configz = (policy: 'NeverVerify' | 'NeverVerifyPreloadedImages' | 'AlwaysVerify'): KubeletObservation => ({
  nodes: [
    { node: 'w1', read: true, gate: true, policy, allowlist: [] },
    { node: 'w2', read: true, gate: true, policy, allowlist: [] },
  ],
});
const gapStatus = (o: Observations) => Object.fromEntries(evaluate(o).gaps.map((g) => [g.id, g.status]));
const defence = (o: Observations, id: string) => evaluate(o).defences.find((d) => d.id === id)!.status;

describe('evaluate: the verdict per gap from the observations', () => {
  it('admission open and a kubelet that never verifies: every path open (profile none with configz)', () => {
    const o = { admission: probes({ pods: allowed(), ephemeral: allowed() }), kubelet: configz('NeverVerify'), policies: [] };
    expect(gapStatus(o)).toEqual({ containers: 'open', 'init-containers': 'open', 'never-policy': 'open', 'ephemeral-containers': 'open', 'preloaded-images': 'open' });
    expect(evaluate(o).conclusion).toBe('exposed');
    expect(defence(o, 'kubelet-ensure-secret-pulled-images')).toBe('not-effective');
  });

  it('AlwaysPullImages closes pod creates but not the ephemeral path (always-pull-images)', () => {
    const o = { admission: probes({ pods: forced, ephemeral: allowed() }), kubelet: configz('NeverVerify'), policies: [] };
    expect(gapStatus(o)).toEqual({ containers: 'closed', 'init-containers': 'closed', 'never-policy': 'closed', 'ephemeral-containers': 'open', 'preloaded-images': 'open' });
    expect(defence(o, 'admission-always-pull')).toBe('effective');
  });

  it('the kubelet default closes every path but leaves preloaded images (kubelet-default)', () => {
    const o = { admission: probes({ pods: allowed(), ephemeral: allowed() }), kubelet: configz('NeverVerifyPreloadedImages'), policies: [] };
    expect(gapStatus(o)).toEqual({ containers: 'closed', 'init-containers': 'closed', 'never-policy': 'closed', 'ephemeral-containers': 'closed', 'preloaded-images': 'open' });
  });

  it('AlwaysVerify on every node: protected, so exit 0', () => {
    const o = { admission: probes({ pods: allowed(), ephemeral: allowed() }), kubelet: configz('AlwaysVerify'), policies: [] };
    expect(evaluate(o).conclusion).toBe('protected');
    expect(hasFindings(evaluate(o))).toBe(false);
  });

  it('one node with NeverVerify among verifying ones makes the kubelet defence not effective', () => {
    const k: KubeletObservation = { nodes: [...configz('AlwaysVerify').nodes, { node: 'w3', read: true, gate: false, allowlist: [] }] };
    expect(defence({ admission: probes({ pods: allowed(), ephemeral: allowed() }), kubelet: k, policies: [] }, 'kubelet-ensure-secret-pulled-images')).toBe('not-effective');
  });

  it('an unreadable kubelet leaves admission-open paths unknown, never certified', () => {
    const o = { admission: probes({ pods: allowed(), ephemeral: allowed() }), kubelet: unreadable, policies: [] };
    const f = evaluate(o);
    expect(f.conclusion).toBe('undetermined');
    expect(hasFindings(f)).toBe(true);
    expect(f.gaps.every((g) => g.status === 'unknown' && g.reason)).toBe(true);
    expect(f.defences.find((d) => d.id === 'kubelet-ensure-secret-pulled-images')!.reason).toContain('404');
  });

  it('the attack decides: a run from the cache is open, a kubelet refusal shows the kubelet verifies', () => {
    const bypass: AttackObservation = {
      namespaces: [],
      cleanedUp: true,
      containers: { kind: 'bypassed', node: 'w', policy: 'IfNotPresent', evidence: 'ran' },
      'ephemeral-containers': { kind: 'bypassed', node: 'w', policy: 'IfNotPresent', evidence: 'ran' },
    };
    const o1 = { admission: probes({ pods: allowed(), ephemeral: allowed() }), kubelet: unreadable, policies: [], attack: bypass };
    expect(gapStatus(o1)).toMatchObject({ containers: 'open', 'init-containers': 'open', 'never-policy': 'open', 'ephemeral-containers': 'open' });
    const blocked: AttackObservation = {
      ...bypass,
      containers: { kind: 'blocked', node: 'w', by: 'kubelet', policy: 'IfNotPresent', evidence: 'ErrImagePull' },
      'ephemeral-containers': { kind: 'blocked', node: 'w', by: 'kubelet', policy: 'IfNotPresent', evidence: 'ErrImagePull' },
    };
    const o2 = { ...o1, attack: blocked };
    expect(gapStatus(o2)).toEqual({ containers: 'closed', 'init-containers': 'closed', 'never-policy': 'closed', 'ephemeral-containers': 'closed', 'preloaded-images': 'unknown' });
    expect(defence(o2, 'kubelet-ensure-secret-pulled-images')).toBe('effective');
  });

  it('a registry refusal after admission forced Always says nothing about the kubelet', () => {
    const attack: AttackObservation = {
      namespaces: [],
      cleanedUp: true,
      containers: { kind: 'blocked', node: 'w', by: 'registry', policy: 'Always', evidence: '401' },
      'ephemeral-containers': { kind: 'bypassed', node: 'w', policy: 'IfNotPresent', evidence: 'ran' },
    };
    const o = { admission: probes({ pods: forced, ephemeral: allowed() }), kubelet: unreadable, policies: [], attack };
    expect(gapStatus(o)).toMatchObject({ containers: 'closed', 'ephemeral-containers': 'open' });
    // the ephemeral run shows that node's kubelet does not verify
    expect(defence(o, 'kubelet-ensure-secret-pulled-images')).toBe('not-effective');
  });

  it('a probe that could not be sent is unknown with the reason', () => {
    const o = {
      admission: probes({ pods: { kind: 'inconclusive', reason: 'forbidden' }, ephemeral: { kind: 'inconclusive', reason: 'forbidden' } }),
      kubelet: unreadable,
      policies: [],
    };
    const g = evaluate(o).gaps.find((x) => x.id === 'containers')!;
    expect(g.status).toBe('unknown');
    expect(g.reason).toContain('forbidden');
  });

  it('a policy refusal closes the path', () => {
    const refused: AdmissionOutcome = { kind: 'refused', code: 403, message: "ValidatingAdmissionPolicy 'require-always' denied request" };
    const o = { admission: probes({ pods: refused, ephemeral: refused }), kubelet: unreadable, policies: [] };
    expect(evaluate(o).conclusion).toBe('protected');
  });
});

describe('versionDefault: KubeletEnsureSecretPulledImages by release (pkg/features/kube_features.go)', () => {
  it.each([
    ['v1.32.4', 'does not exist'],
    ['v1.33.0', 'off by default'],
    ['v1.34.2', 'off by default'],
    ['v1.35.0', 'on by default'],
    ['v1.36.3', 'on by default'],
    ['garbage', ''],
  ])('%s', (version, expected) => {
    expect(versionDefault(version)).toContain(expected);
  });
});
