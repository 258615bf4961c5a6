// `image-heist up`: the embedded lab in the foreground. Writes DIR/kubeconfig, then (last) DIR/lab.json,
// prints what to type next, and runs until SIGINT or SIGTERM; then stops everything and removes the two
// files it wrote (nothing else). The lab.json contract is docs/lab-json.md.
import { connect } from 'node:net';
import { mkdir, readFile, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { Lab, LabBackend, LabInfo } from '../lab/backend.js';
import { isProfileName, PROFILE_NAMES, type ProfileName } from '../lab/profiles.js';
import { listenForShutdown } from '../lab/shutdown.js';
import { LabClockError } from './clock.js';
import { MAX_NODES, createEmbeddedBackend } from './lab.js';
import { fileIdentity, lockLabDir, removeOwnFile, writePrivateFile, type LabDirLock, type WrittenFile } from './lab-dir.js';
import { labStoryText } from '../report/lab-story.js';

import { DEFAULT_LAB_DIR, DEFAULT_UP_TIME_SCALE } from './up-defaults.js';

export { DEFAULT_LAB_DIR, DEFAULT_UP_TIME_SCALE };

export interface UpOptions {
  profile: string;
  nodes?: string | number;
  dir?: string;
  timeScale?: string | number;
  /** Where progress and instructions go (stdout). */
  out?: (text: string) => void;
  /** Stops the lab when aborted (tests); SIGINT and SIGTERM always do. */
  signal?: AbortSignal;
  /** Called once lab.json is written. */
  onReady?: (lab: Lab) => void;
  /** The backend whose lab runs (`up --backend kind`); the embedded lab at --time-scale by default. */
  backend?: LabBackend;
}

/** The lab.json document: exactly these keys, in this order (docs/lab-json.md). */
export function labJson(info: LabInfo): LabInfo {
  return {
    profile: info.profile,
    apiServer: info.apiServer,
    kubeconfig: info.kubeconfig,
    registry: { host: info.registry.host, username: info.registry.username, password: info.registry.password },
    tenants: { admin1: { namespace: info.tenants.admin1.namespace, pullSecret: info.tenants.admin1.pullSecret }, admin2: { namespace: info.tenants.admin2.namespace } },
    images: { secret: info.images.secret, public: info.images.public },
    flag: info.flag,
    nodes: [...info.nodes],
    ...(info.auditLog ? { auditLog: info.auditLog } : {}),
  };
}

export function parseUpOptions(options: Pick<UpOptions, 'profile' | 'nodes' | 'dir' | 'timeScale'>): { profile: ProfileName; nodes: number; dir: string; timeScale: number } {
  if (!isProfileName(options.profile)) {
    throw new UserError(`unknown profile "${options.profile}"; valid profiles: ${PROFILE_NAMES.join(', ')}`, 'pass one of them with --profile');
  }
  const nodes = options.nodes === undefined ? 2 : Number(options.nodes);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > MAX_NODES) {
    throw new UserError(`--nodes must be a whole number from 1 to ${MAX_NODES}, got "${String(options.nodes)}"`, 'for example --nodes 2');
  }
  const timeScale = options.timeScale === undefined ? DEFAULT_UP_TIME_SCALE : Number(options.timeScale);
  if (!Number.isFinite(timeScale) || timeScale <= 0) {
    throw new UserError(`--time-scale must be a number greater than 0, got "${String(options.timeScale)}"`, 'for example --time-scale 10');
  }
  return { profile: options.profile, nodes, dir: path.resolve(options.dir ?? DEFAULT_LAB_DIR), timeScale };
}

/** Whether something still answers on the API server a lab.json names (a lab still running there). */
async function labStillRunning(labJsonPath: string): Promise<string | undefined> {
  let url: URL;
  try {
    url = new URL((JSON.parse(await readFile(labJsonPath, 'utf8')) as { apiServer?: string }).apiServer ?? '');
  } catch {
    return undefined;
  }
  if (url.hostname !== '127.0.0.1') return undefined;
  const alive = await new Promise<boolean>((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: Number(url.port) });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
  return alive ? url.toString() : undefined;
}

/** What to type next: the story with kubectl, as Admin1 and then Admin2 (src/report/lab-story.ts). */
export function nextStepsText(info: LabInfo, dir: string): string {
  return labStoryText(info, dir, Math.min(100, process.stdout.columns || 80));
}

/** Runs the lab until SIGINT/SIGTERM (or `signal`); resolves once everything is stopped. */
export async function runUp(options: UpOptions): Promise<void> {
  const out = options.out ?? ((text: string) => process.stdout.write(text));
  const { profile, nodes, dir, timeScale } = parseUpOptions(options);
  const labJsonPath = path.join(dir, 'lab.json');
  const running = await labStillRunning(labJsonPath);
  if (running) {
    throw new UserError(`${labJsonPath} belongs to a lab that is still running at ${running}`, 'stop that lab first (Ctrl-C in its terminal) or pass another --dir');
  }

  let createdDir: string | undefined;
  try {
    createdDir = await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw new UserError(`cannot create the lab folder ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'pass a writable folder with --dir');
  }
  // One `up` per folder, even two started at the same instant (the loser exits 2 and touches nothing).
  let lock: LabDirLock;
  try {
    lock = await lockLabDir(dir);
  } catch (error) {
    if (createdDir !== undefined) await rmdir(dir).catch(() => undefined);
    throw error;
  }
  const stop = listenForShutdown({ ...(options.signal ? { also: options.signal } : {}) });

  let lab: Lab | undefined;
  const backend = options.backend ?? createEmbeddedBackend({ timeScale });
  const written: WrittenFile[] = [];
  try {
    try {
      lab = await backend.start({
        profile,
        nodes,
        dir,
        signal: stop.signal,
        onProgress: (p) => {
          if (p.status === 'done') out(` ✓ ${p.action}\n`);
        },
      });
    } catch (error) {
      if (stop.signal.aborted) return; // Ctrl-C while starting: everything started is already stopped
      if (error instanceof LabClockError || error instanceof RangeError) throw new UserError(error.message);
      throw error;
    }
    const kubeconfig = await fileIdentity(lab.info.kubeconfig);
    if (kubeconfig) written.push(kubeconfig);
    if (!stop.signal.aborted) {
      // lab.json last: whoever waits for it finds a lab that is ready
      written.push(await writePrivateFile(labJsonPath, `${JSON.stringify(labJson(lab.info), null, 2)}\n`));
      out(nextStepsText(lab.info, dir));
      options.onReady?.(lab);
      // a kind lab holds no socket in this process: a timer keeps Node waiting for the signal (else it exits 13, lab left up)
      const keepAlive = setInterval(() => {}, 60_000);
      await new Promise<void>((resolve) => {
        if (stop.signal.aborted) resolve();
        else stop.signal.addEventListener('abort', () => resolve(), { once: true });
      }).finally(() => clearInterval(keepAlive));
      out('Stopping the lab…\n');
    }
  } finally {
    await lab?.stop();
    await backend.shutdown();
    stop.dispose();
    for (const file of written) await removeOwnFile(file);
    await lock.release();
    if (createdDir !== undefined) await rmdir(dir).catch(() => undefined); // only if we made it and it is empty
  }
}
