// The embedded lab: registry + API server + nodes (kubelets) + scheduler, and the stage the story starts
// from — namespaces tenant-a and tenant-b, ImagePullSecret1 in tenant-a, SuperSecretImage1 pushed, Admin2
// forbidden in tenant-a. Implements the LabBackend boundary (src/lab/backend.ts) for `up`, `run` and `play`.
//
//   const lab = await embeddedBackend.start({ profile: 'none', nodes: 2 })
//   lab.info (as lab.json), lab.kubeconfigFor('admin1'), lab.preloadImage(...), lab.reset(), lab.stop()
import { kubeletConfigz } from './kubelet/configz.js';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { writePrivateFile } from './lab-dir.js';
import { createAuditLogFile } from './audit-log.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { parseNormalizedNamed } from '../k8s/image-reference.js';
import type { Lab, LabBackend, LabInfo, LabProgress, LabStartOptions, LabUser } from '../lab/backend.js';
import { PROFILES } from '../lab/profiles.js';
import { EMBEDDED_TIMING } from '../lab/timing.js';
import {
  IMAGE_TAG,
  PUBLIC_REPOSITORY,
  PULL_SECRET_NAME,
  SECRET_REPOSITORY,
  TENANT_A,
  TENANT_B,
  admissionPolicyManifests,
  applyManifests,
  waitForAdmissionPolicies,
  clearEvents,
  pullSecretManifest,
  resetStage,
  tenantManifests,
  userSubject,
} from '../lab/stage.js';
import type { BlobPool } from '../registry/blob-pool.js';
import { pullImage, pushImage } from '../registry/client.js';
import { buildPublicImage, buildSecretImage, createFlag, imageBlobs, type BuiltImage } from '../registry/image-builder.js';
import { createRegistryUsers, labAccessRules, type RegistryUsers } from '../registry/lab-users.js';
import { startRegistry, type RunningRegistry } from '../registry/server.js';
import { admissionPluginsFor, startApiServer, type ApiServer } from './apiserver/server.js';
import { createLabClock, type LabClock } from './clock.js';
import { EmbeddedNode } from './node.js';
import type { ImageContent } from './node/image-store.js';
import { Scheduler } from './scheduler.js';

export { IMAGE_TAG, PUBLIC_REPOSITORY, PULL_SECRET_NAME, SECRET_REPOSITORY, TENANT_A, TENANT_B };
/** Names as kind gives a cluster called image-heist: image-heist-worker, image-heist-worker2, … */
export const nodeName = (i: number): string => `image-heist-worker${i === 0 ? '' : i + 1}`;
export const MAX_NODES = 16;

export interface EmbeddedLabOptions extends LabStartOptions {
  /** Lab time per real time: upstream back-offs (10 s → 300 s) pass this many times faster. Default 1. */
  timeScale?: number;
  /** Where the API server listens and what its URL and certificate name (default 127.0.0.1; `workshop --listen`). */
  apiServerHost?: string;
  /** Blob bytes shared with the other labs of this process (`workshop`); access stays each registry's own. */
  blobPool?: BlobPool;
}

export interface EmbeddedLab extends Lab {
  readonly api: ApiServer;
  readonly nodes: readonly EmbeddedNode[];
  readonly clock: LabClock;
}

class LabStartAborted extends Error {
  override readonly name = 'AbortError';
}

