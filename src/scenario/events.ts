// The engine's event stream: what the workshop app draws and the reporters print. Consumers never call
// back into the engine; they only listen. Credentials never travel in an event.
import type { LabInfo, LabProgress } from '../lab/backend.js';
import type { ProfileName } from '../lab/profiles.js';
import type { Check, ObservedEvent, ScenarioResult, StepResult } from './results.js';

interface Where {
  scenario: string;
  profile: ProfileName;
}

/** The lab as the views may show it: LabInfo without the registry password. */
export type PublicLabInfo = Omit<LabInfo, 'registry'> & { registry: { host: string; username: string } };

export type EngineEvent =
  | ({ type: 'lab-starting' } & Where)
  | ({ type: 'lab-progress'; progress: LabProgress } & Where)
  | ({ type: 'lab-ready'; lab: PublicLabInfo } & Where)
  | ({ type: 'step-started'; stepId: string; index: number; actor: string } & Where)
  | ({ type: 'api-request'; stepId: string; actor: string; verb: string; resource: string; namespace?: string; name?: string } & Where)
  | ({ type: 'api-response'; stepId: string; actor: string; code: number; reason?: string; message?: string } & Where)
  | ({ type: 'lab-operation'; stepId: string; operation: string } & Where)
  | ({ type: 'pod-status'; stepId: string; namespace: string; pod: string; node?: string; status: string } & Where)
  | ({ type: 'kubelet-event'; stepId: string; namespace: string; pod: string; event: ObservedEvent } & Where)
  | ({ type: 'expectation-checked'; stepId: string; check: Check } & Where)
  | ({ type: 'step-finished'; result: StepResult } & Where)
  | ({ type: 'verdict'; result: ScenarioResult } & Where);

export type EngineListener = (event: EngineEvent) => void;

export function publicLabInfo(info: LabInfo): PublicLabInfo {
  return { ...info, registry: { host: info.registry.host, username: info.registry.username } };
}
