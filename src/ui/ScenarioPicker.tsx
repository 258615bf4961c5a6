// Choose a scenario from the catalogue: titles in a list, the highlighted one's summary below.
import { useState } from 'react';
import { Box, Text, useInput, useStdin } from 'ink';
import type { Scenario } from '../scenario/schema.js';
import { useColor } from './theme.js';

export interface ScenarioPickerProps {
  scenarios: readonly Scenario[];
  onPick: (scenario: Scenario) => void;
  height: number;
  width: number;
  active: boolean;
  /** Start on this scenario (the last one played). */
  initial?: string;
}

export function ScenarioPicker({ scenarios, onPick, height, width, active, initial }: ScenarioPickerProps) {
  const color = useColor();
  const { isRawModeSupported } = useStdin();
  const [index, setIndex] = useState(() =>
    Math.max(
      0,
      scenarios.findIndex((s) => s.metadata.name === initial),
    ),
  );
  useInput(
    (input, key) => {
      if (key.upArrow || input === 'k') setIndex((i) => (i + scenarios.length - 1) % scenarios.length);
      else if (key.downArrow || input === 'j') setIndex((i) => (i + 1) % scenarios.length);
      else if (key.return || input === ' ') {
        const chosen = scenarios[index];
        if (chosen) onPick(chosen);
      }
    },
    { isActive: active && isRawModeSupported === true },
  );
  const chosen = scenarios[index];
  const listHeight = Math.max(3, height - 4);
  const first = Math.max(0, Math.min(index - Math.floor(listHeight / 2), scenarios.length - listHeight));
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      <Text bold wrap="truncate-end">
        Pick a scenario (↑/↓, Enter):
      </Text>
      <Box flexDirection="column" height={listHeight} overflow="hidden">
        {scenarios.slice(first, first + listHeight).map((s, offset) => {
          const selected = first + offset === index;
          return (
            <Text key={s.metadata.name} wrap="truncate-end" bold={selected} color={color(selected ? 'cyan' : 'white')}>
              {selected ? '▶ ' : '  '}
              {s.metadata.name.padEnd(28)} {s.metadata.title}
            </Text>
          );
        })}
      </Box>
      <Box height={3} overflow="hidden">
        <Text wrap="wrap" dimColor>
          {chosen?.metadata.summary ?? ''}
        </Text>
      </Box>
    </Box>
  );
}
