// The reports from one fixed result: SARIF validated against the OASIS SARIF 2.1.0 JSON schema (the copy
// @microsoft/jest-sarif ships, draft-04, read with ajv-draft-04), JUnit and JSON shapes, no credential anywhere.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvModule from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { evaluate, type Observations } from './findings.js';
import { auditJson, auditJunit, auditSarif, auditText, JSON_SCHEMA_VERSION } from './reporters.js';
import type { AuditResult } from './run-audit.js';

const require = createRequire(import.meta.url);
// a CommonJS module whose default export is the class: under NodeNext the import is the module object
const Ajv = (AjvModule as unknown as { default: typeof AjvModule.default }).default;
const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;

const observations: Observations = {
  admission: [
    {
      path: 'containers',
      probe: 'dryRun=All POST /api/v1/namespaces/team-b/pods (containers, IfNotPresent)',
      namespace: 'team-b',
      basis: 'observed',
      outcome: { kind: 'mutated', from: 'IfNotPresent', to: 'Always', attribution: 'AlwaysPullImages' },
    },
    {
      path: 'init-containers',
      probe: 'p',
      namespace: 'team-b',
      basis: 'observed',
      outcome: { kind: 'mutated', from: 'IfNotPresent', to: 'Always', attribution: 'AlwaysPullImages' },
    },
    { path: 'never-policy', probe: 'p', namespace: 'team-b', basis: 'observed', outcome: { kind: 'mutated', from: 'Never', to: 'Always', attribution: 'AlwaysPullImages' } },
    {
      path: 'ephemeral-containers',
      probe: 'dryRun=All PATCH …/ephemeralcontainers',
      namespace: 'team-b',
      basis: 'observed',
      outcome: { kind: 'allowed-as-sent', policy: 'IfNotPresent', warnings: [] },
    },
  ],
  kubelet: {
    serverVersion: 'v1.34.1',
    nodes: [
      { node: 'n1', read: true, gate: false, allowlist: [] },
      { node: 'n2', read: false, reason: 'forbidden <&>' },
    ],
  },
  policies: [{ api: 'ValidatingAdmissionPolicy', state: 'none', objects: [] }],
};
const result: AuditResult = { target: { server: 'https://10.0.0.1:6443', context: 'prod "eu"', namespace: 'team-b' }, observations, findings: evaluate(observations) };
const context = { result, toolVersion: '0.1.0' };

describe('SARIF', () => {
  // unicodeRegExp off: the schema's `language` pattern is not a valid unicode regex (research §B8.1)
  const ajv = new Ajv({ allErrors: true, strict: false, unicodeRegExp: false });
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  ajv.addFormat('uri-reference', () => true);
  ajv.addFormat('date-time', (s: string) => !Number.isNaN(Date.parse(s)));
  const validate = ajv.compile(schema);

  it('is valid SARIF 2.1.0', () => {
    const sarif = auditSarif(context);
    const ok = validate(sarif);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it('the schema check can fail: a log without a tool is rejected', () => {
    const broken = auditSarif(context) as { runs: Record<string, unknown>[] };
    delete broken.runs[0]!['tool'];
    expect(validate(broken)).toBe(false);
  });

  it("rules carry the scanners' IDs, results point at the probe with stable fingerprints", () => {
    const sarif = auditSarif(context);
    const run = sarif.runs[0]!;
    const apl = run.tool.driver.rules.find((r) => r.name === 'AdmissionForcesAlwaysPull')!;
    expect(apl.properties.relatedIdentifiers).toEqual(['CIS 1.2.11', 'C-0123', 'KCV-0012', 'MTB-PL1-CC-DI-1', 'CKV_K8S_80']);
    expect(apl.relationships.map((r) => r.target.id)).toContain('C-0123');
    expect(run.taxonomies.map((t) => t.name)).toContain('Kubescape');
    const eph = run.results.find((r) => r.ruleId === 'IH-G004')!;
    expect(eph.level).toBe('error');
    expect(eph.locations[0]!.physicalLocation.artifactLocation.uri).toBe('cluster/prod%20%22eu%22/namespaces/team-b/pods');
    expect(eph.locations[0]!.logicalLocations[0]!.fullyQualifiedName).toContain('ephemeralcontainers');
    expect(eph.partialFingerprints['imageHeistAudit/v1']).toBe('prod "eu"|team-b|IH-G004');
    expect(run.results.find((r) => r.ruleId === 'IH-G001')!.kind).toBe('pass');
  });
});

describe('JUnit, JSON and text', () => {
  it('JUnit: failures for open gaps, escaped text', () => {
    const xml = auditJunit(context);
    expect(xml).toContain('<testsuites name="image-heist audit" tests="8"');
    expect(xml).toContain('<failure message="ephemeral-containers: open"');
    expect(xml).toContain('forbidden &lt;&amp;&gt;');
    expect(xml).not.toMatch(/<[^>]*<&>/);
  });

  it('JSON has the documented top-level keys', () => {
    const json = auditJson(context);
    expect(Object.keys(json)).toEqual(['schemaVersion', 'tool', 'cluster', 'mode', 'conclusion', 'exitCode', 'defences', 'gaps', 'probes', 'kubelet', 'policies', 'attack']);
    expect(json.schemaVersion).toBe(JSON_SCHEMA_VERSION);
    expect(json.conclusion).toBe('exposed');
    expect(json.exitCode).toBe(1);
    expect(json.gaps.map((g) => [g.id, g.status])).toEqual([
      ['containers', 'closed'],
      ['init-containers', 'closed'],
      ['never-policy', 'closed'],
      ['ephemeral-containers', 'open'],
      ['preloaded-images', 'open'],
    ]);
  });

  it('text ends with the conclusion', () => {
    expect(auditText(context).trim().split('\n').at(-1)).toBe("Conclusion: EXPOSED: a tenant can run another tenant's private image from a node's cache");
  });
});
