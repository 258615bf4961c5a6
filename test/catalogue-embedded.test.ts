// The whole catalogue on the embedded backend, on every profile: each scenario must meet every expectation
// it states and reach its expected verdict. This is the regression suite the README offers CI users.
import { describe, expect, it } from 'vitest';
import { embeddedBackend } from '../src/embedded/lab.js';
import type { LabBackend } from '../src/lab/backend.js';
import { PROFILE_NAMES } from '../src/lab/profiles.js';
import { failureLines } from '../src/report/failures.js';
import { loadBuiltInCatalogue } from '../src/scenario/catalogue.js';
import { runMatrix } from '../src/scenario/engine.js';
import type { EngineEvent } from '../src/scenario/events.js';

describe('the catalogue on the embedded backend', () => {
  it('meets every expectation on every profile, and no event carries a credential', async () => {
    const scenarios = await loadBuiltInCatalogue();
    const events: EngineEvent[] = [];
    const secrets: string[] = [];
    // the real backend, watched: remember each lab's registry password to look for it in the event stream
    const backend: LabBackend = {
      ...embeddedBackend,
      start: async (options) => {
        const lab = await embeddedBackend.start(options);
        secrets.push(lab.info.registry.password);
        return lab;
      },
    };
    const results = await runMatrix({ scenarios, profiles: [...PROFILE_NAMES], backend, emit: (e) => events.push(e) });

    expect(results).toHaveLength(scenarios.length * PROFILE_NAMES.length);
    const failures = results.filter((r) => !r.passed).map((r) => `${r.scenario} on ${r.profile}: ${failureLines(r).join('; ')}`);
    expect(failures).toEqual([]);

    // the evidence is real: every bypass names the flag line the attacker read
    for (const r of results.filter((x) => x.verdict === 'bypassed')) expect(r.evidence).toMatch(/read the flag: FLAG\{[0-9a-f]{32}\}/);

    expect(secrets).toHaveLength(PROFILE_NAMES.length);
    const stream = JSON.stringify(events);
    for (const password of secrets) {
      expect(password.length).toBeGreaterThan(8);
      expect(stream).not.toContain(password);
    }
  }, 900_000); // 7 profiles × 19 scenarios on 2 shared cores
});
