import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { BoardState } from '../workshop/monitor.js';
import { WorkshopBoard, type BoardActions } from './WorkshopBoard.js';

const state: BoardState = {
  profile: 'none',
  chapters: [
    { id: '01-intro', title: '1. Intro' },
    { id: '03-the-attack', title: '3. The attack', taskProfile: 'none' },
    { id: '04-always-pull-images', title: '4. AlwaysPullImages', taskProfile: 'always-pull-images' },
  ],
  revealed: 2,
  attendees: [
    {
      attendee: 1,
      apiServer: 'https://127.0.0.1:1001',
      done: { '03-the-attack': 'tenant-b/pod2 printed FLAG{x}' },
      verdict: { kind: 'bypass', evidence: 'x' },
      lastActivity: 1_000_000 - 4_000,
    },
    { attendee: 2, apiServer: 'https://127.0.0.1:1002', done: {}, verdict: { kind: 'not-started' }, error: 'connect ECONNREFUSED' },
  ],
};

async function frameWith(app: ReturnType<typeof render>, test: (f: string) => boolean): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const frame = app.lastFrame() ?? '';
    if (test(frame)) return frame;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`frame never matched:\n${app.lastFrame()}`);
}

describe('WorkshopBoard', () => {
  it('shows each attendee: ticks, verdict, last activity, error; the keys act on the selected one', async () => {
    const calls: string[] = [];
    const actions: BoardActions = {
      reset: (a) => calls.push(`reset ${a}`),
      switchProfile: (p) => calls.push(`profile ${p}`),
      reveal: () => calls.push('reveal'),
      quit: () => calls.push('quit'),
    };
    const app = render(<WorkshopBoard initial={state} subscribe={() => () => {}} actions={actions} color={false} now={() => 1_000_000} />);
    const frame = await frameWith(app, (f) => f.includes('attendee-2'));
    expect(frame).toContain('workshop ▸ 2 attendees · profile none');
    expect(frame).toContain('chapter 2/3: 3. The attack');
    expect(frame).toMatch(/▸ attendee-1 +☑ +BYPASS +4 s ago +https:\/\/127\.0\.0\.1:1001/);
    expect(frame).toMatch(/attendee-2 +☐ +— +— +error: connect ECONNREFUSED/);
    app.stdin.write('j');
    await frameWith(app, (f) => /▸ attendee-2/.test(f));
    app.stdin.write('r');
    app.stdin.write('p');
    await frameWith(app, (f) => f.includes('⏎ switches to always-pull-images'));
    app.stdin.write('\r');
    app.stdin.write('n');
    app.stdin.write('q');
    for (let i = 0; i < 100 && calls.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    expect(calls).toEqual(['reset 2', 'profile always-pull-images', 'reveal', 'quit']);
    app.unmount();
  });
});
