// What the live kind suite and `npm run bench -- kind` need before a cluster: a Docker engine (the one
// DOCKER_HOST names, else kind:host's own), the offline node, registry and busybox images in it (built when the
// cache lacks them), and kind v0.32.0 on PATH. Each step says what it does; a host that cannot run an engine at
// all is the only reason to skip.
import path from 'node:path';
import { buildKindImages } from '../../fidelity/kind-node/build.js';
import { engineImageId } from '../../fidelity/kind-node/images.js';
import { readKindImagesManifest, type KindImagesManifest } from '../../fidelity/kind-node/manifest.js';
import type { KindImages } from '../../src/kind/names.js';
import { dockerHost, down, engineAnswers, readState, up } from './host/host.js';

export interface LiveEnvironment {
  images: KindImages;
  manifest: KindImagesManifest;
  /** kind:host started the engine for this run (and stops it at the end). */
  startedEngine: boolean;
  engineStartSeconds?: number;
  /** Seconds spent building images (0 when the cache had them) and loading them. */
  imageSeconds: number;
}

export type Log = (line: string) => void;

/** Rejects with a message naming what took too long, instead of hanging. */
export async function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 60_000)} min`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** The engine to use: DOCKER_HOST's (or Docker's default socket) when it answers, else kind:host's. */
export async function ensureEngine(log: Log): Promise<{ started: boolean; seconds?: number }> {
  const configured = process.env.DOCKER_HOST;
  if (await engineAnswers(configured ?? 'unix:///var/run/docker.sock')) {
    log(`Docker engine: ${configured ?? 'unix:///var/run/docker.sock'} answers; using it`);
    return { started: false };
  }
  log(`Docker engine: none answers${configured ? ` at ${configured}` : ''}; starting kind:host's`);
  const { state, alreadyRunning } = await up(log);
  process.env.DOCKER_HOST = dockerHost;
  log(`Docker engine: kind:host ${alreadyRunning ? 'was already running' : `started in ${state.startSeconds} s`} (${dockerHost})`);
  return alreadyRunning ? { started: false } : { started: true, seconds: state.startSeconds };
}

/** Why the live suite cannot run on this host at all, or undefined (engine problems that can be fixed fail instead). */
export async function engineImpossibleReason(): Promise<string | undefined> {
  if (await engineAnswers(process.env.DOCKER_HOST ?? 'unix:///var/run/docker.sock')) return undefined;
  if ((await readState()) && (await engineAnswers(dockerHost))) return undefined;
  if (process.getuid?.() !== 0) return 'no Docker engine answers, and kind:host needs root to start one';
  return undefined;
}

/** The images in the engine, built first when the cache lacks them; kind on PATH. */
export async function ensureImages(log: Log): Promise<{ manifest: KindImagesManifest; seconds: number }> {
  const started = Date.now();
  let manifest = await readKindImagesManifest();
  const loaded = async (m: KindImagesManifest) => (await Promise.all([m.node, m.registry, m.busybox].map(async (i) => (await engineImageId(i.ref)) === i.id))).every(Boolean);
  if (!manifest || !(await loaded(manifest))) {
    log('images: building/loading the offline node, registry and busybox images (npm run kind:node-image)');
    manifest = await buildKindImages({ load: true, progress: (l) => log(`  ${l}`) });
  } else log(`images: ${manifest.node.ref}, ${manifest.registry.ref}, ${manifest.busybox.ref} are loaded`);
  const kindDir = path.dirname(manifest.kindBinary);
  if (!(process.env.PATH ?? '').split(':').includes(kindDir)) process.env.PATH = `${kindDir}:${process.env.PATH ?? ''}`;
  return { manifest, seconds: Math.round((Date.now() - started) / 1000) };
}

export async function prepareLiveEnvironment(log: Log): Promise<LiveEnvironment> {
  const engine = await withTimeout(ensureEngine(log), 10 * 60_000, 'starting the Docker engine');
  const { manifest, seconds } = await withTimeout(ensureImages(log), 100 * 60_000, 'building and loading the kind images');
  return {
    images: { node: manifest.node.ref, registry: manifest.registry.ref, busybox: manifest.busybox.ref },
    manifest,
    startedEngine: engine.started,
    ...(engine.seconds !== undefined ? { engineStartSeconds: engine.seconds } : {}),
    imageSeconds: seconds,
  };
}

/** Stops kind:host's engine when this run started it. */
export async function releaseEngine(env: LiveEnvironment | undefined, log: Log): Promise<void> {
  if (env?.startedEngine) await withTimeout(down(log), 3 * 60_000, 'stopping the kind:host engine');
}
