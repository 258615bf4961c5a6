import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile } from '../scenario/loader.js';
import type { ScenarioResult } from '../scenario/results.js';
import { jsonReport } from './json.js';
import { junitReport } from './junit.js';
import { markdownReport } from './markdown.js';
import { matrixReport } from './matrix.js';

const bypassed: ScenarioResult = {
  scenario: 'classic',
  profile: 'none',
  verdict: 'bypassed',
  expectedVerdict: 'bypassed',
  passed: true,
  evidence: 'admin2 read the flag: FLAG{abc}',
  durationMs: 120,
  steps: [
    { id: 'admin1-runs-the-image', passed: true, observed: { admission: 'allowed', pod: 'Running', flag: 'seen' }, checks: [] },
    { id: 'admin2-runs-the-cached-image', passed: true, observed: { admission: 'allowed', pod: 'Running', flag: 'seen', flagEvidence: 'FLAG{abc}' }, checks: [] },
  ],
};

const wrong: ScenarioResult = {
  scenario: 'classic',
  profile: 'always-pull-images',
  verdict: 'blocked',
  expectedVerdict: 'bypassed',
  passed: false,
  evidence: 'pod2: ErrImagePull; the flag never reached admin2',
  durationMs: 80,
  steps: [
    {
      id: 'admin2-runs-the-cached-image',
      passed: false,
      observed: {
        admission: 'allowed',
        pod: 'ErrImagePull',
        flag: 'not-seen',
        events: [{ type: 'Warning', reason: 'Failed', message: 'Failed to pull image "x": <401> & "unauthorized"' }],
      },
      checks: [{ field: 'pod', expected: 'Running', observed: 'ErrImagePull', passed: false }],
    },
  ],
};

describe('jsonReport', () => {
  it('has exactly the documented shape', () => {
    const report = jsonReport('embedded', [bypassed, wrong]);
    expect(Object.keys(report)).toEqual(['version', 'backend', 'results', 'summary']);
    expect(report.version).toBe(1);
    expect(Object.keys(report.results[0]!)).toEqual(['scenario', 'profile', 'verdict', 'passed', 'steps']);
    expect(Object.keys(report.results[0]!.steps[0]!)).toEqual(['id', 'passed', 'observed']);
    expect(report.summary).toEqual({ passed: 1, failed: 1 });
  });
});

describe('junitReport', () => {
  it('writes a testsuite per scenario and a testcase per profile, failures with expected vs observed, escaped', () => {
    const xml = junitReport([bypassed, wrong]);
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<testsuites name="image-heist" tests="2" failures="1">/);
    expect(xml.match(/<testsuite /g)).toHaveLength(1);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
    expect(xml).toContain('<testcase classname="image-heist.classic" name="always-pull-images" time="0.080">');
    expect(xml).toContain('<failure message="step admin2-runs-the-cached-image: pod: expected Running, observed ErrImagePull"');
    expect(xml).toContain('verdict: expected bypassed, observed blocked');
    expect(xml).not.toMatch(/<401>|& "/);
  });
});

describe('matrixReport', () => {
  it('shows each verdict and whether it was expected, then why a run failed', () => {
    const text = matrixReport([bypassed, wrong], { color: false });
    const [header, row] = text.split('\n');
    expect(header).toMatch(/^scenario\s+none\s+always-pull-images$/);
    expect(row).toMatch(/^classic\s+bypassed ok\s+blocked FAIL \(expected bypassed\)$/);
    expect(text).toContain('classic on always-pull-images:\n  step admin2-runs-the-cached-image: pod: expected Running, observed ErrImagePull');
    expect(text.trim().endsWith('1 passed, 1 failed')).toBe(true);
    expect(text).not.toContain('\x1b[');
    expect(matrixReport([bypassed], { color: true })).toContain('\x1b[');
  });
});

describe('failure lines', () => {
  it("print the API server's reason under every failed expectation", () => {
    const typo: ScenarioResult = {
      ...wrong,
      steps: [
        {
          id: 'admin2-runs-the-cached-image',
          passed: false,
          observed: {
            admission: 'denied',
            apiStatus: { code: 422, reason: 'Invalid' },
            admissionMessage: 'Pod "pod2" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresnt": supported values: "Always", "IfNotPresent", "Never"',
          },
          checks: [{ field: 'admission', expected: 'allowed', observed: 'denied', passed: false }],
        },
      ],
    };
    const text = matrixReport([typo], { color: false });
    expect(text).toContain(
      'step admin2-runs-the-cached-image: admission: expected allowed, observed denied\n  step admin2-runs-the-cached-image: the API server answered 422 Invalid: Pod "pod2" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresnt"',
    );
    // and the kubelet's warning where the pod, not the API, failed
    expect(matrixReport([wrong], { color: false })).toContain('the kubelet said Failed: Failed to pull image "x": <401> & "unauthorized"');
  });
});

describe('markdownReport', () => {
  it('is a handout: verdict table first, contents, plain words, a sequence diagram with the real answers', async () => {
    const classic = await loadScenarioFile(path.resolve('scenarios/classic.yaml'));
    const md = markdownReport([classic], [bypassed, wrong], 'embedded');
    const sections = md.split('\n').filter((l) => l.startsWith('## '));
    expect(sections.slice(0, 2)).toEqual(['## Verdicts', '## Contents']);
    expect(md).toContain('| scenario | `none` | `always-pull-images` |');
    expect(md).toContain('| [classic](#classic) | ✘ bypassed | ✔ blocked ⚠ expected bypassed |');
    expect(md).toContain('- [The classic heist](#classic)');
    expect(md).toContain('<a id="classic"></a>');
    expect(md).toContain('### On `none`: ✘ bypassed (as expected)');
    expect(md).toMatch(/2\. Admin2 created pod `pod2` with `[^`]+`, `imagePullPolicy: IfNotPresent`, no pull secret/);
    expect(md).toContain('Its log printed the flag: `FLAG{abc}`.');
    expect(md).toContain('The kubelet could not pull the image (ErrImagePull, then ImagePullBackOff as it retries): <401> & "unauthorized".');
    expect(md).toContain('```mermaid\nsequenceDiagram');
    expect(md).toMatch(/R-->>K: 401 <401> & "unauthorized"/);
    expect(md).toMatch(/K-->>admin2: pod Running, log: FLAG\{abc\}/);
    // no internal words
    expect(md).not.toMatch(/flag in logs|Action: `|not-seen/);
    expect(md).toContain('imagePullPolicy: IfNotPresent');
  });
});
