// The keys, as data: one table per app drives what a key does (useInput), the footer, the help overlay and
// the README's key line (checked by a test), so they can never disagree.
import type { Key } from 'ink';

export interface KeyBinding<C extends string> {
  command: C;
  /** How the key is written in the help and the docs. */
  label: string;
  /** The footer's short form; bindings without one appear only in the help. */
  footer?: string;
  help: string;
  matches: (input: string, key: Key) => boolean;
}

const plain = (char: string) => (input: string, key: Key) => input === char && !key.ctrl && !key.meta;

export type PlayCommand = 'next' | 'auto' | 'replay' | 'reset' | 'kubectl' | 'manifest' | 'scroll-down' | 'scroll-up' | 'scenarios' | 'help' | 'quit';

/** The workshop app's keys while a scenario plays, in the order the help lists them. */
export const PLAY_KEYS: readonly KeyBinding<PlayCommand>[] = [
  { command: 'next', label: 'Enter / Space', footer: '⏎ next', help: 'run the next step on every cluster', matches: (input, key) => key.return || input === ' ' },
  { command: 'auto', label: 'a', footer: 'a auto', help: 'auto-play on/off', matches: plain('a') },
  { command: 'replay', label: 'b', footer: 'b replay', help: 'replay: reset the labs and play the steps so far again', matches: plain('b') },
  { command: 'reset', label: 'r', footer: 'r reset', help: 'reset: back to before the first step', matches: plain('r') },
  { command: 'kubectl', label: 'k', footer: 'k kubectl', help: 'the kubectl commands of this step, for this very lab', matches: plain('k') },
  { command: 'manifest', label: 'm', footer: 'm yaml', help: 'the manifest / the explanation (small terminals)', matches: plain('m') },
  { command: 'scroll-down', label: '↓ / PgDn', help: 'scroll the explanation or the commands down', matches: (_, key) => key.downArrow || key.pageDown },
  { command: 'scroll-up', label: '↑ / PgUp', help: 'scroll them up', matches: (_, key) => key.upArrow || key.pageUp },
  { command: 'scenarios', label: 'Esc', footer: 'Esc back', help: 'back to the scenarios', matches: (_, key) => key.escape },
  { command: 'help', label: '?', footer: '? help', help: 'this help', matches: plain('?') },
  { command: 'quit', label: 'q / Ctrl-C', footer: 'q quit', help: 'quit (stops every lab)', matches: (input, key) => (input === 'q' && !key.ctrl) || (key.ctrl && input === 'c') },
];

/** What may be pressed once every cluster has its verdict: stepping on makes no sense. */
const AFTER_THE_LAST_STEP: ReadonlySet<PlayCommand> = new Set(['reset', 'replay', 'scenarios', 'kubectl', 'help', 'quit']);

export type TutorialCommand = 'next' | 'previous' | 'scroll-down' | 'scroll-up' | 'page-down' | 'page-up' | 'quit';

export const TUTORIAL_KEYS: readonly KeyBinding<TutorialCommand>[] = [
  {
    command: 'next',
    label: 'n / → / Space',
    footer: 'n/→ next',
    help: 'the next chapter',
    matches: (input, key) => input === 'n' || key.rightArrow || input === ' ' || key.return,
  },
  { command: 'previous', label: 'p / ←', footer: 'p/← previous', help: 'the previous chapter', matches: (input, key) => input === 'p' || key.leftArrow },
  { command: 'scroll-down', label: '↓ / j', footer: '↑/↓ scroll', help: 'scroll down a line', matches: (input, key) => key.downArrow || input === 'j' },
  { command: 'scroll-up', label: '↑ / k', help: 'scroll up a line', matches: (input, key) => key.upArrow || input === 'k' },
  { command: 'page-down', label: 'PgDn', help: 'scroll down a page', matches: (_, key) => key.pageDown },
  { command: 'page-up', label: 'PgUp', help: 'scroll up a page', matches: (_, key) => key.pageUp },
  { command: 'quit', label: 'q / Ctrl-C', footer: 'q quit', help: 'quit', matches: (input, key) => input === 'q' || (key.ctrl && input === 'c') },
];

export type WorkshopCommand = 'select-down' | 'select-up' | 'reset' | 'choose-profile' | 'apply-profile' | 'reveal' | 'quit';

/** The instructor board's keys (`image-heist workshop`), in the order the help lists them. */
export const WORKSHOP_KEYS: readonly KeyBinding<WorkshopCommand>[] = [
  { command: 'select-down', label: '↓ / j', footer: '↑/↓ attendee', help: 'select the next attendee', matches: (input, key) => key.downArrow || input === 'j' },
  { command: 'select-up', label: '↑ / k', help: 'select the previous attendee', matches: (input, key) => key.upArrow || input === 'k' },
  { command: 'reset', label: 'r', footer: 'r reset', help: "reset the selected attendee's lab (their pods and the nodes' caches)", matches: plain('r') },
  { command: 'choose-profile', label: 'p', footer: 'p profile', help: 'choose the next profile for the room', matches: plain('p') },
  { command: 'apply-profile', label: 'Enter', footer: '⏎ apply', help: 'switch every lab to the chosen profile (new kubeconfigs)', matches: (_, key) => key.return },
  { command: 'reveal', label: 'n', footer: 'n next chapter', help: 'reveal the next chapter (its task counts from now on)', matches: plain('n') },
  { command: 'quit', label: 'q / Ctrl-C', footer: 'q quit', help: 'quit (stops every lab)', matches: (input, key) => (input === 'q' && !key.ctrl) || (key.ctrl && input === 'c') },
];

export function workshopFooter(): string {
  return WORKSHOP_KEYS.filter((b) => b.footer)
    .map((b) => b.footer)
    .join('  ');
}

export function commandFor<C extends string>(table: readonly KeyBinding<C>[], input: string, key: Key): C | undefined {
  return table.find((b) => b.matches(input, key))?.command;
}

/**
 * Every command in one read of the terminal: keys typed while the app was busy (or still loading) arrive
 * together, as "nn", and each counts.
 */
export function commandsFor<C extends string>(table: readonly KeyBinding<C>[], input: string, key: Key): C[] {
  const plainKeys = input.length > 1 && !key.ctrl && !key.meta && /^[\x20-\x7e]+$/.test(input);
  const presses = plainKeys ? [...input] : [input];
  return presses.map((p) => commandFor(table, p, key)).filter((c): c is C => c !== undefined);
}

/** The footer line: every binding with a footer form, only those that still apply once the scenario is done. */
export function playFooter(done: boolean): string {
  const shown = PLAY_KEYS.filter((b) => b.footer && (!done || AFTER_THE_LAST_STEP.has(b.command)));
  return `${done ? 'done: ' : ''}${shown.map((b) => b.footer).join('  ')}`;
}

export function tutorialFooter(): string {
  return TUTORIAL_KEYS.filter((b) => b.footer)
    .map((b) => b.footer)
    .join('  ');
}
