import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { POLICIES_DIR, POLICY_FILES, SCENARIO_APPLIED_LABEL, policyManifests, scenarioPolicyManifests } from './admission-policies.js';

describe('cluster-configs/policies', () => {
  it('every file is listed, and every listed file exists', () => {
    const files = readdirSync(POLICIES_DIR)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -'.yaml'.length));
    expect(new Set(files)).toEqual(new Set(POLICY_FILES));
  });

  it.each(POLICY_FILES)('%s holds only named cluster-scoped policy or RBAC objects', (file) => {
    const objects = policyManifests(file);
    expect(objects.length).toBeGreaterThan(0);
    for (const o of objects) expect(o.metadata?.namespace).toBeUndefined();
  });

  it('a scenario-applied copy carries the label the reset looks for, and keeps the rest', () => {
    const [policy] = scenarioPolicyManifests('gap-containers-only');
    expect(policy?.metadata?.labels).toEqual({ [SCENARIO_APPLIED_LABEL]: 'true' });
    expect(policy?.metadata?.name).toBe('gap-containers-only.image-heist.lab');
    expect(policyManifests('gap-containers-only')[0]?.metadata?.labels).toBeUndefined();
  });
});
