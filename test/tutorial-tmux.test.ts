// The tutorial in a real terminal against a real `up` lab, as a learner goes through it: a chapter's task
// done, then the next (or previous) chapter opened — which must not be ticked by what was done before.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runUp } from '../src/embedded/up.js';
import type { LabInfo } from '../src/lab/backend.js';
import type { ProfileName } from '../src/lab/profiles.js';
import { admin1RunsTheSecretImage, admin2RunsTheCachedImage } from './support/story.js';
import { flat, killSessions, paneWith, sendKeys, sleep, startApp } from './support/tmux.js';

afterEach(killSessions);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'image-heist-tutorial-tmux-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** `image-heist up --profile P` in-process, until the returned stop is called. */
async function startLab(profile: ProfileName, dir: string): Promise<{ info: LabInfo; stop: () => Promise<void> }> {
  const abort = new AbortController();
  const up = runUp({ profile, dir, signal: abort.signal, out: () => {} });
  const deadline = Date.now() + 30_000;
  while (!existsSync(path.join(dir, 'lab.json'))) {
    if (Date.now() > deadline) throw new Error('image-heist up did not write lab.json');
    await sleep(50);
  }
  const info = JSON.parse(await readFile(path.join(dir, 'lab.json'), 'utf8')) as LabInfo;
  return { info, stop: async () => (abort.abort(), await up) };
}

/** Presses a key, once per chapter, until the header shows chapter N. */
async function goTo(session: string, chapter: number, key: 'n' | 'p'): Promise<string> {
  const at = (p: string) => Number(/tutorial ▸ (\d)\/8/.exec(p)?.[1] ?? 0);
  for (;;) {
    const pane = await paneWith(session, (p) => at(p) > 0, 40_000);
    const now = at(pane);
    if (now === chapter) return pane;
    await sendKeys(session, key);
    await paneWith(session, (p) => at(p) !== now, 20_000);
  }
}

/** A lab with `profile`, the tutorial at `size` opened at `chapter`, and the attack done there until it ticks. */
async function doTask(profile: ProfileName, chapter: number, size: { columns: number; rows: number }) {
  const dir = path.join(root, profile);
  const lab = await startLab(profile, dir);
  const { session } = await startApp(['tutorial', '--dir', dir], size);
  await goTo(session, chapter, 'n');
  await paneWith(session, (p) => p.includes('watching the cluster: not yet'), 40_000);
  await admin1RunsTheSecretImage(lab.info);
  await admin2RunsTheCachedImage(lab.info);
  return { lab, session, done: await paneWith(session, (p) => p.includes('☑ DONE'), 60_000) };
}

/**
 * Moves one chapter with `key` and checks the chapter it opens is unticked — right away and several polls
 * later — without the previous chapter's evidence; returns the later pane.
 */
async function moveAndExpectUnticked(session: string, key: 'n' | 'p', chapter: number, hint: string, evidence: string): Promise<string> {
  await sendKeys(session, key);
  const pane = await paneWith(session, (p) => p.includes(`▸ ${chapter}/8`) && flat(p).includes(hint), 40_000);
  await sleep(2_500);
  const later = await paneWith(session, (p) => p.includes(`▸ ${chapter}/8`), 5_000);
  for (const p of [pane, later]) {
    expect(p).toContain('☐ TASK');
    expect(p).not.toContain('☑ DONE');
    expect(p).not.toContain(evidence);
  }
  return later;
}

describe('tutorial in tmux: keys typed while it loads', () => {
  it('are kept: n n pressed before the first frame opens chapter 3', async () => {
    const { session } = await startApp(['tutorial', '--dir', path.join(root, 'no-lab')], { columns: 80, rows: 24 });
    // while it says it is loading, before the app draws anything
    await paneWith(session, (p) => p.includes('loading the tutorial'), 30_000);
    await sendKeys(session, 'n', 'n');
    const pane = await paneWith(session, (p) => /tutorial ▸ \d\/8/.test(p), 30_000);
    // the app may draw chapter 1 first and move on as it reads the keys
    await paneWith(session, (p) => p.includes('▸ 3/8'), 10_000).catch(() => expect(pane).toContain('▸ 3/8'));
    // and they were not echoed onto the screen
    expect(await paneWith(session, (p) => p.includes('▸ 3/8'), 1_000)).not.toMatch(/^nn/m);
  }, 240_000);
});

describe('tutorial in tmux: a task ticks only for what was done in its own chapter', () => {
  it('chapter 3 done under none, then n: chapter 4 is not ticked (at 80×24 and with the chapter list at 120×35)', async () => {
    const { lab, session, done } = await doTask('none', 3, { columns: 120, rows: 35 });
    try {
      expect(flat(done)).toContain(`tenant-b/pod2 printed ${lab.info.flag}`);

      // chapter 4 has read the lab (it runs none, the task needs always-pull-images) and says so
      const later = await moveAndExpectUnticked(session, 'n', 4, 'needs the always-pull-images profile', 'FLAG{');
      expect(later).toMatch(/☐ 4\. /);
      // chapter 3's own tick stays, earned
      expect(later).toMatch(/☑ 3\. /);
    } finally {
      await lab.stop();
    }
  }, 240_000);

  it('chapter 4 done under always-pull-images, then p: chapter 3 is not ticked', async () => {
    const { lab, session, done } = await doTask('always-pull-images', 4, { columns: 80, rows: 24 });
    try {
      expect(flat(done)).toMatch(/tenant-b\/pod2: (ErrImagePull|ImagePullBackOff) with imagePullPolicy Always/);

      await moveAndExpectUnticked(session, 'p', 3, 'needs the none profile', 'ErrImagePull');
    } finally {
      await lab.stop();
    }
  }, 240_000);
});
