// A step's explanation, from its markdown: paragraphs, list items, **bold** and `code`. The title wraps and
// stays; the text below it scrolls (↑/↓) with a cue when it is longer than its room.
import { Box, Text } from 'ink';
import { parseMarkdown, type Block, type Inline } from './markdown.js';
import { ScrollBox } from './ScrollBox.js';
import { wrappedLines, wrapWords } from './text-wrap.js';
import { useColor } from './theme.js';

export interface ExplanationProps {
  title?: string;
  markdown: string;
  height: number;
  width: number;
  scroll?: number;
}

export function Explanation({ title, markdown, height, width, scroll = 0 }: ExplanationProps) {
  const titleText = title ? wrapWords(title, width) : '';
  const titleLines = title ? Math.min(wrappedLines(titleText, width), Math.max(1, height - 2)) : 0;
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      {title ? (
        <Box height={titleLines} flexShrink={0} overflow="hidden">
          <Text bold wrap="wrap">
            {titleText}
          </Text>
        </Box>
      ) : null}
      <ScrollBox height={Math.max(1, height - titleLines)} width={width} scroll={scroll}>
        {parseMarkdown(markdown).map((block, i) => (
          // flexShrink 0: a squeezed block would draw its wrapped lines over the next one
          <Box key={i} flexShrink={0}>
            <MarkdownBlock block={block} />
          </Box>
        ))}
      </ScrollBox>
    </Box>
  );
}

export function Inlines({ inlines }: { inlines: Inline[] }) {
  const color = useColor();
  return (
    <>
      {inlines.map((inline, i) =>
        inline.code ? (
          // without colour the backticks are what marks code: keep them
          <Text key={i} color={color('cyan')}>
            {color('cyan') ? inline.text : `\`${inline.text}\``}
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

export function MarkdownBlock({ block }: { block: Block }) {
  const color = useColor();
  if (block.kind === 'code') {
    return (
      <Box flexDirection="column" paddingLeft={2}>
        {block.lines.map((line, i) => (
          <Text key={i} color={color('yellow')} wrap="wrap">
            {line}
          </Text>
        ))}
      </Box>
    );
  }
  if (block.kind === 'heading') {
    return (
      <Text bold underline wrap="wrap">
        <Inlines inlines={block.inlines} />
      </Text>
    );
  }
  return (
    <Text wrap="wrap">
      {block.kind === 'item' ? `${block.marker ?? '•'} ` : ''}
      <Inlines inlines={block.inlines} />
    </Text>
  );
}
