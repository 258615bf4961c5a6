// A step's explanation, from its markdown: paragraphs, list items, **bold** and `code`.
import { Box, Text } from 'ink';
import { parseMarkdown, type Inline } from './markdown.js';
import { useColor } from './theme.js';

export interface ExplanationProps {
  title?: string;
  markdown: string;
  height: number;
  width: number;
}

export function Explanation({ title, markdown, height, width }: ExplanationProps) {
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      {title ? (
        <Text bold wrap="truncate-end">
          {title}
        </Text>
      ) : null}
      {parseMarkdown(markdown).map((block, i) => (
        <Text key={i} wrap="wrap">
          {block.kind === 'item' ? '• ' : ''}
          <Inlines inlines={block.inlines} />
        </Text>
      ))}
    </Box>
  );
}

export function Inlines({ inlines }: { inlines: Inline[] }) {
  const color = useColor();
  return (
    <>
      {inlines.map((inline, i) =>
        inline.code ? (
          <Text key={i} color={color('cyan')}>
            {inline.text}
          </Text>
        ) : (
          <Text key={i} bold={inline.bold}>
            {inline.text}
          </Text>
        ),
      )}
    </>
  );
}
