// The real binary in a real terminal: `image-heist play classic` in a detached tmux session at 80×24, keys
// sent as a newcomer would press them, the pane captured and the verdicts asserted; after q or Ctrl-C no
// process or listening port of the lab remains.
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN as bin, killSessions, paneWith, sleep, startApp, tmux } from './support/tmux.js';
import { alive } from './support/processes.js';

afterEach(killSessions);

const startPlay = (args: string[]) => startApp(args);

/** TCP ports the process listens on, from the kernel's socket table (ss). */
async function listeningPorts(pid: number): Promise<number[]> {
  const { stdout } = await execa('ss', ['-ltnpH']);
  return stdout
    .split('\n')
    .filter((line) => line.includes(`pid=${pid},`))
    .map((line) => Number(/:(\d+)\s/.exec(line)?.[1]));
}

async function allListening(): Promise<Set<number>> {
  const { stdout } = await execa('ss', ['-ltnH']);
  // State Recv-Q Send-Q Local-Address:Port Peer-Address:Port
  return new Set(stdout.split('\n').map((line) => Number(line.trim().split(/\s+/)[3]?.split(':').at(-1))));
}

async function expectGone(pid: number, ports: number[]): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (alive(pid) && Date.now() < deadline) await sleep(50);
  expect(alive(pid)).toBe(false);
  const listening = await allListening();
  expect(ports.filter((p) => listening.has(p))).toEqual([]);
}

describe('image-heist play in tmux at 80×24', () => {
  it('steps through classic: Admin2 reads the flag on the left and fails on the right; q leaves nothing behind', async () => {
    const { session, pid } = await startPlay(['play', 'classic']);
    // first frame, then both labs ready (their nodes listed)
    await paneWith(session, (p) => p.includes('Steps 0/2'), 60_000);
    await paneWith(session, (p) => (p.match(/▣ image-heist-worker /g) ?? []).length === 2, 30_000);
    const ports = await listeningPorts(pid);
    // two labs, each with an API server and a registry: the check below can fail
    expect(ports.length).toBeGreaterThanOrEqual(4);

    await tmux(['send-keys', '-t', session, 'Enter']);
    await paneWith(session, (p) => p.includes('Steps 1/2') && p.includes('tenant-a/pod1 Running'), 20_000);
    await tmux(['send-keys', '-t', session, 'Space']);
    const pane = await paneWith(session, (p) => p.includes('BYPASSED') && p.includes('BLOCKED'), 20_000);

    const lines = pane.split('\n');
    const left = lines.map((l) => [...l].slice(0, 40).join('')).join('\n');
    const right = lines.map((l) => [...l].slice(40).join('')).join('\n');
    expect(left).toContain('none');
    expect(left).toContain('✘ BYPASSED');
    expect(left.replace(/[│\s]+/g, '')).toMatch(/admin2readtheflag:FLAG\{[0-9a-f]+\}/);
    expect(right).toContain('always-pull-images');
    expect(right).toMatch(/✔ BLOCKED\s+(ErrImagePull|ImagePullBackOff)/);
    expect(right.replace(/[│\s]+/g, ' ')).toMatch(/policy Always → pull access denied/);
    expect(right).not.toContain('FLAG{');

    await tmux(['send-keys', '-t', session, 'q']);
    await paneWith(session, (p) => p.includes('image-heist exited 0'), 15_000);
    await expectGone(pid, ports);
  }, 150_000);

  it('stops every lab on Ctrl-C while they run', async () => {
    const { session, pid } = await startPlay(['play', 'classic', '--profile', 'none,kubelet-default', '-p', 'kubelet-always-verify']);
    await paneWith(session, (p) => (p.match(/▣ image-heist-worker /g) ?? []).length === 3 || (p.match(/▣ image-heist-worker/g) ?? []).length >= 3, 60_000);
    const ports = await listeningPorts(pid);
    expect(ports.length).toBeGreaterThanOrEqual(6);
    await tmux(['send-keys', '-t', session, 'C-c']);
    await paneWith(session, (p) => /image-heist exited \d+/.test(p), 15_000);
    await expectGone(pid, ports);
  }, 150_000);

  it('tutorial refuses to run outside a terminal too', async () => {
    const result = await execa(process.execPath, [bin, 'tutorial'], { reject: false, stdin: 'ignore' });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('tutorial needs an interactive terminal');
    // the chapters read on their own: that is what to do instead
    expect(result.stderr).toContain('docs/tutorial');
  });

  it('refuses to run outside a terminal, in one line pointing to run, exit 2', async () => {
    const result = await execa(process.execPath, [bin, 'play', 'classic'], { reject: false, stdin: 'ignore' });
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toContain('play needs an interactive terminal');
    // the hint names the command as this process was invoked (npx image-heist, npm start --, or node bin/image-heist.js)
    expect(result.stderr).toMatch(/`(npx image-heist|npm start --|image-heist|node \S*image-heist\.js) run`/);
  });
});
