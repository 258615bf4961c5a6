// The workshop app at the three terminal sizes a room has — 80×24, 120×35 and 160×45 — in real tmux panes,
// four clusters, the classic story played to the end: the title line stays on top, every panel shows its
// profile, its verdict and its whole evidence (the full flag, the registry's answer), and the footer is there.
// With UPDATE_SCREENS=1 the panes are saved to docs/screens/ (the screenshots-as-text the docs show).
import { writeFile } from 'node:fs/promises';
import { describe, expect, it, afterEach } from 'vitest';
import type { ProfileName } from '../src/lab/profiles.js';

/** play shows at most four clusters: the four pull-side defences. */
const FOUR: readonly ProfileName[] = ['none', 'always-pull-images', 'kubelet-default', 'kubelet-always-verify'];
import { capture, killSessions, paneWith, sendKeys, startApp } from './support/tmux.js';

afterEach(killSessions);

/** The text inside each panel box, by panel, for panels laid out in a grid of ╭…╮ boxes. */
function panelTexts(pane: string): string[] {
  const lines = pane.split('\n');
  const panels: string[] = [];
  for (const [row, line] of lines.entries()) {
    for (const match of line.matchAll(/╭─+╮/g)) {
      const start = [...line.slice(0, match.index)].length;
      const width = [...match[0]].length;
      const inside: string[] = [];
      for (const below of lines.slice(row + 1)) {
        const cut = [...below].slice(start, start + width).join('');
        if (cut.startsWith('╰')) break;
        inside.push(cut.slice(1, -1));
      }
      panels.push(inside.join('\n'));
    }
  }
  return panels;
}

const SIZES = [
  { columns: 80, rows: 24 },
  { columns: 120, rows: 35 },
  { columns: 160, rows: 45 },
];

describe('play fits the terminal at 80×24, 120×35 and 160×45', () => {
  for (const size of SIZES) {
    it(`${size.columns}×${size.rows}, four clusters: title, verdicts and whole evidence visible`, async () => {
      const { session } = await startApp(['play', 'classic', '--profile', FOUR.join(','), '--dir', `/tmp/image-heist-layout-${process.pid}-${size.columns}`], size);
      await paneWith(session, (p) => (p.match(/▣ image-heist-worker/g) ?? []).length >= 4 || (p.match(/verdict after the last step/g) ?? []).length === 4, 120_000);
      await sendKeys(session, 'a');
      const pane = await paneWith(session, (p) => (p.match(/✔ BLOCKED|✘ BYPASSED/g) ?? []).length === 4 && p.includes('done:'), 90_000);
      if (process.env.UPDATE_SCREENS) await writeFile(`docs/screens/play-${size.columns}x${size.rows}.txt`, `${pane.trimEnd()}\n`);

      const lines = pane.split('\n');
      expect(lines[0]).toMatch(/^image-heist ▸ classic: The classic heist/);
      expect(pane).toMatch(/Steps 2\/2/);
      expect(pane).toContain('done:');
      const panels = panelTexts(pane);
      expect(panels).toHaveLength(4);
      for (const [i, profile] of FOUR.entries()) {
        const text = panels[i]!;
        const flat = text.replace(/\s+/g, ' ');
        expect(text.split('\n')[0]).toMatch(new RegExp(`^ ${profile} `));
        if (profile === 'none') {
          expect(text).toContain('✘ BYPASSED');
          // the whole flag, never cut
          expect(text.replace(/\s+/g, '')).toMatch(/FLAG\{[0-9a-f]{32}\}/);
        } else {
          expect(text).toContain('✔ BLOCKED');
          expect(flat).toMatch(/→ pull access denied: authorization failed: no basic auth credentials/);
        }
      }
      await sendKeys(session, 'q');
      await paneWith(session, (p) => p.includes('image-heist exited 0'), 30_000);
      expect(await capture(session)).toContain('every lab stopped');
    }, 300_000);
  }
});
