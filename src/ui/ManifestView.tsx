// The manifest a step applies, as YAML with its keys coloured and the fields the heist turns on marked.
import { Box, Text } from 'ink';
import { stringify } from 'yaml';
import { highlightYaml, type YamlTokenKind } from './yaml-highlight.js';
import { useColor } from './theme.js';

const COLORS: Partial<Record<YamlTokenKind, string>> = { key: 'cyan', string: 'green', number: 'magenta', literal: 'magenta', comment: 'gray', dash: 'gray' };

export interface ManifestViewProps {
  manifest: unknown;
  height: number;
  width: number;
  title?: string;
}

export function ManifestView({ manifest, height, width, title }: ManifestViewProps) {
  const color = useColor();
  const lines = highlightYaml(stringify(manifest, { lineWidth: 0 }));
  const room = Math.max(1, height - (title ? 1 : 0));
  // a long manifest shows its first lines and, past the fold, the important ones: the image and its pull policy
  const shown = lines.length <= room ? lines : fold(lines, room);
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      {title ? (
        <Text bold wrap="truncate-end">
          {title}
        </Text>
      ) : null}
      {shown.map((line, i) => (
        // wrapped, never cut: the image reference and its pull policy are the point
        <Box key={i} flexShrink={0}>
          <Text wrap="wrap" bold={line.important}>
            {line.important ? '▸' : ' '}
            {line.tokens.map((t, j) => (
              <Text key={j} color={color(COLORS[t.kind] ?? 'white')}>
                {t.text}
              </Text>
            ))}
          </Text>
        </Box>
      ))}
    </Box>
  );
}

function fold<T extends { important: boolean }>(lines: T[], room: number): T[] {
  const important = lines.map((l, i) => (l.important ? i : -1)).filter((i) => i >= 0);
  const keep = new Set(important.slice(0, room));
  for (let i = 0; keep.size < room && i < lines.length; i++) keep.add(i);
  return [...keep].sort((a, b) => a - b).map((i) => lines[i]!);
}
