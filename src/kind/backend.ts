// The kind backend: real clusters (one per profile, created in parallel), the lab registries on the kind
// network, and the same stage as the embedded lab. The engine drives it through the Lab interface and
// client-node with ServiceAccount-token kubeconfigs; what the API cannot do runs on the nodes as kind does it.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parseNormalizedNamed } from '../k8s/image-reference.js';
import type { Lab, LabBackend, LabInfo, LabProgress, LabStartOptions, LabUser } from '../lab/backend.js';
import { PROFILES, type ProfileName } from '../lab/profiles.js';
import { KIND_TIMING } from '../lab/timing.js';
import { pullImage } from '../registry/client.js';
import { createFlag, type BuiltImage } from '../registry/image-builder.js';
import { createRegistryUsers, type RegistryUsers } from '../registry/lab-users.js';
import { clusterNodes, createKindCluster, deleteKindCluster, kindKubeconfig, listClusters, waitUntilReady } from './cluster.js';
import { removeContainers } from './commands.js';
import { renderKindConfig } from './config.js';
import { runCommand } from './exec.js';
import { IMAGE_TAG, PUBLIC_REPOSITORY, SECRET_REPOSITORY, buildKindLabImages, loadBaseImage, pushKindLabImages, type KindLabImages } from './images.js';
import { builtImageContent, ociArchive } from '../registry/oci-layout.js';
import { BASE_IMAGE, DEFAULT_WORKERS, REGISTRIES, clusterName, registryHost, type RegistryRole } from './names.js';
import { configureRegistryHosts, imagesOnHosts, nodeImageList, removeNodeImage, resetNodeImages, sideLoad } from './node-ops.js';
import { kindPreflight } from './preflight.js';
import {
  registryContainerSpec,
  renderHtpasswd,
  startRegistryContainer,
  startStoppedRegistryContainer,
  stopRegistryContainer,
  type RegistryContainerSpec,
} from './registry-container.js';
import { TENANT_A, TENANT_B, PULL_SECRET_NAME, applyManifests, clusterEndpoint, labKubeconfig, pullSecretManifest, requestToken, stageManifests, withCurrentContext } from './tenants.js';

export interface KindBackendOptions {
  /** Keep clusters (and the registries) after the run, and reuse kept clusters instead of creating them. */
  keep?: boolean;
  /** Profiles whose clusters the first start() creates together, in parallel. */
  profiles?: readonly ProfileName[];
  /** Workers per cluster (default 1) when LabStartOptions.nodes is not given. */
  workers?: number;
  /** Skip the Docker/kind/memory checks (the live suite has run them already). */
  skipPreflight?: boolean;
}

export interface KindBackend extends LabBackend {
  /** Removes every cluster and container this backend made (unless --keep); idempotent. Call it in a finally. */
  shutdown(): Promise<void>;
}

const hosts = [registryHost('secure'), registryHost('public')];
/** Namespaces that exist before any scenario: reset deletes any other (kind adds local-path-storage). */
const stageNamespaces = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage', 'image-heist-system', TENANT_A, TENANT_B]);

interface Shared {
  users: RegistryUsers;
  flag: string;
  images: KindLabImages;
  registries: Record<RegistryRole, { spec: RegistryContainerSpec; hostPort: number; up: boolean }>;
}

interface Prepared {
  profile: ProfileName;
  name: string;
  /** A kept cluster from an earlier run: its nodes may still cache an older SuperSecretImage1 under the same tag. */
  reused: boolean;
  nodes: string[];
  adminKubeconfig: string;
}

class AbortedError extends Error {
  override readonly name = 'AbortError';
}

