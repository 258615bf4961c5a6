// The labs' state for React: the controller keeps it (reduced from engine events), the hook subscribes.
import { useSyncExternalStore } from 'react';
import type { LabSessions } from './lab-sessions.js';
import type { PlayState } from './lab-view-state.js';

export function useLabSessions(controller: LabSessions): PlayState {
  return useSyncExternalStore(controller.subscribe, controller.getState, controller.getState);
}
