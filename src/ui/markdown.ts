// Just enough markdown for a step's explanation and the tutorial: headings, paragraphs, "- " list items,
// fenced code, **bold** and `code`.
// Anything else is shown as written, so an unusual construct reads as plain text rather than vanishing.

export interface Inline {
  text: string;
  bold?: boolean;
  code?: boolean;
}

export type Block =
  { kind: 'paragraph'; inlines: Inline[] } | { kind: 'item'; inlines: Inline[]; marker?: string } | { kind: 'heading'; inlines: Inline[] } | { kind: 'code'; lines: string[] };

export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const flush = () => {
    if (paragraph.length > 0) blocks.push({ kind: 'paragraph', inlines: parseInline(paragraph.join(' ')) });
    paragraph = [];
  };
  let code: string[] | undefined;
  for (const raw of source.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('```')) {
      flush();
      if (code) blocks.push({ kind: 'code', lines: code });
      code = code ? undefined : [];
      continue;
    }
    if (code) {
      code.push(raw);
      continue;
    }
    const item = /^(?:[-*]|(\d+\.))\s+(.*)$/.exec(line);
    const heading = /^#{1,6}\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', inlines: parseInline(heading[1]!) });
    } else if (line === '') flush();
    else if (item) {
      flush();
      blocks.push({ kind: 'item', inlines: parseInline(item[2]!), ...(item[1] ? { marker: item[1] } : {}) });
    } else if (blocks.at(-1)?.kind === 'item' && paragraph.length === 0 && /^\s{2,}/.test(raw)) {
      // a list item's continuation line
      const last = blocks.at(-1) as { kind: 'item'; inlines: Inline[] };
      last.inlines = parseInline(`${last.inlines.map(toSource).join('')} ${line}`);
    } else paragraph.push(line);
  }
  flush();
  if (code) blocks.push({ kind: 'code', lines: code });
  return blocks;
}

/** Back to markdown source, to re-parse an item that continues on the next line. */
function toSource(inline: Inline): string {
  return inline.code ? `\`${inline.text}\`` : inline.bold ? `**${inline.text}**` : inline.text;
}

export function parseInline(text: string): Inline[] {
  const inlines: Inline[] = [];
  const pattern = /\*\*([^*]+)\*\*|`([^`]+)`/g;
  let at = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > at) inlines.push({ text: text.slice(at, match.index) });
    // code inside bold shows as bold text: one level of emphasis is enough for a terminal
    inlines.push(match[1] !== undefined ? { text: match[1].replace(/`/g, ''), bold: true } : { text: match[2]!, code: true });
    at = match.index + match[0].length;
  }
  if (at < text.length) inlines.push({ text: text.slice(at) });
  return inlines;
}