export function createKindBackend(options: KindBackendOptions = {}): KindBackend {
  let workdir: Promise<string> | undefined;
  let shared: Promise<Shared> | undefined;
  const clusters = new Map<ProfileName, Promise<Prepared>>();
  const made = new Set<string>();
  const stopped = new Set<ProfileName>();
  let preflight: Promise<unknown> | undefined;
  let down: Promise<void> | undefined;
  /** Each start() sees its own cluster's progress and the shared steps (images, registries). */
  const listeners = new Map<ProfileName, (p: LabProgress) => void>();
  const report = (p: LabProgress, profile?: ProfileName) => {
    const own = profile ? listeners.get(profile) : undefined;
    // a cluster made ahead for a later profile shows its progress to whoever is waiting now
    if (own) own(p);
    else for (const listener of listeners.values()) listener(p);
  };

  const getWorkdir = () => (workdir ??= mkdtemp(path.join(tmpdir(), 'image-heist-kind-')));

  const shutdown = (): Promise<void> =>
    (down ??= (async () => {
      await Promise.allSettled([...clusters.values()]);
      if (!options.keep) {
        await Promise.allSettled([...made].map((name) => deleteKindCluster(name)));
        if (shared) await runCommand(removeContainers(Object.values(REGISTRIES).map((r) => r.container))).catch(() => undefined);
      }
      if (workdir) await rm(await workdir, { recursive: true, force: true });
      // a later start() begins afresh (runMatrix starts profiles one after another on one backend)
      workdir = shared = preflight = undefined;
      clusters.clear();
      listeners.clear();
      made.clear();
      stopped.clear();
    })().finally(() => {
      down = undefined;
    }));

  function prepareAll(start: LabStartOptions): void {
    const workers = start.nodes ?? options.workers ?? DEFAULT_WORKERS;
    const profiles = [...new Set([...(options.profiles ?? []), start.profile])].filter((p) => !clusters.has(p));
    preflight ??= options.skipPreflight ? Promise.resolve() : kindPreflight({ clusters: profiles.length, workers });
    const step = async <T>(action: string, fn: () => Promise<T>, profile?: ProfileName): Promise<T> => {
      if (start.signal?.aborted || down) throw new AbortedError('the kind lab start was cancelled');
      report({ action, status: 'started' }, profile);
      const value = await fn();
      report({ action, status: 'done' }, profile);
      return value;
    };
    const created = profiles.map((profile) => {
      const name = clusterName(profile);
      const creation = handled(preflight!.then(() => step(`Creating cluster ${name}`, () => ensureCluster(profile, name, workers, start.signal), profile)));
      return { profile, name, creation };
    });
    if (!shared) {
      // the registries join the kind network, which the first `kind create cluster` makes (kind network.go)
      const networkReady = handled(Promise.any(created.map((c) => c.creation)));
      const base = handled(preflight.then(() => step(`Reading ${BASE_IMAGE} from Docker`, () => loadBaseImage(BASE_IMAGE, start.signal))));
      shared = handled((async () => {
        const users = createRegistryUsers();
        const flag = createFlag();
        const images = await base.then((b) => step('Building SuperSecretImage1 and a public image', () => buildKindLabImages(b, flag)));
        await networkReady;
        const specs = { secure: registryContainerSpec('secure', renderHtpasswd([users.admin1, users.pusher])), public: registryContainerSpec('public') };
        const [secure, pub] = await step('Starting the registries (htpasswd-protected and anonymous)', () =>
          Promise.all([startRegistryContainer(specs.secure, start.signal), startRegistryContainer(specs.public, start.signal)]),
        );
        const value: Shared = {
          users,
          flag,
          images,
          registries: { secure: { spec: specs.secure, hostPort: secure.hostPort, up: true }, public: { spec: specs.public, hostPort: pub.hostPort, up: true } },
        };
        await step('Pushing the images', () => pushKindLabImages(images, { secure: secure.hostPort, public: pub.hostPort }, users.pusher));
        return value;
      })());
    }
    for (const { profile, name, creation } of created) {
      clusters.set(
        profile,
        handled((async (): Promise<Prepared> => {
          const reused = await creation;
          const nodes = await clusterNodes(name);
          await step(`Writing hosts.toml for the lab registries on ${nodes.length} nodes of ${name}`, () =>
            Promise.all(nodes.map((n) => configureRegistryHosts(n, hosts))).then(() => undefined), profile,
          );
          const adminKubeconfig = await kindKubeconfig(name);
          await step(`Waiting for ${name} to be ready`, () => waitUntilReady(adminKubeconfig, workers + 1, start.signal ? { signal: start.signal } : {}), profile);
          return { profile, name, reused, nodes, adminKubeconfig };
        })()),
      );
    }
  }

  /** A kept cluster with the right number of nodes is reused; anything else of that name is a leftover and goes. */
  async function ensureCluster(profile: ProfileName, name: string, workers: number, signal?: AbortSignal): Promise<boolean> {
    const existing = await listClusters(signal);
    if (existing.includes(name)) {
      if (options.keep && (await clusterNodes(name)).length === workers + 1) {
        made.add(name);
        return true;
      }
      await deleteKindCluster(name);
    }
    made.add(name);
    const dir = await getWorkdir();
    await createKindCluster(name, renderKindConfig(profile, { workers }), path.join(dir, `${name}.kind-kubeconfig`), signal ? { signal } : {});
    return false;
  }

  async function start(start: LabStartOptions): Promise<Lab> {
    const progress = (p: LabProgress) => start.onProgress?.(p);
    listeners.set(start.profile, progress);
    try {
      if (!clusters.has(start.profile)) prepareAll(start);
      const [s, prepared] = await Promise.all([shared!, clusters.get(start.profile)!]);
      return await makeLab(prepared, s, start, progress);
    } catch (error) {
      await shutdown();
      throw error;
    }
  }

  async function makeLab(prepared: Prepared, s: Shared, start: LabStartOptions, progress: (p: LabProgress) => void): Promise<Lab> {
    const profile = PROFILES[prepared.profile];
    const { users, flag, images } = s;
    const refs = {
      secret: `${registryHost('secure')}/${SECRET_REPOSITORY}:${IMAGE_TAG}`,
      public: `${registryHost('public')}/${PUBLIC_REPOSITORY}:${IMAGE_TAG}`,
    };
    const pullSecret = pullSecretManifest(registryHost('secure'), users.admin1.username, users.admin1.password);
    const admin = prepared.adminKubeconfig;

    progress({ action: `Setting the stage on ${prepared.name}`, status: 'started' });
    await applyManifests(admin, [...stageManifests(), pullSecret]);
    const tokens = {} as Record<LabUser, string>;
    for (const user of ['admin', 'admin1', 'admin2'] as const) tokens[user] = await requestToken(admin, user);
    const endpoint = clusterEndpoint(admin);
    const kubeconfig = labKubeconfig(endpoint, tokens, prepared.name);
    const dir = start.dir ?? path.join(await getWorkdir(), prepared.profile);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const kubeconfigPath = path.join(dir, 'kubeconfig');
    await writeFile(kubeconfigPath, kubeconfig, { mode: 0o600 });
    progress({ action: `Setting the stage on ${prepared.name}`, status: 'done' });

    const info: LabInfo = {
      profile: profile.name,
      apiServer: endpoint.server,
      kubeconfig: kubeconfigPath,
      registry: { host: registryHost('secure'), username: users.admin1.username, password: users.admin1.password },
      tenants: { admin1: { namespace: TENANT_A, pullSecret: PULL_SECRET_NAME }, admin2: { namespace: TENANT_B } },
      images: refs,
      flag,
      nodes: prepared.nodes,
    };
    const nodeFor = (node: string): string => {
      if (!prepared.nodes.includes(node)) throw new Error(`no node named "${node}"; nodes: ${prepared.nodes.join(', ')}`);
      return node;
    };
    /** The lab's own images come from memory (as `kind load` takes them from the host); others from the lab registries. */
    const contentFor = async (image: string): Promise<BuiltImage | undefined> => {
      const named = parseNormalizedNamed(image);
      for (const built of [images.secret, images.public]) {
        const ownName = parseNormalizedNamed(built === images.secret ? refs.secret : refs.public).name;
        if (named.name !== ownName) continue;
        if (named.digest ? named.digest === built.digest : (named.tag ?? 'latest') === IMAGE_TAG) return built;
      }
      return undefined;
    };
    const setRegistryAvailable = async (available: boolean): Promise<void> => {
      for (const role of ['secure', 'public'] as const) {
        const r = s.registries[role];
        if (r.up === available) continue;
        if (available) r.hostPort = await startStoppedRegistryContainer(r.spec);
        else await stopRegistryContainer(r.spec.name);
        r.up = available;
      }
    };

    let stopping: Promise<void> | undefined;
    const lab: Lab = {
      info,
      imageDigests: { secret: images.secret.digest, public: images.public.digest },
      kubeconfigFor: (user) => withCurrentContext(kubeconfig, user),
      async preloadImage(image, node) {
        const target = nodeFor(node);
        const own = await contentFor(image);
        if (own) {
          await sideLoad(target, await ociArchive(builtImageContent(own), image));
          return;
        }
        const named = parseNormalizedNamed(image);
        const role = (Object.keys(REGISTRIES) as RegistryRole[]).find((r) => named.domain === registryHost(r));
        if (!role) throw new Error(`can only preload images from the lab registries (${hosts.join(', ')}), not ${image}`);
        const local = image.replace(named.domain, `127.0.0.1:${s.registries[role].hostPort}`);
        const pulled = await pullImage(local, role === 'secure' ? { credentials: users.pusher } : {});
        const blobs = new Map([[pulled.configDigest, pulled.config], ...pulled.layerDescriptors.map((d, i) => [d.digest, pulled.layers[i]!] as const)]);
        await sideLoad(target, await ociArchive({ manifestBytes: pulled.manifestBytes, mediaType: pulled.mediaType, digest: pulled.manifestDigest, blobs }, image));
      },
      async removeImage(image, node) {
        await removeNodeImage(nodeFor(node), image);
      },
      async nodeImages() {
        const entries = await Promise.all(
          prepared.nodes.map(async (n) => [n, imagesOnHosts(await nodeImageList(n), hosts).flatMap((i) => [...(i.repoTags ?? []), ...(i.repoDigests ?? [])])] as const),
        );
        return Object.fromEntries(entries);
      },
      setRegistryAvailable,
      async reset() {
        await setRegistryAvailable(true);
        await resetApiObjects(admin, pullSecret);
        await Promise.all(prepared.nodes.map((n) => resetNodeImages(n, hosts, profile.kubelet.ensureSecretPulledImages)));
        if (profile.kubelet.ensureSecretPulledImages) await waitUntilReady(admin, prepared.nodes.length, { timeoutMs: 120_000 });
      },
      stop() {
        stopping ??= (async () => {
          if (!options.keep) {
            // gone for good: a later start() of this profile creates the cluster again
            clusters.delete(prepared.profile);
            made.delete(prepared.name);
            await deleteKindCluster(prepared.name);
          } else stopped.add(prepared.profile);
          const allDone = [...clusters.keys()].every((p) => stopped.has(p));
          if (allDone || start.signal?.aborted) await shutdown();
        })();
        return stopping;
      },
    };
    if (prepared.reused) {
      progress({ action: `Resetting the kept cluster ${prepared.name}`, status: 'started' });
      await lab.reset();
      progress({ action: `Resetting the kept cluster ${prepared.name}`, status: 'done' });
    }
    return lab;
  }

  return { name: 'kind', timing: KIND_TIMING, start, shutdown };
}

