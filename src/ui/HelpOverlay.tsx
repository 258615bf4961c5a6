// The keys and what the screen means, from the one key table (keys.ts).
import { Box, Text } from 'ink';
import { PLAY_KEYS } from './keys.js';
import { ScrollBox } from './ScrollBox.js';

export function HelpOverlay({ height, width, scroll = 0 }: { height: number; width: number; scroll?: number }) {
  const labelWidth = Math.max(...PLAY_KEYS.map((k) => k.label.length)) + 2;
  return (
    <Box flexDirection="column" height={height} width={width} borderStyle="round" paddingX={1} overflow="hidden">
      <Text bold>Keys (? to close)</Text>
      <ScrollBox height={Math.max(1, height - 3)} width={width - 4} scroll={scroll}>
        {PLAY_KEYS.map((k) => (
          <Box key={k.command} flexShrink={0}>
            <Box width={labelWidth} flexShrink={0}>
              <Text bold>{k.label}</Text>
            </Box>
            <Text wrap="wrap">{k.help}</Text>
          </Box>
        ))}
        <Box flexShrink={0} marginTop={1}>
          <Text dimColor wrap="wrap">
            Each panel is one cluster with one defence. ✘ BYPASSED: the attacker read the flag. ✔ BLOCKED: the pod never ran, with the reason. Each lab's kubeconfig is in
            .lab/play/PROFILE/ while the app runs: k shows the commands for it.
          </Text>
        </Box>
      </ScrollBox>
    </Box>
  );
}
