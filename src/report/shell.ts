// Shell commands that fit a terminal and still run when pasted: a long command is broken at spaces outside
// quotes with a trailing backslash, never inside a quoted word (a backslash there would be taken literally).

/** Words of a shell line, quotes kept: `a 'b c' d` → [a, 'b c', d]. */
export function shellWords(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: string | undefined;
  for (const ch of line) {
    if (quote) {
      word += ch;
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      word += ch;
    } else if (ch === ' ') {
      if (word) words.push(word);
      word = '';
    } else word += ch;
  }
  if (word) words.push(word);
  return words;
}

/**
 * One command as lines of at most `width` columns where words allow: continuation lines are indented and
 * every line but the last ends in ` \`. A single word longer than the width stays whole (the terminal wraps
 * it; copying it still works). Comments and lines that are not commands are returned as they are.
 */
export function wrapCommand(line: string, width: number, indent = '    '): string[] {
  if (line.length <= width || line.trimStart().startsWith('#')) return [line];
  const lead = /^\s*/.exec(line)![0];
  const words = shellWords(line.trim());
  const lines: string[] = [];
  let current = lead;
  for (const word of words) {
    const sep = current.trim() ? ' ' : '';
    // room for " \" at the end of every line but the last
    if (current.trim() && current.length + sep.length + word.length + 2 > width) {
      lines.push(`${current} \\`);
      current = `${lead}${indent}${word}`;
    } else current += sep + word;
  }
  lines.push(current);
  return lines;
}

/** Several commands, each wrapped; lines inside a heredoc (`<<'EOF'` … `EOF`) are left alone. */
export function wrapCommands(lines: readonly string[], width: number): string[] {
  const out: string[] = [];
  let heredoc: string | undefined;
  for (const line of lines) {
    if (heredoc) {
      out.push(line);
      if (line.trim() === heredoc) heredoc = undefined;
      continue;
    }
    out.push(...wrapCommand(line, width));
    heredoc = /<<-?'?(\w+)'?\s*$/.exec(line)?.[1];
  }
  return out;
}