/** Pods go at once, scenario namespaces and extra objects go, ImagePullSecret1 is as the stage made it, old events go. */
async function resetApiObjects(adminKubeconfig: string, pullSecret: ReturnType<typeof pullSecretManifest>): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(adminKubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const namespaces = (await core.listNamespace()).items.map((n) => n.metadata?.name ?? '');
  for (const ns of namespaces.filter((n) => !stageNamespaces.has(n) && n !== '')) await core.deleteNamespace({ name: ns }).catch(() => undefined);
  const tenants = [TENANT_A, TENANT_B, 'default'];
  // a short grace, not 0: with 0 the pod object goes before the kubelet stops its containers, and their late events
  // and image use would leak into the next scenario; with a grace the object stays until the containers are gone
  for (const ns of tenants) await core.deleteCollectionNamespacedPod({ namespace: ns, gracePeriodSeconds: 1 });
  const deadline = Date.now() + 120_000;
  for (const ns of tenants) {
    while ((await core.listNamespacedPod({ namespace: ns })).items.length > 0) {
      if (Date.now() > deadline) throw new Error(`pods in ${ns} were not gone after 120 s`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  for (const ns of tenants) {
    for (const secret of (await core.listNamespacedSecret({ namespace: ns })).items) {
      const keep = ns === TENANT_A && secret.metadata?.name === PULL_SECRET_NAME;
      if (!keep) await core.deleteNamespacedSecret({ name: secret.metadata!.name!, namespace: ns }).catch(() => undefined);
    }
    for (const sa of (await core.listNamespacedServiceAccount({ namespace: ns })).items) {
      if (sa.metadata?.name !== 'default') await core.deleteNamespacedServiceAccount({ name: sa.metadata!.name!, namespace: ns }).catch(() => undefined);
      else if (sa.imagePullSecrets?.length) await core.replaceNamespacedServiceAccount({ name: 'default', namespace: ns, body: { ...sa, imagePullSecrets: [] } });
    }
    await core.deleteCollectionNamespacedEvent({ namespace: ns });
  }
  await applyManifests(adminKubeconfig, [pullSecret]);
}

/** Marks a promise as handled (the rejection still reaches whoever awaits it), so one that nobody awaits yet cannot crash the process. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

/** The kind backend with default options: one cluster per start, removed at stop. */
export const kindBackend: KindBackend = createKindBackend();
