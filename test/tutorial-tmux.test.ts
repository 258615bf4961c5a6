// The tutorial in a real terminal against a real `up` lab, as a learner goes through it: a chapter's task
// done, then the next (or previous) chapter opened — which must not be ticked by what was done before.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runUp } from '../src/embedded/up.js';
import type { LabInfo } from '../src/lab/backend.js';
import type { ProfileName } from '../src/lab/profiles.js';
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

/** Admin1's pod with the pull secret, then Admin2's with IfNotPresent on the same node: the attack. */
async function attack(info: LabInfo): Promise<void> {
  const kubectl = (context: string, args: string[]) => execa('kubectl', ['--kubeconfig', info.kubeconfig, '--context', context, ...args]);
  const node = info.nodes[0]!;
  await kubectl('admin1', ['run', 'pod1', `--image=${info.images.secret}`, `--overrides={"spec":{"nodeName":"${node}","imagePullSecrets":[{"name":"${info.tenants.admin1.pullSecret}"}]}}`]);
  await kubectl('admin1', ['wait', '--for=condition=Ready', 'pod/pod1', '--timeout=30s']);
  await kubectl('admin2', ['run', 'pod2', `--image=${info.images.secret}`, '--image-pull-policy=IfNotPresent', `--overrides={"spec":{"nodeName":"${node}"}}`]);
}

/** Presses a key, once per chapter, until the header shows chapter N. */
async function goTo(session: string, chapter: number, key: 'n' | 'p'): Promise<string> {
  const at = (p: string) => Number(/tutorial ▸ (\d)\/8/.exec(p)?.[1] ?? 0);
  for (;;) {
    const pane = await paneWith(session, (p) => at(p) > 0, 20_000);
    const now = at(pane);
    if (now === chapter) return pane;
    await sendKeys(session, key);
    await paneWith(session, (p) => at(p) !== now, 10_000);
  }
}

describe('tutorial in tmux: keys typed while it loads', () => {
  it('are kept: n n pressed before the first frame opens chapter 3', async () => {
    const { session } = await startApp(['tutorial', '--dir', path.join(root, 'none')], { columns: 80, rows: 24 });
    // while it says it is loading, before the app draws anything
    await paneWith(session, (p) => p.includes('loading the tutorial'), 30_000);
    await sendKeys(session, 'n', 'n');
    const pane = await paneWith(session, (p) => /tutorial ▸ \d\/8/.test(p), 30_000);
    // the app may draw chapter 1 first and move on as it reads the keys
    await paneWith(session, (p) => p.includes('▸ 3/8'), 10_000).catch(() => expect(pane).toContain('▸ 3/8'));
    // and they were not echoed onto the screen
    expect(await paneWith(session, (p) => p.includes('▸ 3/8'), 1_000)).not.toMatch(/^nn/m);
  }, 60_000);
});

describe('tutorial in tmux: a task ticks only for what was done in its own chapter', () => {
  it('chapter 3 done under none, then n: chapter 4 is not ticked (at 80×24 and with the chapter list at 120×35)', async () => {
    const dir = path.join(root, 'forward');
    const lab = await startLab('none', dir);
    try {
      const { session } = await startApp(['tutorial', '--dir', dir], { columns: 120, rows: 35 });
      await goTo(session, 3, 'n');
      await paneWith(session, (p) => p.includes('watching the cluster: not yet'), 20_000);
      await attack(lab.info);
      const done = await paneWith(session, (p) => p.includes('☑ DONE'), 30_000);
      expect(flat(done)).toContain(`tenant-b/pod2 printed ${lab.info.flag}`);

      await sendKeys(session, 'n');
      // chapter 4 has read the lab (it runs none, the task needs always-pull-images) and says so
      const pane = await paneWith(session, (p) => p.includes('▸ 4/8') && flat(p).includes('needs the always-pull-images profile'), 20_000);
      // several polls later it is still unticked, in the task box and in the chapter list
      await sleep(2_500);
      const later = await paneWith(session, (p) => p.includes('▸ 4/8'), 5_000);
      for (const p of [pane, later]) {
        expect(p).toContain('☐ TASK');
        expect(p).not.toContain('☑ DONE');
        expect(p).not.toContain('FLAG{');
        expect(p).toMatch(/☐ 4\. /);
      }
      // chapter 3's own tick stays, earned
      expect(later).toMatch(/☑ 3\. /);
    } finally {
      await lab.stop();
    }
  }, 120_000);

  it('chapter 4 done under always-pull-images, then p: chapter 3 is not ticked', async () => {
    const dir = path.join(root, 'backward');
    const lab = await startLab('always-pull-images', dir);
    try {
      const { session } = await startApp(['tutorial', '--dir', dir], { columns: 80, rows: 24 });
      await goTo(session, 4, 'n');
      await paneWith(session, (p) => p.includes('watching the cluster: not yet'), 20_000);
      await attack(lab.info);
      const done = await paneWith(session, (p) => p.includes('☑ DONE'), 60_000);
      expect(flat(done)).toMatch(/tenant-b\/pod2: (ErrImagePull|ImagePullBackOff) with imagePullPolicy Always/);

      await sendKeys(session, 'p');
      const pane = await paneWith(session, (p) => p.includes('▸ 3/8') && flat(p).includes('needs the none profile'), 20_000);
      await sleep(2_500);
      const later = await paneWith(session, (p) => p.includes('▸ 3/8'), 5_000);
      for (const p of [pane, later]) {
        expect(p).toContain('☐ TASK');
        expect(p).not.toContain('☑ DONE');
        expect(p).not.toContain('ErrImagePull');
      }
    } finally {
      await lab.stop();
    }
  }, 120_000);
});
