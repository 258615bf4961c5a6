// The commands a learner would type for the current step, for the very labs on screen: kubectl with each
// lab's own kubeconfig (written to .lab/play/<profile>/), runnable as printed, wrapped to the screen with
// shell continuations and scrolled (↑/↓) rather than cut.
import { Box, Text } from 'ink';
import { wrapCommands } from '../report/shell.js';
import { ScrollBox } from './ScrollBox.js';
import { useColor } from './theme.js';

export interface KubectlViewProps {
  heading: string;
  /** Each ready lab's commands, in panel order. */
  labs: { profile: string; lines: string[] }[];
  height: number;
  width: number;
  scroll?: number;
}

export function KubectlView({ heading, labs, height, width, scroll = 0 }: KubectlViewProps) {
  const color = useColor();
  const tint = (line: string) => (line.trimStart().startsWith('#') ? 'gray' : /^\s*(kubectl|kind|docker)\b/.test(line) ? 'yellow' : 'white');
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      <Box flexShrink={0}>
        <Text bold wrap="wrap">
          By hand, step {heading} — these run as printed against the labs on screen (k to close, ↑/↓ scroll)
        </Text>
      </Box>
      <ScrollBox height={Math.max(1, height - 2)} width={width} scroll={scroll}>
        {labs.length === 0 ? <Text dimColor>the labs are still starting…</Text> : null}
        {labs.map((lab) => (
          <Box key={lab.profile} flexDirection="column" flexShrink={0} marginTop={1}>
            <Text bold>{`# the ${lab.profile} lab`}</Text>
            {wrapCommands(lab.lines, width - 1).map((line, i) => (
              <Text key={i} wrap="wrap" color={color(tint(line))}>
                {line}
              </Text>
            ))}
          </Box>
        ))}
      </ScrollBox>
    </Box>
  );
}
