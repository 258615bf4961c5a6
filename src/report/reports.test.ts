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
      observed: { admission: 'allowed', pod: 'ErrImagePull', flag: 'not-seen', events: [{ type: 'Warning', reason: 'Failed', message: 'Failed to pull image "x": <401> & "unauthorized"' }] },
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

describe('markdownReport', () => {
  it('tells the story per step with the manifest, the API answer, events and the verdict', async () => {
    const classic = await loadScenarioFile(path.resolve('scenarios/classic.yaml'));
    const md = markdownReport([classic], [bypassed, wrong], 'embedded');
    expect(md).toContain('## The classic heist (`classic`)');
    expect(md).toContain('### Profile `none`: bypassed');
    expect(md).toContain('#### 2. Admin2 runs the same image from the cache, without credentials (admin2)');
    expect(md).toContain('imagePullPolicy: IfNotPresent');
    expect(md).toContain('- API server: admitted');
    expect(md).toContain('| Warning | Failed | Failed to pull image "x": <401> & "unauthorized" |');
    expect(md).toContain('**Verdict: blocked** (expected bypassed)');
  });
});
