// A path as the user reads it, apart from lab-story.ts so that `status` starts without wrap-ansi.
import path from 'node:path';

/** A path as the user can type it from here: relative when below the working folder. */
export function shownPath(p: string, cwd = process.cwd()): string {
  const rel = path.relative(cwd, p);
  return rel === '' || rel.startsWith('..') ? p : rel;
}
