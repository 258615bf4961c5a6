// A Docker engine for the live kind suite where none runs (test infrastructure, not product): Debian's
// docker.io, dockerd on a private socket, data-root and exec-root, the capability-dropping runtime only where
// the host withholds capabilities, inotify limits raised for several clusters. Everything it changes on the host
// is recorded before it changes it, so `down` puts back exactly that and touches nothing it did not start.
import { existsSync, openSync, closeSync } from 'node:fs';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { execa } from 'execa';
import { capDropWrapper, withheldCapabilities } from './capabilities.js';
import { cleanupCommands, parseRules, TABLES, type IptablesSnapshot } from './iptables.js';
import { alive } from '../../support/processes.js';

export const stateDir = '/var/lib/image-heist-kind-host';
export const runDir = '/run/image-heist-kind-host';
export const socketPath = path.join(runDir, 'docker.sock');
export const dockerHost = `unix://${socketPath}`;
const statePath = path.join(runDir, 'state.json');
const wrapperPath = path.join(stateDir, 'cap-drop-runc');
const logPath = path.join(stateDir, 'dockerd.log');
const RUNTIME_NAME = 'image-heist-cap-drop';

/**
 * Kernel settings the clusters need, at least: every kubelet and containerd takes inotify instances (at 128,
 * worker kubelets crash-loop with `inotify_init: too many open files`; 512 held four 2-node clusters).
 */
export const sysctlMinimums: Record<string, number> = {
  'fs/inotify/max_user_instances': 1024,
  'fs/inotify/max_user_watches': 524288,
};
/** Settings dockerd itself changes (it turns on forwarding); put back as they were. */
const sysctlsDockerdChanges = ['net/ipv4/ip_forward', 'net/bridge/bridge-nf-call-iptables', 'net/bridge/bridge-nf-call-ip6tables'];

export interface HostState {
  pid: number;
  socket: string;
  startedAt: string;
  startSeconds: number;
  /** Capabilities the runtime wrapper removes; empty when dockerd runs plain runc. */
  droppedCapabilities: string[];
  /** Kernel settings (under /proc/sys) as they were before up, for those that existed. */
  sysctls: Record<string, string>;
  /** docker0 did not exist before up: down removes it. */
  createdDocker0: boolean;
  iptables: IptablesSnapshot;
  installedDockerIo: boolean;
}

/** The host cannot run a Docker engine at all (the only reason the live stage may skip). */
export class EngineImpossible extends Error {}

const readSysctl = async (key: string) => (existsSync(`/proc/sys/${key}`) ? (await readFile(`/proc/sys/${key}`, 'utf8')).trim() : undefined);
const writeSysctl = (key: string, value: string) => writeFile(`/proc/sys/${key}`, `${value}\n`);

export async function readState(): Promise<HostState | undefined> {
  if (!existsSync(statePath)) return undefined;
  return JSON.parse(await readFile(statePath, 'utf8')) as HostState;
}

/** The dockerd with this pid is ours: its command line names our socket. */
async function isOurDockerd(pid: number): Promise<boolean> {
  if (!alive(pid)) return false;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  return cmdline.split('\0').some((a) => a.includes(socketPath));
}

export async function engineAnswers(host: string, timeoutMs = 5000): Promise<boolean> {
  const r = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { env: { DOCKER_HOST: host }, reject: false, timeout: timeoutMs, stdin: 'ignore' });
  return r.exitCode === 0 && r.stdout.trim() !== '';
}

/** dockerd processes on this machine that are not ours (another engine: we do not start a second one beside it). */
async function foreignDockerds(ours?: number): Promise<number[]> {
  const r = await execa('pgrep', ['-x', 'dockerd'], { reject: false });
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map(Number)
    .filter((p) => p !== ours);
}

async function iptablesSnapshot(): Promise<IptablesSnapshot> {
  const snap: IptablesSnapshot = { chains: {}, policies: {} };
  for (const t of TABLES) {
    const r = await execa('iptables', ['-t', t, '-S'], { reject: false });
    const parsed = parseRules(r.stdout);
    snap.chains[t] = parsed.chains;
    snap.policies[t] = parsed.policies;
  }
  return snap;
}

async function linkExists(name: string): Promise<boolean> {
  return (await execa('ip', ['link', 'show', name], { reject: false })).exitCode === 0;
}

async function ensureDockerIo(log: (l: string) => void): Promise<boolean> {
  if ((await execa('dockerd', ['--version'], { reject: false })).exitCode === 0) return false;
  log('installing Debian docker.io (apt-get) …');
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await execa('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'update', '-qq'], { env, reject: false });
  const r = await execa('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-qq', '--no-install-recommends', 'docker.io'], { env, reject: false, all: true });
  if (r.exitCode !== 0) throw new EngineImpossible(`apt-get install docker.io failed: ${r.all?.split('\n').slice(-5).join(' ')}`);
  // Debian's package may start the system service where systemd runs; that engine is not ours to use
  return true;
}

export interface UpResult {
  state: HostState;
  alreadyRunning: boolean;
}

