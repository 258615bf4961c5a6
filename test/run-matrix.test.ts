// runMatrix on the real embedded labs: a lab that fails mid-matrix (on kind: a reset whose `docker exec` failed)
// ends the run with its error only once every other profile has settled and stopped its lab (the live kind suite's
// next test once met a failed run's cluster still at work); parallelLabs bounds how many labs run at once.
import { describe, expect, it } from 'vitest';
import { embeddedBackend } from '../src/embedded/lab.js';
import type { LabBackend } from '../src/lab/backend.js';
import { loadBuiltInCatalogue } from '../src/scenario/catalogue.js';
import { runMatrix } from '../src/scenario/engine.js';

describe('runMatrix', () => {
  it('rejects with that error after every other lab has stopped', async () => {
    const scenarios = (await loadBuiltInCatalogue()).filter((s) => ['classic', 'public-image', 'digest-reference'].includes(s.metadata.name));
    const stopped: string[] = [];
    // the real embedded labs; none's reset fails, always-pull-images' resets are slow
    const backend: LabBackend = {
      ...embeddedBackend,
      start: async (options) => {
        const lab = await embeddedBackend.start(options);
        return {
          ...lab,
          info: lab.info,
          reset: async () => {
            if (options.profile === 'none') throw new Error('reset failed: exit code 126');
            await new Promise((r) => setTimeout(r, 1_500));
            await lab.reset();
          },
          stop: async () => {
            await lab.stop();
            stopped.push(options.profile);
          },
        };
      },
    };
    const verdicts: string[] = [];
    const emit = (e: { type: string; profile?: string }) => void (e.type === 'verdict' && verdicts.push(String(e.profile)));
    await expect(runMatrix({ scenarios, profiles: ['none', 'always-pull-images'], backend, emit })).rejects.toThrow('reset failed: exit code 126');
    expect(stopped.sort()).toEqual(['always-pull-images', 'none']);
    // the other profile stopped after the scenario it was running, not after all three
    expect(verdicts.filter((p) => p === 'always-pull-images').length).toBeLessThan(scenarios.length);
  }, 120_000);

  it('keeps at most parallelLabs labs at once', async () => {
    const scenarios = (await loadBuiltInCatalogue()).filter((s) => s.metadata.name === 'classic');
    let running = 0;
    let most = 0;
    const backend: LabBackend = {
      ...embeddedBackend,
      start: async (options) => {
        const lab = await embeddedBackend.start(options);
        most = Math.max(most, ++running);
        return { ...lab, info: lab.info, stop: async () => (await lab.stop(), void running--) };
      },
    };
    const results = await runMatrix({ scenarios, profiles: ['none', 'always-pull-images', 'pod-security'], backend, parallelLabs: 2 });
    expect(results.map((r) => r.profile)).toEqual(['none', 'always-pull-images', 'pod-security']);
    expect(most).toBe(2);
  }, 120_000);
});