/** Starts the whole lab; on any failure (or abort) everything already started is stopped again. */
export async function startEmbeddedLab(options: EmbeddedLabOptions): Promise<EmbeddedLab> {
  const profile = PROFILES[options.profile];
  if (!profile) throw new Error(`unknown profile "${String(options.profile)}"`);
  const nodeCount = options.nodes ?? 2;
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > MAX_NODES) {
    throw new RangeError(`--nodes must be a whole number from 1 to ${MAX_NODES}, got ${String(options.nodes)}`);
  }
  const clock = createLabClock({ timeScale: options.timeScale ?? 1 });
  const cleanups: (() => Promise<void> | void)[] = [() => clock.dispose()];
  const step = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    if (options.signal?.aborted) throw new LabStartAborted('lab start was cancelled');
    options.onProgress?.({ action, status: 'started' } satisfies LabProgress);
    const value = await fn();
    options.onProgress?.({ action, status: 'done' });
    return value;
  };
  const auditLog = createAuditLogFile();
  cleanups.push(() => auditLog.close());
  try {
    const users = createRegistryUsers();
    const flag = createFlag();
    const started = await Promise.allSettled([
      step('Starting the registry', () => startLabRegistry(users, undefined, options.blobPool)),
      step('Building SuperSecretImage1', async () => ({ secret: await buildSecretImage({ flag }), public: await buildPublicImage() })),
      // the stage (tenants, RBAC, ImagePullSecret1) comes through the API below, as on kind
      step('Starting the API server', () =>
        startApiServer({
          admissionPlugins: admissionPluginsFor(profile.enableAdmissionPlugins),
          tenants: [],
          clock,
          audit: auditLog.sink,
          ...(options.apiServerHost ? { host: options.apiServerHost } : {}),
        }),
      ),
    ]);
    let currentRegistry: RunningRegistry | undefined = started[0].status === 'fulfilled' ? started[0].value : undefined;
    cleanups.push(() => currentRegistry?.close());
    if (started[2].status === 'fulfilled') {
      const server = started[2].value;
      cleanups.push(() => server.close());
    }
    for (const s of started) if (s.status === 'rejected') throw s.reason;
    const registry = currentRegistry!;
    const images = (started[1] as PromiseFulfilledResult<{ secret: BuiltImage; public: BuiltImage }>).value;
    const api = (started[2] as PromiseFulfilledResult<ApiServer>).value;
    const host = registry.host;
    const refs = {
      secret: `${host}/${SECRET_REPOSITORY}:${IMAGE_TAG}`,
      public: `${host}/${PUBLIC_REPOSITORY}:${IMAGE_TAG}`,
    };
    await step('Pushing the images', () => pushLabImages(refs, images, users));

    const nodes = await step(`Starting ${nodeCount} node${nodeCount === 1 ? '' : 's'}`, async () => {
      const list = Array.from({ length: nodeCount }, (_, i) => new EmbeddedNode({ name: nodeName(i), index: i, api: api.store, clock, settings: profile.kubelet }));
      for (const n of list) n.register();
      return list;
    });
    cleanups.push(() => Promise.all(nodes.map((n) => n.stop())).then(() => undefined));
    const scheduler = new Scheduler(api.store);
    scheduler.start();
    cleanups.push(() => scheduler.stop());
    const byName = new Map(nodes.map((n) => [n.name, n]));
    api.setNodeConfigz((name) => {
      const node = byName.get(name);
      return node ? kubeletConfigz(node.settings) : undefined;
    });
    api.setPodLogs((pod, container, logOptions, signal) => {
      const node = byName.get(((pod['spec'] ?? {}) as { nodeName?: string }).nodeName ?? '');
      if (!node) return emptyLogs();
      return node.kubelet.containerLogs(pod, container, logOptions, signal);
    });

    const pullSecret = pullSecretManifest(host, users.admin1.username, users.admin1.password);
    const kubeconfig = api.kubeconfig({ namespaces: { admin1: TENANT_A, admin2: TENANT_B } });
    const adminKubeconfig = kubeconfigAs(kubeconfig, 'admin');
    await step('Setting the stage', async () => {
      await applyManifests(adminKubeconfig, [...tenantManifests(profile.name, userSubject), pullSecret, ...admissionPolicyManifests(profile.name)]);
      await waitForAdmissionPolicies(adminKubeconfig, profile.name, `${host}/${PUBLIC_REPOSITORY}:${IMAGE_TAG}`);
    });

    const ownDir = options.dir === undefined;
    const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'image-heist-')));
    if (ownDir) cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const kubeconfigPath = path.join(dir, 'kubeconfig');
    await writePrivateFile(kubeconfigPath, kubeconfig);
    const auditLogPath = path.join(dir, 'audit.log');
    auditLog.open(auditLogPath);

    const info: LabInfo = {
      profile: profile.name,
      apiServer: api.url,
      kubeconfig: kubeconfigPath,
      registry: { host, username: users.admin1.username, password: users.admin1.password },
      tenants: { admin1: { namespace: TENANT_A, pullSecret: PULL_SECRET_NAME }, admin2: { namespace: TENANT_B } },
      images: refs,
      flag,
      nodes: nodes.map((n) => n.name),
      auditLog: auditLogPath,
    };
    const imageDigests = { secret: images.secret.digest as string, public: images.public.digest as string };
    const contentByDigest = new Map<string, BuiltImage>([
      [images.secret.digest, images.secret],
      [images.public.digest, images.public],
    ]);
    const contentByName = new Map<string, BuiltImage>([
      [parseNormalizedNamed(refs.secret).name, images.secret],
      [parseNormalizedNamed(refs.public).name, images.public],
    ]);

    const nodeFor = (name: string): EmbeddedNode => {
      const node = byName.get(name);
      if (!node) throw new Error(`no node named "${name}"; nodes: ${[...byName.keys()].join(', ')}`);
      return node;
    };

    /** Image bytes for a preload: the lab's own images from memory (as `kind load` takes them from the host), others from the registry. */
    const contentFor = async (image: string): Promise<ImageContent> => {
      const named = parseNormalizedNamed(image);
      const own = named.digest ? contentByDigest.get(named.digest) : (named.tag ?? 'latest') === IMAGE_TAG ? contentByName.get(named.name) : undefined;
      if (own) return { manifest: own.manifestBytes, config: own.config, layers: own.layers.map((l) => l.data) };
      const pulled = await pullImage(image, { credentials: users.pusher });
      return { manifest: pulled.manifestBytes, config: pulled.config, layers: pulled.layers };
    };

    let stopped: Promise<void> | undefined;
    const lab: EmbeddedLab = {
      info,
      imageDigests,
      api,
      nodes,
      clock,
      kubeconfigFor: (user: LabUser) => kubeconfigAs(kubeconfig, user),
      async preloadImage(image, node) {
        nodeFor(node).preload(image, await contentFor(image));
      },
      async removeImage(image, node) {
        nodeFor(node).removeImage(image);
      },
      async nodeImages() {
        return Object.fromEntries(nodes.map((n) => [n.name, n.imageReferences()]));
      },
      async setRegistryAvailable(available) {
        if (available === (currentRegistry !== undefined)) return;
        if (!available) {
          const closing = currentRegistry;
          currentRegistry = undefined;
          await closing?.close(); // connections are refused from now on: a real outage
          return;
        }
        // back on the same port, with the same users and the same images (deterministic bytes, same digests)
        const port = Number(host.slice(host.lastIndexOf(':') + 1));
        const restarted = await startLabRegistry(users, port, options.blobPool);
        currentRegistry = restarted;
        await pushLabImages(refs, images, users);
      },
      async reset() {
        await lab.setRegistryAvailable(true);
        await resetStage(adminKubeconfig, { profile: profile.name, pullSecret });
        await Promise.all(nodes.map((n) => n.reset()));
        scheduler.clear();
        await clearEvents(adminKubeconfig);
      },
      stop() {
        stopped ??= runCleanups(cleanups);
        return stopped;
      },
    };
    return lab;
  } catch (error) {
    await runCleanups(cleanups);
    throw error;
  }
}

