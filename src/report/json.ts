// `run --json`: the machine-readable result, in the documented shape (README, "Using image-heist in CI").
import type { BackendName } from '../lab/backend.js';
import type { ScenarioResult } from '../scenario/results.js';

export interface JsonReport {
  version: 1;
  backend: BackendName;
  results: {
    scenario: string;
    profile: string;
    verdict: string;
    passed: boolean;
    steps: { id: string; passed: boolean; observed: object }[];
  }[];
  summary: { passed: number; failed: number };
}

export function jsonReport(backend: BackendName, results: ScenarioResult[]): JsonReport {
  return {
    version: 1,
    backend,
    results: results.map((r) => ({
      scenario: r.scenario,
      profile: r.profile,
      verdict: r.verdict,
      passed: r.passed,
      steps: r.steps.map((s) => ({ id: s.id, passed: s.passed, observed: s.error ? { ...s.observed, error: s.error } : s.observed })),
    })),
    summary: { passed: results.filter((r) => r.passed).length, failed: results.filter((r) => !r.passed).length },
  };
}
