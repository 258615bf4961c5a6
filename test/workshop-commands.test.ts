// `workshop --json` driven headless, as a script or another program would: instructor commands as JSON lines on
// the real process's stdin, each answered by one JSON event on stdout; bad lines are answered with an error event
// and the room runs on; {"stop":true} stops it as Ctrl-C does.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../src/lab/backend.js';
import type { WorkshopEvent } from '../src/workshop/monitor.js';
import { portClosed } from './support/ports.js';
import { BIN } from './support/tmux.js';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'image-heist-workshop-commands-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('workshop --json instructor commands', () => {
  it('answers each command line with its event, refuses bad lines with an error event, and stops on {"stop":true}', async () => {
    const dir = path.join(root, 'room');
    const child = execa(process.execPath, [BIN, 'workshop', '--attendees', '2', '--dir', dir, '--json', '--time-scale', '10'], { buffer: false, reject: false });
    const events: WorkshopEvent[] = [];
    let pending = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) events.push(JSON.parse(line) as WorkshopEvent);
    });
    const waitFor = async (test: () => boolean, what: string) => {
      for (const deadline = Date.now() + 60_000; !test();) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no ${what}; events: ${JSON.stringify(events).slice(-1500)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const count = (name: WorkshopEvent['event']) => events.filter((e) => e.event === name).length;
    const send = (line: string) => child.stdin!.write(`${line}\n`);
    try {
      await waitFor(() => count('ready') === 2 && count('chapter') === 1, 'room ready');

      send('{"reveal":"next"}');
      await waitFor(() => count('chapter') === 2, 'second chapter');
      expect(events.at(-1)).toMatchObject({ event: 'chapter', index: 2 });

      // bad lines, one error event each, the line named; the room runs on
      const bad = ['not json', '[1]', '{"reset":9}', '{"reset":"1"}', '{"profile":"nope"}', '{"reveal":"all"}', '{"reset":1,"stop":true}', '{"profile":"none"}', 'x'.repeat(5000)];
      for (const line of bad) send(line);
      await waitFor(() => count('error') === bad.length, 'an error per bad line');
      const errors = events.filter((e): e is Extract<WorkshopEvent, { event: 'error' }> => e.event === 'error');
      expect(errors.map((e) => e.command?.slice(0, 30))).toEqual(bad.map((line) => line.slice(0, 30)));
      expect(errors[2]!.message).toBe('"reset" takes an attendee from 1 to 2');
      expect(errors[7]!.message).toBe('the room already runs none');
      expect(errors[8]!.message).toContain('longer than');

      // attendee 1 makes a pod; the reset removes it
      const info = JSON.parse(await readFile(path.join(dir, 'attendee-1', 'lab.json'), 'utf8')) as LabInfo;
      const kubectl = (args: string[]) => execa('kubectl', ['--kubeconfig', info.kubeconfig, '--context', 'admin1', ...args]);
      await kubectl(['run', 'mess', `--image=${info.images.public}`]);
      send('{"reset":1}');
      await waitFor(() => count('reset') === 1, 'reset');
      expect(events.find((e) => e.event === 'reset')).toMatchObject({ attendee: 1 });
      expect((await kubectl(['get', 'pods', '-o', 'name'])).stdout).toBe('');

      send('{"profile":"always-pull-images"}');
      await waitFor(() => events.some((e) => e.event === 'profile' && e.profile === 'always-pull-images') && count('ready') === 4, 'profile switch');
      const after = JSON.parse(await readFile(path.join(dir, 'attendee-2', 'lab.json'), 'utf8')) as LabInfo;
      expect(after.profile).toBe('always-pull-images');

      send('{"stop":true}');
      await waitFor(() => child.exitCode !== null, 'exit');
      expect(child.exitCode).toBe(0);
      expect(events.slice(-2).map((e) => e.event)).toEqual(['stopping', 'stopped']);
      expect(await portClosed(Number(new URL(after.apiServer).port))).toBe(true);
      expect(existsSync(dir)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  }, 120_000);
});
