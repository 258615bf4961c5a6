// What a scenario run observed and concluded: the data every view (UI, text, JSON, JUnit, Markdown) renders.
import type { ProfileName } from '../lab/profiles.js';
import type { Action, Expectation, PodState } from './schema.js';

export type PullPolicyValue = 'Always' | 'IfNotPresent' | 'Never';

/** A kubelet (or scheduler) event recorded for a pod, as `kubectl describe pod` lists it. */
export interface ObservedEvent {
  type: string;
  reason: string;
  message: string;
}

/** What a step observed; each field is present when the step's action makes it meaningful. */
export interface Observed {
  admission?: 'allowed' | 'denied';
  /** The API server's message when it refused the write (a Status message; credentials never appear in it). */
  admissionMessage?: string;
  /** HTTP status and reason of a refused write, e.g. 403 Forbidden. */
  apiStatus?: { code: number; reason: string };
  pullPolicy?: PullPolicyValue | 'mixed';
  /** The settled STATUS as `kubectl get pods` shows it (or the ephemeral container's state). */
  pod?: PodState | string;
  events?: ObservedEvent[];
  flag?: 'seen' | 'not-seen';
  /** The log line that holds the flag, when seen: the evidence of a bypass. */
  flagEvidence?: string;
}

export type ExpectationField = keyof Expectation;

export interface Check {
  field: ExpectationField;
  expected: unknown;
  observed: unknown;
  passed: boolean;
}

export interface StepResult {
  id: string;
  passed: boolean;
  observed: Observed;
  checks: Check[];
  /** The action as sent, with this lab's values in place of `{{ … }}` (for transcripts). */
  applied?: Action;
  /** Set when the step could not run at all (the lab failed, a timeout); the step then fails. */
  error?: string;
}

export type AttackVerdict = 'bypassed' | 'blocked';
export type ControlVerdict = 'allowed' | 'denied';
export type VerdictValue = AttackVerdict | ControlVerdict | 'error';

export interface ScenarioResult {
  scenario: string;
  profile: ProfileName;
  verdict: VerdictValue;
  expectedVerdict: AttackVerdict | ControlVerdict;
  /** Every step's expectations held and the verdict is the expected one. */
  passed: boolean;
  steps: StepResult[];
  /** The evidence behind the verdict, in one line: the flag line read, or why the pod never ran. */
  evidence: string;
  durationMs: number;
  error?: string;
}
