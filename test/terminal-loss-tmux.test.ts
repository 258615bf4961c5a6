// A terminal that goes away under a running app: `tmux kill-session` (SIGHUP, then the pane's tty is gone: EIO
// on the next frame) and a plain `kill -TERM`. `play` must stop its labs, remove DIR/<profile>/ files and exit
// within seconds; the tutorial (no lab of its own) must exit too. Its own tmux server, named after the branch.
import { readFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LabInfo } from '../src/lab/backend.js';
import { BIN } from './support/tmux.js';

const SOCKET = `image-heist-node-tutorial-${process.pid}`;
const tmux = (args: string[]) => execa('tmux', ['-L', SOCKET, ...args], { reject: false });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'image-heist-terminal-loss-'));
});
afterEach(async () => {
  await tmux(['kill-server']);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Gone, or a zombie nobody reaped yet (its parent shell died with the pane): either way it runs nothing. */
function exited(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

async function waitFor(what: string, test: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms`);
    await sleep(100);
  }
}

/** `image-heist ARGS` in a fresh session; the pid of the node process. */
async function start(name: string, args: string[]): Promise<number> {
  const command = `env -u CI -u CONTINUOUS_INTEGRATION TERM=xterm-256color ${process.execPath} ${BIN} ${args.join(' ')}; sleep 60`;
  await tmux(['new-session', '-d', '-s', name, '-x', '160', '-y', '45', command]);
  const shell = Number((await tmux(['list-panes', '-t', name, '-F', '#{pane_pid}'])).stdout);
  let pid = 0;
  await waitFor(
    'the app started',
    async () => {
      pid = Number((await execa('pgrep', ['-P', String(shell), '-f', 'image-heist'], { reject: false })).stdout.split('\n')[0] || 0);
      return pid > 0;
    },
    10_000,
  );
  return pid;
}

async function listening(): Promise<Set<number>> {
  const { stdout } = await execa('ss', ['-ltnH']);
  return new Set(stdout.split('\n').map((line) => Number(line.trim().split(/\s+/)[3]?.split(':').at(-1))));
}

/** play with two labs, both ready (lab.json written); their ports. */
async function startPlay(name: string, dir: string): Promise<{ pid: number; ports: number[] }> {
  const pid = await start(name, ['play', 'classic', '--dir', dir]);
  const files = ['none', 'always-pull-images'].map((p) => path.join(dir, p, 'lab.json'));
  await waitFor('both labs wrote lab.json', () => files.every((f) => existsSync(f)), 120_000);
  const infos = await Promise.all(files.map(async (f) => JSON.parse(await readFile(f, 'utf8')) as LabInfo));
  const ports = infos.flatMap((i) => [Number(new URL(i.apiServer).port), Number(i.registry.host.split(':')[1])]);
  const open = await listening();
  // the check below can fail: the labs' servers listen now
  expect(ports.filter((p) => open.has(p))).toEqual(ports);
  expect(infos.every((i) => i.auditLog && existsSync(i.auditLog))).toBe(true);
  return { pid, ports };
}

async function expectNothingLeft(pid: number, ports: number[], dir: string): Promise<void> {
  await waitFor('the process exited', () => exited(pid), 20_000);
  const open = await listening();
  expect(ports.filter((p) => open.has(p))).toEqual([]);
  // play made DIR and its profile folders: all gone, with lab.json, kubeconfig and audit.log
  expect(existsSync(dir) ? await readdir(dir, { recursive: true }) : []).toEqual([]);
}

describe('the terminal goes away under a running app', () => {
  it('play: tmux kill-session stops both labs, removes their files and ends the process', async () => {
    const dir = path.join(root, 'killed-session');
    const { pid, ports } = await startPlay('node-tutorial-play-hup', dir);
    await tmux(['kill-session', '-t', 'node-tutorial-play-hup']);
    await expectNothingLeft(pid, ports, dir);
  }, 200_000);

  it('play: kill -TERM does the same while the terminal stays', async () => {
    const dir = path.join(root, 'sigterm');
    const { pid, ports } = await startPlay('node-tutorial-play-term', dir);
    process.kill(pid, 'SIGTERM');
    await expectNothingLeft(pid, ports, dir);
  }, 200_000);

  it('tutorial: tmux kill-session ends it', async () => {
    const pid = await start('node-tutorial-tutorial', ['tutorial', '--dir', path.join(root, 'no-lab')]);
    await waitFor('the tutorial drew', async () => (await tmux(['capture-pane', '-p', '-t', 'node-tutorial-tutorial'])).stdout.includes('tutorial ▸'), 60_000);
    await tmux(['kill-session', '-t', 'node-tutorial-tutorial']);
    await waitFor('the tutorial exited', () => exited(pid), 20_000);
  }, 120_000);
});
