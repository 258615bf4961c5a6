// The instructor board on the terminal: renders WorkshopBoard over a RoomMonitor until the runner unmounts it.
import { render } from 'ink';
import type { BoardState, RoomMonitor } from '../workshop/monitor.js';
import { colorWanted } from './theme.js';
import { WorkshopBoard, type BoardActions } from './WorkshopBoard.js';

export interface BoardHandle {
  /** Called by the monitor's onChange: the board re-renders with the new state. */
  update(state: BoardState): void;
  unmount(): void;
}

export function showBoard(monitor: RoomMonitor, actions: BoardActions): BoardHandle {
  const listeners = new Set<(state: BoardState) => void>();
  const subscribe = (listener: (state: BoardState) => void) => {
    listeners.add(listener);
    return () => void listeners.delete(listener);
  };
  process.stdout.write('\r\u001b[2K');
  const instance = render(<WorkshopBoard initial={monitor.current} subscribe={subscribe} actions={actions} color={colorWanted()} />, { exitOnCtrlC: false });
  return {
    update: (state) => {
      for (const l of listeners) l(state);
    },
    unmount: () => instance.unmount(),
  };
}