async function runCleanups(cleanups: (() => Promise<void> | void)[]): Promise<void> {
  for (const cleanup of [...cleanups].reverse()) {
    try {
      await cleanup();
    } catch {
      // keep stopping the rest
    }
  }
}

function startLabRegistry(users: RegistryUsers, port?: number, blobPool?: BlobPool): Promise<RunningRegistry> {
  return startRegistry({ users: [users.admin1, users.pusher], access: labAccessRules(users), auth: 'basic', ...(port ? { port } : {}), ...(blobPool ? { blobPool } : {}) });
}

async function pushLabImages(refs: { secret: string; public: string }, images: { secret: BuiltImage; public: BuiltImage }, users: RegistryUsers): Promise<void> {
  await Promise.all(
    (['secret', 'public'] as const).map((k) =>
      pushImage(refs[k], { manifestBytes: images[k].manifestBytes, mediaType: images[k].mediaType, blobs: imageBlobs(images[k]) }, { credentials: users.pusher }),
    ),
  );
}

/** The kubeconfig with the user's context current. */
function kubeconfigAs(kubeconfig: string, user: LabUser): string {
  const config = parseYaml(kubeconfig) as Record<string, unknown>;
  config['current-context'] = user;
  return stringifyYaml(config);
}

async function* emptyLogs(): AsyncGenerator<string> {
  // a pod bound to a node the lab does not run has no kubelet to ask
}

/** The embedded backend (default): in-process cluster, seconds to start, no Docker. */
export function createEmbeddedBackend(defaults: { timeScale?: number; apiServerHost?: string } = {}): LabBackend {
  return {
    name: 'embedded',
    timing: EMBEDDED_TIMING,
    start: (options) =>
      startEmbeddedLab({
        ...options,
        ...(defaults.timeScale !== undefined ? { timeScale: defaults.timeScale } : {}),
        ...(defaults.apiServerHost !== undefined ? { apiServerHost: defaults.apiServerHost } : {}),
      }),
    // each lab is in-process and stops itself (and a failed start stops what it started): nothing is shared
    shutdown: async () => {},
  };
}

/**
 * For the scenario engine: lab time 20× faster, so the 10 s image back-off passes in half a second while
 * ErrImagePull and ImagePullBackOff still show in order.
 */
export const embeddedBackend: LabBackend = createEmbeddedBackend({ timeScale: 20 });
