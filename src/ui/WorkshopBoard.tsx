// The instructor's board (`image-heist workshop`): one row per attendee — the revealed chapters' tasks ticked
// from that attendee's own lab, the story's verdict there now, when they last did something, and errors.
import { useEffect, useRef, useState } from 'react';
import { Box, Text, useInput, useStdin } from 'ink';
import { PROFILE_NAMES, type ProfileName } from '../lab/profiles.js';
import type { AttendeeStatus, BoardState } from '../workshop/monitor.js';
import { verdictLabel } from '../workshop/verdict.js';
import { commandsFor, WORKSHOP_KEYS, workshopFooter, type WorkshopCommand } from './keys.js';
import { ThemeContext, useColor } from './theme.js';

export interface BoardActions {
  reset(attendee: number): void;
  switchProfile(profile: ProfileName): void;
  reveal(): void;
  quit(): void;
}

export interface WorkshopBoardProps {
  /** The board's state now; the board re-renders when `subscribe` calls back. */
  initial: BoardState;
  subscribe: (listener: (state: BoardState) => void) => () => void;
  actions: BoardActions;
  color?: boolean;
  /** Now, for "last activity" (tests pass a fixed clock). */
  now?: () => number;
}

export function WorkshopBoard({ initial, subscribe, actions, color = true, now = Date.now }: WorkshopBoardProps) {
  const [state, setState] = useState(initial);
  const [selected, setSelected] = useState(0);
  const [chosen, setChosen] = useState<ProfileName>(initial.profile);
  // a key may reach a handler from the previous render: what it acts on is read from here, kept current at once
  const live = useRef({ state: initial, selected: 0, chosen: initial.profile });
  live.current.state = state;
  const [, tick] = useState(0);
  const { isRawModeSupported } = useStdin();
  useEffect(() => subscribe(setState), [subscribe]);
  // "last activity 12 s ago" moves on between polls
  useEffect(() => {
    const timer = setInterval(() => tick((t) => t + 1), 1000);
    return () => clearInterval(timer);
  }, []);

  useInput(
    (input, key) => {
      for (const command of commandsFor(WORKSHOP_KEYS, input, key)) run(command);
    },
    { isActive: isRawModeSupported === true },
  );
  function run(command: WorkshopCommand): void {
    const now = live.current;
    const count = now.state.attendees.length;
    const select = (index: number) => setSelected((now.selected = Math.max(0, Math.min(count - 1, index))));
    if (command === 'quit') actions.quit();
    else if (command === 'select-down') select(now.selected + 1);
    else if (command === 'select-up') select(now.selected - 1);
    else if (command === 'reset') actions.reset(now.state.attendees[now.selected]?.attendee ?? 1);
    else if (command === 'choose-profile') setChosen((now.chosen = PROFILE_NAMES[(PROFILE_NAMES.indexOf(now.chosen) + 1) % PROFILE_NAMES.length]!));
    else if (command === 'apply-profile') actions.switchProfile(now.chosen);
    else if (command === 'reveal') actions.reveal();
  }

  const chapter = state.chapters[state.revealed - 1];
  const tasks = state.chapters.slice(0, state.revealed).filter((c) => c.taskProfile);
  return (
    <ThemeContext.Provider value={{ color }}>
      <Box flexDirection="column">
        <Text bold>
          workshop ▸ {state.attendees.length} attendees · profile {state.profile}
          {chosen !== state.profile ? ` (⏎ switches to ${chosen})` : ''}
        </Text>
        <Text>
          chapter {state.revealed}/{state.chapters.length}: {chapter?.title ?? '—'}
          {chapter?.taskProfile && chapter.taskProfile !== state.profile ? ` — its task needs profile ${chapter.taskProfile}` : ''}
        </Text>
        {state.busy ? <Text>… {state.busy}</Text> : <Text> </Text>}
        <Text bold>{row('', 'attendee', 'tasks', 'verdict', 'last activity', 'API server / error')}</Text>
        {state.attendees.map((a, i) => (
          <AttendeeRow key={a.attendee} status={a} selected={i === selected} tasks={tasks.map((t) => t.id)} now={now()} />
        ))}
        <Text> </Text>
        <Text dimColor>{workshopFooter()}</Text>
      </Box>
    </ThemeContext.Provider>
  );
}

function row(mark: string, attendee: string, tasks: string, verdict: string, activity: string, detail: string): string {
  return `${mark.padEnd(2)}${attendee.padEnd(12)}${tasks.padEnd(12)}${verdict.padEnd(13)}${activity.padEnd(15)}${detail}`;
}

function AttendeeRow({ status, selected, tasks, now }: { status: AttendeeStatus; selected: boolean; tasks: string[]; now: number }) {
  const color = useColor();
  const ticks = tasks.length === 0 ? '—' : tasks.map((id) => (status.done[id] !== undefined ? '☑' : '☐')).join('');
  const activity = status.lastActivity === undefined ? '—' : `${ago(now - status.lastActivity)} ago`;
  const verdict = verdictLabel(status.verdict);
  const line = row(selected ? '▸' : '', `attendee-${status.attendee}`, ticks, verdict, activity, status.error ? `error: ${status.error}` : status.apiServer);
  const tint = status.error ? 'red' : status.verdict.kind === 'bypass' ? 'yellow' : status.verdict.kind === 'blocked' ? 'green' : undefined;
  return (
    <Text inverse={selected} {...(tint && color(tint) ? { color: color(tint)! } : {})} wrap="truncate-end">
      {line}
    </Text>
  );
}

function ago(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s} s` : s < 3600 ? `${Math.floor(s / 60)} min` : `${Math.floor(s / 3600)} h`;
}
