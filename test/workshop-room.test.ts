// The room in-process: --listen binds another address and the certificate names it (kubectl verifies TLS against
// it); a profile switch starts every lab again under the new profile, with new files; a stopped room leaves nothing.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../src/lab/backend.js';
import { startRoom } from '../src/workshop/room.js';
import { portClosed } from './support/ports.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'image-heist-workshop-room-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const labJson = async (dir: string, k: number) => JSON.parse(await readFile(path.join(dir, `attendee-${k}`, 'lab.json'), 'utf8')) as LabInfo;

describe('workshop room', () => {
  it('--listen 127.0.0.2: the API server binds it, its certificate names it, kubectl verifies it', async () => {
    const dir = path.join(root, 'listen');
    const room = await startRoom({ attendees: 1, profile: 'none', dir, listen: '127.0.0.2', timeScale: 10 });
    try {
      const info = await labJson(dir, 1);
      expect(info.apiServer).toMatch(/^https:\/\/127\.0\.0\.2:\d+$/);
      const port = Number(new URL(info.apiServer).port);
      expect(await portClosed(port)).toBe(true); // nothing on 127.0.0.1:port: only the named address
      const result = await execa('kubectl', ['--kubeconfig', info.kubeconfig, '--context', 'admin1', 'get', 'pods'], { reject: false });
      expect(result.stderr).not.toMatch(/certificate|x509/);
      expect(result.exitCode).toBe(0);
      expect(await readFile(path.join(dir, 'attendee-1', 'handout.md'), 'utf8')).toContain('Copy `');
    } finally {
      await room.stop();
    }
    expect(existsSync(dir)).toBe(false);
  }, 120_000);

  it('a profile switch starts every lab again under the new profile, with new kubeconfigs; --keep keeps the files', async () => {
    const dir = path.join(root, 'switch');
    const room = await startRoom({ attendees: 2, profile: 'none', dir, keep: true, timeScale: 10 });
    let after: LabInfo[];
    try {
      const before = [await labJson(dir, 1), await labJson(dir, 2)];
      await room.switchProfile('always-pull-images');
      after = [await labJson(dir, 1), await labJson(dir, 2)];
      expect(room.profile).toBe('always-pull-images');
      for (const [i, info] of after.entries()) {
        expect(info.profile).toBe('always-pull-images');
        expect(info.apiServer).not.toBe(before[i]!.apiServer);
        expect(await portClosed(Number(new URL(before[i]!.apiServer).port))).toBe(true);
        // the new lab answers with the new kubeconfig at the same path
        expect((await execa('kubectl', ['--kubeconfig', info.kubeconfig, '--context', 'admin2', 'get', 'pods'], { reject: false })).exitCode).toBe(0);
      }
    } finally {
      await room.stop();
    }
    for (const info of after) expect(await portClosed(Number(new URL(info.apiServer).port))).toBe(true);
    expect(existsSync(path.join(dir, 'attendee-1', 'lab.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'attendee-2', 'handout.md'))).toBe(true);
  }, 180_000);
});
