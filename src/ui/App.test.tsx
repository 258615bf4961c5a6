// The app as a room uses it, on the real embedded backend: keys in, frames asserted.
import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { embeddedBackend } from '../embedded/lab.js';
import { loadBuiltInCatalogue } from '../scenario/catalogue.js';
import { App } from './App.js';
import { LabSessions } from './lab-sessions.js';

const scenarios = await loadBuiltInCatalogue();
const classic = scenarios.find((s) => s.metadata.name === 'classic')!;
const size = { columns: 80, rows: 24 };
const controllers: LabSessions[] = [];
afterEach(async () => {
  await Promise.all(controllers.splice(0).map((c) => c.stop()));
});

function start(initial?: typeof classic) {
  const controller = new LabSessions({ backend: embeddedBackend, profiles: ['none', 'always-pull-images'], autoPauseMs: 50 });
  controllers.push(controller);
  controller.start();
  let quits = 0;
  if (initial) void controller.choose(initial);
  const app = render(<App controller={controller} scenarios={scenarios} initialScenario={initial} onQuit={() => quits++} size={size} color={false} />);
  return { controller, app, quits: () => quits };
}

/** Polls the last frame until it matches, for at most `ms`; the failure message shows the frame. */
async function frameWith(app: ReturnType<typeof render>, test: (frame: string) => boolean, ms = 10_000): Promise<string> {
  const deadline = Date.now() + ms;
  for (;;) {
    const frame = app.lastFrame() ?? '';
    if (test(frame)) return frame;
    if (Date.now() > deadline) throw new Error(`frame never matched within ${ms} ms:\n${frame}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
const press = (app: ReturnType<typeof render>, key: string) => app.stdin.write(key);
const DOWN = '\u001b[B';

describe('App', () => {
  it('picks classic, steps through it, and shows BYPASSED beside BLOCKED with the evidence', async () => {
    const { app, controller } = start();
    await frameWith(app, (f) => f.includes('Pick a scenario'));
    const index = scenarios.indexOf(classic);
    for (let i = 0; i < index; i++) press(app, DOWN);
    await frameWith(app, (f) => f.includes('▶ classic'));
    await frameWith(app, (f) => (f.match(/✔ (none|always-pull-images)/g) ?? []).length === 2);
    press(app, '\r');
    await frameWith(app, (f) => f.includes('Steps 0/2') && f.includes('Admin1 creates Pod1'));
    press(app, '\r');
    await frameWith(app, (f) => f.includes('Steps 1/2') && f.includes('tenant-a/pod1 Running'));
    press(app, ' ');
    const frame = await frameWith(app, (f) => f.includes('BYPASSED') && f.includes('BLOCKED'));
    const lines = frame.split('\n');
    expect(lines.length).toBeLessThanOrEqual(23);
    // the left panel leaked the flag, the right one did not: the columns are the two clusters
    const left = lines.map((l) => l.slice(0, 40)).join('\n');
    const right = lines.map((l) => l.slice(40)).join('\n');
    expect(left).toContain('none');
    expect(left).toContain('BYPASSED');
    expect(left.replace(/[│\s]+/g, '')).toContain(controller.lab('none')!.info.flag);
    expect(right).toContain('always-pull-images');
    expect(right).toMatch(/BLOCKED\s+(ErrImagePull|ImagePullBackOff)/);
    expect(right.replace(/[│\s]+/g, ' ')).toContain('policy Always');
    expect(right).not.toContain('FLAG{');
    // the registry password never reaches the screen
    expect(frame).not.toContain(controller.lab('none')!.info.registry.password);
  });

  it('shows the kubectl equivalent, help, and resets to before the first step', async () => {
    const { app, controller } = start();
    await controller.ready();
    await frameWith(app, (f) => f.includes('Pick a scenario'));
    for (let i = 0; i < scenarios.indexOf(classic); i++) press(app, DOWN);
    await frameWith(app, (f) => f.includes('▶ classic'));
    press(app, '\r');
    await frameWith(app, (f) => f.includes('Steps 0/2'));
    press(app, 'k');
    // each lab's commands name its own kubeconfig, so they run as printed against the lab on screen
    const flat = (f: string) => f.replace(/\\\n\s*/g, '').replace(/\s+/g, ' ');
    const commands = await frameWith(app, (f) => flat(f).includes("--context admin1 -n tenant-a apply -f - <<'EOF'"));
    expect(flat(commands)).toContain(`kubectl --kubeconfig ${controller.lab('none')!.info.kubeconfig} --context admin1`);
    expect(commands).toContain('# the none lab');
    press(app, 'k');
    press(app, 'm');
    await frameWith(app, (f) => f.includes('imagePullPolicy: IfNotPresent') && f.includes('image: 127.0.0.1:'));
    press(app, '?');
    await frameWith(app, (f) => f.includes('Keys (? to close)'));
    press(app, '?');
    press(app, '\r');
    await frameWith(app, (f) => f.includes('Steps 1/2'));
    press(app, 'r');
    const frame = await frameWith(app, (f) => f.includes('Steps 0/2'));
    expect(frame).not.toContain('tenant-a/pod1');
  });

  it('auto-plays to the verdicts and stops by itself', async () => {
    const { app, controller } = start(classic);
    await frameWith(app, (f) => f.includes('Steps 0/2'));
    press(app, 'a');
    await frameWith(app, (f) => f.includes('BYPASSED') && f.includes('BLOCKED'), 15_000);
    expect(controller.getState().auto).toBe(false);
  });

  it('asks its caller to quit on q', async () => {
    const { app, quits } = start();
    await frameWith(app, (f) => f.includes('Pick a scenario'));
    press(app, 'q');
    await frameWith(app, () => quits() === 1);
    expect(quits()).toBe(1);
  });
});
