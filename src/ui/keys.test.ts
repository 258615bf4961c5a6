import { readFileSync } from 'node:fs';
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { commandFor, commandsFor, PLAY_KEYS, playFooter, TUTORIAL_KEYS, tutorialFooter, WORKSHOP_KEYS, workshopFooter } from './keys.js';

const key = (over: Partial<Key> = {}): Key =>
  ({
    upArrow: false,
    downArrow: false,
    leftArrow: false,
    rightArrow: false,
    pageDown: false,
    pageUp: false,
    return: false,
    escape: false,
    ctrl: false,
    shift: false,
    tab: false,
    backspace: false,
    delete: false,
    meta: false,
    ...over,
  }) as Key;

describe('keys, one table', () => {
  it('maps key presses to commands', () => {
    expect(commandFor(PLAY_KEYS, '', key({ return: true }))).toBe('next');
    expect(commandFor(PLAY_KEYS, ' ', key())).toBe('next');
    expect(commandFor(PLAY_KEYS, 'c', key({ ctrl: true }))).toBe('quit');
    expect(commandFor(PLAY_KEYS, 'k', key())).toBe('kubectl');
    expect(commandFor(PLAY_KEYS, '', key({ escape: true }))).toBe('scenarios');
    expect(commandFor(PLAY_KEYS, 'x', key())).toBeUndefined();
    expect(commandFor(TUTORIAL_KEYS, '', key({ leftArrow: true }))).toBe('previous');
  });

  it('counts every key of a burst typed while the app was busy', () => {
    expect(commandsFor(TUTORIAL_KEYS, 'nn', key())).toEqual(['next', 'next']);
    expect(commandsFor(PLAY_KEYS, ' a', key())).toEqual(['next', 'auto']);
    expect(commandsFor(PLAY_KEYS, 'k', key())).toEqual(['kubectl']);
  });

  it('the board: no two bindings take the same key', () => {
    const presses: [string, Partial<Key>][] = [
      ['', { downArrow: true }],
      ['j', {}],
      ['', { upArrow: true }],
      ['k', {}],
      ['r', {}],
      ['p', {}],
      ['', { return: true }],
      ['n', {}],
      ['q', {}],
      ['c', { ctrl: true }],
    ];
    for (const [input, over] of presses) expect(WORKSHOP_KEYS.filter((b) => b.matches(input, key(over)))).toHaveLength(1);
    expect(commandsFor(WORKSHOP_KEYS, 'nn', key())).toEqual(['reveal', 'reveal']);
  });

  it('no two bindings take the same key', () => {
    const presses: [string, Partial<Key>][] = [
      ['', { return: true }],
      [' ', {}],
      ['a', {}],
      ['b', {}],
      ['r', {}],
      ['k', {}],
      ['m', {}],
      ['', { downArrow: true }],
      ['', { upArrow: true }],
      ['', { escape: true }],
      ['?', {}],
      ['q', {}],
    ];
    for (const [input, over] of presses) expect(PLAY_KEYS.filter((b) => b.matches(input, key(over)))).toHaveLength(1);
  });

  it('the footer is the table, and after the last step only what still applies', () => {
    expect(playFooter(false)).toBe('⏎ next  a auto  b replay  r reset  k kubectl  m yaml  Esc back  ? help  q quit');
    expect(playFooter(true)).toBe('done: b replay  r reset  k kubectl  Esc back  ? help  q quit');
    expect(playFooter(false).length).toBeLessThanOrEqual(80);
    expect(tutorialFooter()).toBe('n/→ next  p/← previous  ↑/↓ scroll  q quit');
    expect(workshopFooter()).toBe('↑/↓ attendee  r reset  p profile  ⏎ apply  n next chapter  q quit');
    expect(workshopFooter().length).toBeLessThanOrEqual(80);
  });

  it('the README lists every key of the table', () => {
    const readme = readFileSync('README.md', 'utf8');
    for (const b of PLAY_KEYS) expect(readme).toContain(`| ${b.label} | ${b.help} |`);
    for (const b of TUTORIAL_KEYS) expect(readme).toContain(`| ${b.label} | ${b.help} |`);
    for (const b of WORKSHOP_KEYS) expect(readme).toContain(`| ${b.label} | ${b.help} |`);
  });
});
