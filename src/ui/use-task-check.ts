// Checks a hands-on task against the learner's lab, live: every poll reads the cluster again, so the task
// ticks as soon as the learner's own kubectl actions produced the state it asks for — and only actions taken
// after this chapter opened: pods already in the lab before do not count.
import { useEffect, useRef, useState } from 'react';
import type { LabSnapshot, Task, TaskState } from '../tutorial/tasks.js';
import { evaluateTask } from '../tutorial/tasks.js';

export type SnapshotReader = (dir: string) => Promise<LabSnapshot>;

/**
 * The state of `task`, or undefined until the first read of the lab since it opened. A state is tied to the
 * task it was computed for, so the render right after a chapter change never shows the previous chapter's.
 */
export function useTaskCheck(task: Task | undefined, dir: string, read: SnapshotReader, pollMs: number, command?: string): TaskState | undefined {
  const [checked, setChecked] = useState<{ task: Task; state: TaskState } | undefined>(undefined);
  // the pods the tutorial last saw, whichever chapter was open: the next chapter's "before"
  const lastSeen = useRef<ReadonlySet<string>>(new Set());
  useEffect(() => {
    if (!task) return;
    const window = { openedAt: Date.now(), before: lastSeen.current };
    // a task in parts: the parts done while this chapter is open (each on its own lab, so kept here)
    let earned: readonly string[] = [];
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    const poll = async () => {
      const snapshot = await read(dir).catch((error: unknown): LabSnapshot => ({ kind: 'unreachable', dir, message: String(error) }));
      if (stopped) return;
      if (snapshot.kind === 'lab') lastSeen.current = new Set(snapshot.pods.map((p) => p.uid));
      const state = evaluateTask(task, snapshot, window, command, earned);
      earned = state.earned ?? earned;
      setChecked({ task, state });
      timer = setTimeout(() => void poll(), pollMs);
    };
    void poll();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
    };
  }, [task, dir, read, pollMs, command]);
  return checked !== undefined && checked.task === task ? checked.state : undefined;
}
