// Checks a hands-on task against the learner's lab, live: every poll reads the cluster again, so the task
// ticks as soon as the learner's own kubectl actions produced the state it asks for.
import { useEffect, useState } from 'react';
import type { LabSnapshot, Task, TaskState } from '../tutorial/tasks.js';
import { evaluateTask } from '../tutorial/tasks.js';

export type SnapshotReader = (dir: string) => Promise<LabSnapshot>;

export function useTaskCheck(task: Task | undefined, dir: string, read: SnapshotReader, pollMs: number): TaskState | undefined {
  const [state, setState] = useState<TaskState | undefined>(undefined);
  useEffect(() => {
    setState(undefined);
    if (!task) return;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const poll = async () => {
      const snapshot = await read(dir).catch((error: unknown): LabSnapshot => ({ kind: 'unreachable', dir, message: String(error) }));
      if (stopped) return;
      setState(evaluateTask(task, snapshot));
      timer = setTimeout(() => void poll(), pollMs);
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [task, dir, read, pollMs]);
  return state;
}
