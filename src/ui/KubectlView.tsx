// The commands a learner would type for the current step: kubectl as the acting tenant, or kind/crictl for
// what goes around the API.
import { Box, Text } from 'ink';
import { useColor } from './theme.js';

export interface KubectlViewProps {
  lines: string[];
  height: number;
  width: number;
}

export function KubectlView({ lines, height, width }: KubectlViewProps) {
  const color = useColor();
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      <Text bold wrap="truncate-end">
        By hand (k to close): export KUBECONFIG=.lab/kubeconfig from `image-heist up` (its registry port is its own)
      </Text>
      {lines.slice(0, Math.max(0, height - 1)).map((line, i) => (
        <Text key={i} wrap="wrap" color={color(line.startsWith('#') ? 'gray' : line.startsWith('kubectl') || line.startsWith('kind') || line.startsWith('docker') ? 'yellow' : 'white')}>
          {line}
        </Text>
      ))}
    </Box>
  );
}
