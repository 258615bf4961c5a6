// The scenario's steps: done, running, the one up next, and the rest.
import { Box, Text } from 'ink';
import type { Scenario } from '../scenario/schema.js';
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

export function StepList({ scenario, done, running, height, width }: StepListProps) {
  const color = useColor();
  const steps = scenario.steps;
  // keep the current step in view when the list is longer than the room for it
  const current = running ?? Math.min(done, steps.length - 1);
  const first = Math.max(0, Math.min(current - Math.floor((height - 1) / 2), steps.length - (height - 1)));
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text bold wrap="truncate-end">
        Steps {Math.min(done, steps.length)}/{steps.length}
      </Text>
      {steps.slice(first, first + height - 1).map((step, offset) => {
        const i = first + offset;
        const state = i === running ? 'running' : i < done ? 'done' : i === done ? 'next' : 'later';
        const mark = { running: '⋯', done: '✔', next: '▶', later: '·' }[state];
        return (
          <Text key={step.id} wrap="truncate-end" bold={state === 'next' || state === 'running'} dimColor={state === 'later'} color={color(state === 'done' ? 'green' : state === 'next' || state === 'running' ? 'cyan' : 'white')}>
            {mark} {i + 1}. {step.title}
          </Text>
        );
      })}
    </Box>
  );
}
