// A box of fixed height whose content may be taller: it shows the lines from `scroll` on and, when more lies
// below (or above), says so on its last line with the keys that move it. It measures what Ink laid out, so
// "more below" appears only when something really is hidden.
import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { Box, Text, measureElement, type DOMElement } from 'ink';

export interface ScrollBoxProps {
  height: number;
  width: number;
  /** Lines scrolled past, clamped to what there is. */
  scroll: number;
  /** Told how many lines the content has, so the owner can clamp its scroll keys. */
  onMeasure?: (contentLines: number) => void;
  /** The keys that scroll, for the cue. */
  keys?: string;
  children: ReactNode;
}

export function ScrollBox({ height, width, scroll, onMeasure, keys = '↑/↓', children }: ScrollBoxProps) {
  const content = useRef<DOMElement>(null);
  const [lines, setLines] = useState(0);
  // after every render, on purpose: the content's height changes with whatever the children draw
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useLayoutEffect(() => {
    if (!content.current) return;
    const measured = measureElement(content.current).height;
    if (measured !== lines) {
      setLines(measured);
      onMeasure?.(measured);
    }
  });
  const overflows = lines > height;
  const room = overflows ? height - 1 : height;
  const top = Math.max(0, Math.min(scroll, lines - room));
  const below = lines - top - room;
  return (
    <Box flexDirection="column" height={height} width={width} overflow="hidden">
      <Box flexDirection="column" height={room} overflow="hidden" flexShrink={0}>
        <Box ref={content} flexDirection="column" marginTop={-top} flexShrink={0}>
          {children}
        </Box>
      </Box>
      {overflows ? (
        <Text dimColor wrap="truncate-end">
          {below > 0 ? `↓ ${below} more line${below === 1 ? '' : 's'}` : '— end —'}
          {top > 0 ? ` · ↑ ${top} above` : ''} ({keys})
        </Text>
      ) : null}
    </Box>
  );
}
