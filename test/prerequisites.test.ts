// `npm test` on a fresh machine: its pretest step installs what the interop tests need, or names it in one line.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error a plain .mjs script (it runs before anything is compiled), no types
import { prerequisitePlan } from './support/prerequisites.mjs';

describe('npm test prerequisites', () => {
  it('runs before the tests: package.json has the pretest step', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.pretest).toBe('node test/support/prerequisites.mjs');
  });

  it('installs the Debian packages as root with apt, asks for them in one line otherwise', () => {
    expect(prerequisitePlan([], { root: false, apt: true })).toEqual({ kind: 'ok' });
    expect(prerequisitePlan(['skopeo', 'htpasswd', 'docker-registry', 'tmux'], { root: true, apt: true })).toEqual({
      kind: 'install',
      packages: ['skopeo', 'apache2-utils', 'docker-registry', 'tmux'],
    });
    const request = prerequisitePlan(['htpasswd', 'skopeo'], { root: false, apt: true });
    expect(request).toEqual({ kind: 'request', line: 'npm test: the interop tests need htpasswd, skopeo: sudo apt-get install apache2-utils skopeo' });
    expect(prerequisitePlan(['kubectl'], { root: true, apt: true }).line).toContain('install kubectl');
  });
});
