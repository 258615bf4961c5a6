// How many terminal lines a text takes at a width, wrapped exactly as Ink wraps it (the same wrap-ansi, the
// same options), so a box can be sized to show all of it.
import wrapAnsi from 'wrap-ansi';

export function wrappedLines(text: string, width: number): number {
  if (width <= 0) return 0;
  return text.split('\n').reduce((n, line) => n + wrapAnsi(line, width, { trim: false, hard: true }).split('\n').length, 0);
}

/** Text broken into lines of at most `width`, at word boundaries, without the leading space a break leaves. */
export function wrapWords(text: string, width: number): string {
  return wrapAnsi(text, Math.max(1, width), { trim: true, hard: true });
}
