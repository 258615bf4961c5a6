// The audit's reports: text for people, JSON (docs/audit.md), SARIF 2.1.0 for code scanning, JUnit for CI.
// All are pure functions of the result; none contains a credential (the result holds none).
import { xmlEscape } from '../report/junit.js';
import { hasFindings, type Defence, type Gap } from './findings.js';
import { DEFENCE_RULES, GAP_RULES, type Rule } from './rules.js';
import type { AuditResult } from './run-audit.js';

export const JSON_SCHEMA_VERSION = 'image-heist.audit/v1';

export interface ReportContext {
  result: AuditResult;
  toolVersion: string;
}

const ruleOf = (item: Defence | Gap): Rule => ('admission' in item ? GAP_RULES[item.id] : DEFENCE_RULES[item.id]);

export function auditJson({ result, toolVersion }: ReportContext) {
  const { findings, observations, target } = result;
  return {
    schemaVersion: JSON_SCHEMA_VERSION,
    tool: { name: 'image-heist', version: toolVersion },
    cluster: target,
    mode: observations.attack ? 'attack' : 'passive',
    conclusion: findings.conclusion,
    exitCode: hasFindings(findings) ? 1 : 0,
    defences: findings.defences.map((d) => ({ rule: ruleOf(d).id, title: ruleOf(d).title, ...d })),
    gaps: findings.gaps.map((g) => ({ rule: ruleOf(g).id, title: ruleOf(g).title, ...g })),
    probes: observations.admission,
    kubelet: observations.kubelet,
    policies: observations.policies,
    attack: observations.attack ?? null,
  };
}

const CONCLUSION_TEXT = {
  exposed: "EXPOSED: a tenant can run another tenant's private image from a node's cache",
  protected: 'PROTECTED: every path was shown closed',
  undetermined: 'UNDETERMINED: no open path was seen, but not every path was shown closed',
} as const;

const mark = (s: string): string => (s === 'effective' || s === 'closed' ? '✔' : s === 'not-effective' || s === 'open' ? '✘' : '?');

export function auditText({ result }: ReportContext): string {
  const { findings, target, observations } = result;
  const lines = [
    `image-heist audit of ${target.server} (context ${target.context}${target.namespace ? `, namespace ${target.namespace}` : ''}), ${observations.attack ? 'with --attack' : 'passive: nothing was stored'}`,
    '',
    'Defences',
  ];
  const item = (i: Defence | Gap, status: string) => {
    lines.push(`  ${mark(status)} ${ruleOf(i).title}: ${status}`);
    for (const e of i.evidence) lines.push(`      ${e}`);
    if (i.reason) lines.push(`      why unknown: ${i.reason}`);
  };
  for (const d of findings.defences) item(d, d.status);
  lines.push('', 'Gaps (what a tenant without the pull secret can run)');
  for (const g of findings.gaps) item(g, g.status);
  if (observations.attack) {
    lines.push(
      '',
      `Attack: namespaces ${observations.attack.namespaces.join(', ') || '(none created)'} ${observations.attack.cleanedUp ? 'created and deleted again' : 'NOT all deleted: remove them by hand'}`,
    );
  }
  lines.push('', `Conclusion: ${CONCLUSION_TEXT[findings.conclusion]}`, '');
  return lines.join('\n');
}

/** The SARIF level of a verdict: open/not effective are errors, unknown a warning, the rest passes. */
function level(status: string): { level: 'error' | 'warning' | 'none'; kind: 'fail' | 'review' | 'pass' } {
  if (status === 'open' || status === 'not-effective') return { level: 'error', kind: 'fail' };
  if (status === 'unknown') return { level: 'warning', kind: 'review' };
  return { level: 'none', kind: 'pass' };
}

export function auditSarif({ result, toolVersion }: ReportContext) {
  const { findings, target } = result;
  const items: (Defence | Gap)[] = [...findings.defences, ...findings.gaps];
  const rules = items.map(ruleOf);
  const taxonomies = [...new Set(rules.flatMap((r) => r.related.map((x) => x.taxonomy)))].map((name) => ({
    name,
    taxa: [...new Set(rules.flatMap((r) => r.related.filter((x) => x.taxonomy === name).map((x) => x.id)))].map((id) => ({ id })),
  }));
  const ns = target.namespace ?? '_';
  const results = items.map((i, index) => {
    const rule = rules[index]!;
    const { level: lvl, kind } = level(i.status);
    const where =
      i.id === 'kubelet-ensure-secret-pulled-images' || i.id === 'preloaded-images' ? 'nodes' : i.id === 'admission-policies' ? 'admission-policies' : `namespaces/${ns}/pods`;
    return {
      ruleId: rule.id,
      ruleIndex: index,
      level: lvl,
      kind,
      message: { text: `${rule.title}: ${i.status}. ${[...i.evidence, ...(i.reason ? [`why unknown: ${i.reason}`] : [])].join('; ')}` },
      locations: [
        {
          physicalLocation: { artifactLocation: { uri: `cluster/${encodeURIComponent(target.context)}/${where}` }, region: { startLine: 1 } },
          logicalLocations: [{ kind: 'probe', name: i.id, fullyQualifiedName: `${target.context}/${i.probe}` }],
        },
      ],
      partialFingerprints: { 'imageHeistAudit/v1': `${target.context}|${ns}|${rule.id}` },
      properties: { status: i.status, probe: i.probe },
    };
  });
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'image-heist audit',
            version: toolVersion,
            rules: rules.map((r) => ({
              id: r.id,
              name: r.name,
              shortDescription: { text: r.title },
              fullDescription: { text: r.help },
              help: { text: r.help },
              helpUri: r.helpUri,
              defaultConfiguration: { level: 'error' },
              relationships: r.related.map((x) => ({ target: { id: x.id, toolComponent: { name: x.taxonomy } }, kinds: ['relevant'] })),
              properties: { tags: ['security', 'kubernetes', 'multi-tenancy'], 'security-severity': r.securitySeverity, relatedIdentifiers: r.related.map((x) => x.id) },
            })),
          },
        },
        taxonomies,
        results,
        invocations: [{ executionSuccessful: true }],
      },
    ],
  };
}

/** One testsuite, a testcase per defence and gap; open/not effective fail, unknown is skipped with its reason. */
export function auditJunit({ result }: ReportContext): string {
  const items: (Defence | Gap)[] = [...result.findings.defences, ...result.findings.gaps];
  const failures = items.filter((i) => level(i.status).kind === 'fail').length;
  const skipped = items.filter((i) => i.status === 'unknown').length;
  const cases = items.map((i) => {
    const rule = ruleOf(i);
    const head = `    <testcase classname="image-heist.audit" name="${xmlEscape(`${rule.id} ${rule.title}`)}" time="0">`;
    const out = `      <system-out>${xmlEscape(i.evidence.join('\n'))}</system-out>`;
    const verdict =
      level(i.status).kind === 'fail'
        ? `      <failure message="${xmlEscape(`${i.id}: ${i.status}`)}" type="AuditFinding">${xmlEscape(i.evidence.join('\n'))}</failure>`
        : i.status === 'unknown'
          ? `      <skipped message="${xmlEscape(`${i.id}: unknown: ${i.reason ?? ''}`)}"/>`
          : '';
    return [head, ...(verdict ? [verdict] : []), out, '    </testcase>'].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="image-heist audit" tests="${items.length}" failures="${failures}" skipped="${skipped}">`,
    `  <testsuite name="${xmlEscape(`audit ${result.target.context}`)}" tests="${items.length}" failures="${failures}" errors="0" skipped="${skipped}" time="0">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}
