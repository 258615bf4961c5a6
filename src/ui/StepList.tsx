// The scenario's steps: done, running, the one up next, and the rest. Titles wrap, never cut; when the list
// is taller than its room it keeps the current step in view.
import { Box, Text } from 'ink';
import type { Scenario } from '../scenario/schema.js';
import { wrappedLines, wrapWords } from './text-wrap.js';
import { useColor } from './theme.js';

export interface StepListProps {
  scenario: Scenario;
  /** Steps that ran (on every cluster). */
  done: number;
  /** The step running now, if any. */
  running?: number;
  height: number;
  width: number;
}

const line = (i: number, title: string) => `✔ ${i + 1}. ${title}`;
/** A step's line, wrapped here (Ink would keep the space at each break). */
const wrapped = (mark: string, i: number, title: string, width: number) => wrapWords(`${mark} ${i + 1}. ${title}`, width);

/** Lines the whole list takes at this width: the heading and every title, wrapped. */
export function stepListHeight(scenario: Scenario, width: number): number {
  return 1 + scenario.steps.reduce((n, s, i) => n + wrappedLines(wrapWords(line(i, s.title), width), width), 0);
}

export function StepList({ scenario, done, running, height, width }: StepListProps) {
  const color = useColor();
  const steps = scenario.steps;
  const current = running ?? Math.min(done, steps.length - 1);
  // the first step shown: move down until the current one (and one after it, if any) fits
  const heights = steps.map((s, i) => wrappedLines(wrapWords(line(i, s.title), width), width));
  const room = height - 1;
  let first = 0;
  const fits = (from: number, to: number) => heights.slice(from, to + 1).reduce((a, b) => a + b, 0) <= room;
  const last = Math.min(current + 1, steps.length - 1);
  while (first < current && !fits(first, last)) first++;
  const hiddenBelow = (() => {
    let used = 0;
    let i = first;
    for (; i < steps.length && used + heights[i]! <= room; i++) used += heights[i]!;
    return steps.length - i;
  })();
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Box flexShrink={0}>
        <Text bold wrap="truncate-end">
          Steps {Math.min(done, steps.length)}/{steps.length}
          {first > 0 ? <Text dimColor> ↑{first} above</Text> : null}
          {hiddenBelow > 0 ? <Text dimColor> ↓{hiddenBelow} below</Text> : null}
        </Text>
      </Box>
      {steps.slice(first).map((step, offset) => {
        const i = first + offset;
        const state = i === running ? 'running' : i < done ? 'done' : i === done ? 'next' : 'later';
        const mark = { running: '⋯', done: '✔', next: '▶', later: '·' }[state];
        return (
          <Box key={step.id} flexShrink={0}>
            <Text
              wrap="wrap"
              bold={state === 'next' || state === 'running'}
              dimColor={state === 'later'}
              color={color(state === 'done' ? 'green' : state === 'next' || state === 'running' ? 'cyan' : 'white')}
            >
              {wrapped(mark, i, step.title, width)}
            </Text>
          </Box>
        );
      })}
    </Box>
  );
}
