// Compares what a step should show on a profile with what it showed. Pure: the engine observes, this judges.
import type { Check, Observed } from './results.js';
import type { Expectation } from './schema.js';

export function checkExpectation(expected: Expectation, observed: Observed): Check[] {
  const checks: Check[] = [];
  const add = (field: Check['field'], want: unknown, got: unknown, passed: boolean) => checks.push({ field, expected: want, observed: got, passed });

  if (expected.admission !== undefined) add('admission', expected.admission, observed.admission, observed.admission === expected.admission);
  if (expected.admissionMessage !== undefined) {
    add('admissionMessage', expected.admissionMessage, observed.admissionMessage, observed.admissionMessage?.includes(expected.admissionMessage) ?? false);
  }
  if (expected.pullPolicy !== undefined) add('pullPolicy', expected.pullPolicy, observed.pullPolicy, observed.pullPolicy === expected.pullPolicy);
  if (expected.pod !== undefined) {
    const allowed = Array.isArray(expected.pod) ? expected.pod : [expected.pod];
    add('pod', expected.pod, observed.pod, observed.pod !== undefined && (allowed as string[]).includes(observed.pod));
  }
  if (expected.events !== undefined) {
    const seen = observed.events ?? [];
    const missing = expected.events.filter((e) => !seen.some((s) => s.reason === e.reason && (e.message === undefined || s.message.includes(e.message))));
    add(
      'events',
      expected.events,
      seen.map((e) => `${e.reason}: ${e.message}`),
      missing.length === 0,
    );
  }
  if (expected.flag !== undefined) add('flag', expected.flag, observed.flag, observed.flag === expected.flag);
  return checks;
}

/** One line per failed check: "pod: expected Running, observed ErrImagePull". */
export function describeFailedChecks(checks: Check[]): string[] {
  return checks.filter((c) => !c.passed).map((c) => `${c.field}: expected ${show(c.expected)}, observed ${show(c.observed)}`);
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return value.length === 0 ? 'none' : value.map(show).join(' or ');
  if (typeof value === 'object' && value !== null) {
    const { reason, message } = value as { reason?: string; message?: string };
    if (reason) return message ? `${reason} (${message})` : reason;
    return JSON.stringify(value);
  }
  return String(value);
}