export async function up(log: (l: string) => void = console.log): Promise<UpResult> {
  const existing = await readState();
  if (existing && (await isOurDockerd(existing.pid)) && (await engineAnswers(dockerHost))) return { state: existing, alreadyRunning: true };
  if (existing) {
    log('a previous kind:host engine is gone; cleaning up after it first');
    await down(log);
  }
  if (process.getuid?.() !== 0) throw new EngineImpossible('starting dockerd needs root');
  const installedDockerIo = await ensureDockerIo(log);
  const others = await foreignDockerds();
  if (others.length > 0) {
    throw new Error(`another Docker engine runs here (dockerd pid ${others.join(', ')}); point DOCKER_HOST at it instead of starting a second one beside it`);
  }
  await mkdir(stateDir, { recursive: true });
  await mkdir(runDir, { recursive: true });

  const lastCap = Number(await readFile('/proc/sys/kernel/cap_last_cap', 'utf8'));
  const withheld = withheldCapabilities(await readFile('/proc/self/status', 'utf8'), lastCap);
  const sysctls: Record<string, string> = {};
  for (const key of [...Object.keys(sysctlMinimums), ...sysctlsDockerdChanges]) {
    const v = await readSysctl(key);
    if (v !== undefined) sysctls[key] = v;
  }
  const state: HostState = {
    pid: 0,
    socket: socketPath,
    startedAt: new Date().toISOString(),
    startSeconds: 0,
    droppedCapabilities: withheld,
    sysctls,
    createdDocker0: !(await linkExists('docker0')),
    iptables: await iptablesSnapshot(),
    installedDockerIo,
  };
  // recorded before anything changes, so a failed start is undone by down
  await writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`);

  for (const [key, min] of Object.entries(sysctlMinimums)) {
    if (Number(sysctls[key] ?? 0) < min) {
      await writeSysctl(key, String(min));
      log(`raised ${key.replaceAll('/', '.')} from ${sysctls[key]} to ${min}`);
    }
  }
  const args = ['-H', dockerHost, '--data-root', path.join(stateDir, 'docker'), '--exec-root', path.join(runDir, 'exec'), '--pidfile', path.join(runDir, 'dockerd.pid')];
  if (withheld.length > 0) {
    const runc = (await execa('sh', ['-c', 'command -v runc'], { reject: false })).stdout.trim();
    if (!runc) throw new EngineImpossible('runc is not installed (it comes with docker.io)');
    await writeFile(wrapperPath, capDropWrapper({ runc, node: process.execPath, drop: withheld }));
    await chmod(wrapperPath, 0o755);
    args.push('--add-runtime', `${RUNTIME_NAME}=${wrapperPath}`, '--default-runtime', RUNTIME_NAME);
    log(`this host withholds ${withheld.join(', ')}: containers run through ${wrapperPath}, which removes it before runc`);
  }
  const started = Date.now();
  const out = openSync(logPath, 'a');
  const child = spawn('dockerd', args, { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  child.unref();
  state.pid = child.pid ?? 0;
  await writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`);
  const deadline = Date.now() + 90_000;
  while (!(await engineAnswers(dockerHost, 3000))) {
    if (!alive(state.pid) || Date.now() > deadline) {
      const tail = (await readFile(logPath, 'utf8').catch(() => '')).trim().split('\n').slice(-8).join('\n');
      await down(() => undefined);
      throw new EngineImpossible(`dockerd ${alive(state.pid) ? 'did not answer within 90 s' : 'exited'}; its log (${logPath}) ends:\n${tail}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  state.startSeconds = Math.round((Date.now() - started) / 100) / 10;
  await writeFile(statePath, `${JSON.stringify(state, null, 2)}\n`);
  return { state, alreadyRunning: false };
}

/** Containers and networks in our engine: down removes them so nothing of the lab outlives the engine. */
async function emptyEngine(log: (l: string) => void): Promise<void> {
  const docker = (...a: string[]) => execa('docker', a, { env: { DOCKER_HOST: dockerHost }, reject: false, timeout: 120_000, stdin: 'ignore' });
  const ids = (await docker('ps', '-aq')).stdout.split('\n').filter(Boolean);
  if (ids.length > 0) {
    log(`removing ${ids.length} container(s) left in the engine`);
    await docker('rm', '-f', '-v', ...ids);
  }
  await docker('network', 'prune', '-f');
}

export async function down(log: (l: string) => void = console.log, options: { purge?: boolean } = {}): Promise<boolean> {
  const state = await readState();
  if (!state) {
    log('kind:host has nothing running (no engine started by it)');
    if (options.purge) await rm(stateDir, { recursive: true, force: true });
    return false;
  }
  if (state.pid && (await isOurDockerd(state.pid))) {
    if (await engineAnswers(dockerHost)) await emptyEngine(log);
    process.kill(state.pid, 'SIGTERM');
    const deadline = Date.now() + 60_000;
    while (alive(state.pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
    log(`stopped dockerd (pid ${state.pid})`);
  }
  // the bridges our engine made: docker0 if it was not there before, and any br-* its networks left
  const bridges = state.createdDocker0 ? ['docker0'] : [];
  for (const t of TABLES) {
    const now = (await execa('iptables', ['-t', t, '-S'], { reject: false })).stdout;
    for (const cmd of cleanupCommands(t, now, state.iptables, bridges)) {
      await execa('bash', ['-c', `iptables -t ${t} ${cmd}`], { reject: false });
    }
  }
  if (state.createdDocker0 && (await linkExists('docker0'))) await execa('ip', ['link', 'del', 'docker0'], { reject: false });
  for (const [key, value] of Object.entries(state.sysctls)) {
    if ((await readSysctl(key)) !== value) await writeSysctl(key, value).catch(() => log(`could not put ${key} back to ${value}`));
  }
  await rm(path.join(runDir, 'exec'), { recursive: true, force: true });
  await rm(statePath, { force: true });
  await rm(wrapperPath, { force: true });
  await rm(runDir, { recursive: true, force: true });
  if (options.purge) await rm(stateDir, { recursive: true, force: true });
  log('host settings restored (iptables, docker0, sysctls)');
  return true;
}

export interface Status {
  running: boolean;
  state?: HostState;
}

export async function status(): Promise<Status> {
  const state = await readState();
  if (!state) return { running: false };
  return { running: (await isOurDockerd(state.pid)) && (await engineAnswers(dockerHost)), state };
}
