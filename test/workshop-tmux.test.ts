// The instructor's board in a real terminal while attendees work with kubectl: a task ticks only for pods made
// after the chapter was revealed, the verdict follows each attendee's own lab, r resets the selected lab, and q
// stops everything and removes the attendees' files.
import { vi } from 'vitest';
vi.hoisted(() => {
  process.env['IMAGE_HEIST_TMUX_SOCKET'] = 'image-heist-workshop';
});
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../src/lab/backend.js';
import { admin1RunsTheSecretImage, admin2RunsTheCachedImage, labKubectl } from './support/story.js';
import { killSessions, paneWith, sendKeys, sleep, startApp } from './support/tmux.js';

afterEach(killSessions);

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'image-heist-workshop-tmux-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function attack(info: LabInfo): Promise<void> {
  await admin1RunsTheSecretImage(info);
  await admin2RunsTheCachedImage(info);
  await labKubectl(info)('admin2', ['wait', '--for=condition=Ready', 'pod/pod2', '--timeout=60s']);
}

const rowOf = (pane: string, attendee: number): string => pane.split('\n').find((l) => l.includes(`attendee-${attendee} `)) ?? '';

describe('workshop board in tmux', () => {
  it('shows progress as attendees work, judged only on what they did after the chapter was revealed', async () => {
    const dir = path.join(root, 'room');
    const { session } = await startApp(['workshop', '--attendees', '2', '--dir', dir, '--time-scale', '10'], { columns: 120, rows: 30 });
    await paneWith(session, (p) => p.includes('workshop ▸ 2 attendees') && p.includes('chapter 1/8'), 120_000);
    const info = async (k: number) => JSON.parse(await readFile(path.join(dir, `attendee-${k}`, 'lab.json'), 'utf8')) as LabInfo;
    const [one, two] = [await info(1), await info(2)];

    // attendee 2 is early: the heist before the chapter is revealed shows as their verdict, not as a tick
    await attack(two);
    await paneWith(session, (p) => rowOf(p, 2).includes('BYPASS'), 30_000);
    await sendKeys(session, 'n');
    await paneWith(session, (p) => p.includes('chapter 2/8'), 10_000);
    await sendKeys(session, 'n');
    await paneWith(session, (p) => p.includes('chapter 3/8') && rowOf(p, 1).includes('☐'), 10_000);

    // attendee 1 does the task now: ticked, with the bypass as the verdict
    await attack(one);
    const done = await paneWith(session, (p) => rowOf(p, 1).includes('☑') && rowOf(p, 1).includes('BYPASS'), 30_000);
    expect(rowOf(done, 2)).toContain('☐');
    await sleep(2_500); // several polls later, still not ticked for what was done before the reveal
    const later = await paneWith(session, (p) => p.includes('chapter 3/8'), 5_000);
    expect(rowOf(later, 2)).toContain('☐');
    expect(rowOf(later, 2)).toContain('BYPASS');
    expect(rowOf(later, 1)).toMatch(/attendee-1 .*☑.*BYPASS.* s ago/);

    // r resets the selected attendee (attendee 1): their pods go, the earned tick stays
    await sendKeys(session, 'r');
    const reset = await paneWith(session, (p) => rowOf(p, 1).includes('☑') && !rowOf(p, 1).includes('BYPASS') && !p.includes('resetting'), 30_000);
    expect(rowOf(reset, 2)).toContain('BYPASS');

    await sendKeys(session, 'q');
    await paneWith(session, (p) => p.includes('image-heist exited 0'), 60_000);
    expect(existsSync(dir)).toBe(false);
  }, 300_000);
});
