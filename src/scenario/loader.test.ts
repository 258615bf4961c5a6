import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ScenarioError, loadCatalogue, loadScenarioFile, parseScenario } from './loader.js';
import { PROFILE_NAMES } from '../lab/profiles.js';
import { expectationFor } from './schema.js';

const brokenDir = path.resolve('test/fixtures/broken-scenarios');
const brokenFiles = (await readdir(brokenDir)).filter((f) => f.endsWith('.yaml')).sort();

describe('loading the catalogue', () => {
  it('loads every scenario in scenarios/ with unique names', async () => {
    const scenarios = await loadCatalogue(path.resolve('scenarios'));
    expect(scenarios.length).toBeGreaterThan(0);
    expect(scenarios.map((s) => s.metadata.name)).toContain('classic');
  });

  it('merges a profile expectation over `all`', async () => {
    const classic = await loadScenarioFile(path.resolve('scenarios/classic.yaml'));
    const attack = classic.steps[1]!;
    expect(expectationFor(attack, 'none')).toMatchObject({ admission: 'allowed', pullPolicy: 'IfNotPresent', pod: 'Running', flag: 'seen' });
    expect(expectationFor(attack, 'always-pull-images')).toMatchObject({ pullPolicy: 'Always', flag: 'not-seen' });
  });

  it("a profile that expects the write denied does not inherit `all`'s pod-side fields (a refused pod has none)", async () => {
    const classic = await loadScenarioFile(path.resolve('scenarios/classic.yaml'));
    const denied = expectationFor(classic.steps[1]!, 'validating-admission-policy');
    expect(denied).toEqual({ admission: 'denied', admissionMessage: expect.stringContaining('imagePullPolicy must be Always') });
  });

  it('refuses a policy applied by a tenant, and a namespace labelled by the cluster admin', () => {
    const step = (actor: string, action: object) => ({ id: 's', actor, title: 't', explain: 'e', action });
    const scenario = (steps: object[]) => ({
      apiVersion: 'image-heist/v1',
      kind: 'Scenario',
      metadata: { name: 'x', title: 'x', summary: 'x' },
      actors: { admin: { description: 'a' }, admin2: { description: 'b' } },
      steps: [
        ...steps,
        { ...step('admin2', { createPod: { manifest: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'i' }] } } } }), id: 'p' },
      ],
      verdict: { kind: 'attack', attacker: 'admin2', pod: 'p', expected: Object.fromEntries(PROFILE_NAMES.map((p) => [p, 'blocked'])) },
    });
    const text = (o: object) => JSON.stringify(o);
    expect(() => parseScenario(text(scenario([step('admin2', { applyPolicy: { file: 'require-always' } })])), 'x.yaml')).toThrow(/applyPolicy is a cluster admin's step/);
    expect(() => parseScenario(text(scenario([step('admin', { labelNamespace: { labels: { a: 'b' } } })])), 'x.yaml')).toThrow(
      /labelNamespace labels the acting tenant's namespace/,
    );
    expect(() => parseScenario(text(scenario([step('admin', { applyPolicy: { file: 'no-such-policy' } })])), 'x.yaml')).toThrow(/require-always/);
  });
});

describe('broken scenario files', () => {
  it('has a corpus to check', () => {
    expect(brokenFiles.length).toBeGreaterThanOrEqual(15);
  });

  it.each(brokenFiles)('%s names file:line:column, the field and what was expected', async (file) => {
    const text = await readFile(path.join(brokenDir, file), 'utf8');
    const [, position, expected] = /^# expect: (\d+:\d+) (.*)$/m.exec(text) ?? [];
    expect(position, 'the fixture says where the error is').toBeDefined();
    let error: unknown;
    try {
      parseScenario(text, file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ScenarioError);
    const message = (error as ScenarioError).message;
    expect(message.startsWith(`${file}:${position}: `)).toBe(true);
    expect(message).toContain(expected!);
    expect(message).not.toContain('\n');
  });

  it('reports a missing file as a user error, not a crash', async () => {
    await expect(loadScenarioFile('/nonexistent/scenario.yaml')).rejects.toThrow('cannot read scenario /nonexistent/scenario.yaml: no such file');
  });
});
