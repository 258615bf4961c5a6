// The keys, in one place.
import { Box, Text } from 'ink';

export const PLAY_KEYS: readonly [string, string][] = [
  ['Enter / Space', 'run the next step on every cluster'],
  ['a', 'auto-play on/off'],
  ['b', 'replay: reset the labs and play the steps so far again'],
  ['r', 'reset: back to before the first step'],
  ['k', 'show the equivalent kubectl commands'],
  ['m', 'show the manifest / the explanation (small terminals)'],
  ['Esc', 'back to the scenarios'],
  ['?', 'this help'],
  ['q / Ctrl-C', 'quit (stops every lab)'],
];

export function HelpOverlay({ height, width }: { height: number; width: number }) {
  return (
    <Box flexDirection="column" height={height} width={width} borderStyle="round" paddingX={1} overflow="hidden">
      <Text bold>Keys (? to close)</Text>
      {PLAY_KEYS.map(([key, what]) => (
        <Text key={key} wrap="truncate-end">
          <Text bold>{key.padEnd(14)}</Text>
          {what}
        </Text>
      ))}
      <Text dimColor wrap="wrap">
        Each panel is one cluster with one defence. ✘ BYPASSED: the attacker read the flag. ✔ BLOCKED: the pod never ran, with the reason.
      </Text>
    </Box>
  );
}
