// Tests of the built package need a dist/ that matches the sources: `npm ci` built it (prepare); after an edit,
// build it again here.
import { execa } from 'execa';
import { distIsFresh } from '../../bin/dist-fresh.js';

export async function ensureBuilt(): Promise<void> {
  const root = new URL('../../', import.meta.url);
  if (!distIsFresh(root)) await execa('npm', ['run', '--silent', 'build'], { cwd: root });
}
