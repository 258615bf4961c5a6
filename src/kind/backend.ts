// The kind backend: real clusters (one per profile, created in parallel), each with its own pair of lab
// registries on the kind network, and the stage and reset of src/lab/stage.ts. The engine drives it through the
// Lab interface and client-node with ServiceAccount-token kubeconfigs; what the API cannot do runs on the nodes as
// kind does it (node-ops.ts).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseNormalizedNamed } from '../k8s/image-reference.js';
import type { Lab, LabBackend, LabInfo, LabProgress, LabStartOptions, LabUser } from '../lab/backend.js';
import { PROFILES, type ProfileName } from '../lab/profiles.js';
import { CancelledError } from '../lab/shutdown.js';
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
  serviceAccountManifests,
  serviceAccountSubject,
  tenantManifests,
} from '../lab/stage.js';
import { KIND_TIMING } from '../lab/timing.js';
import { pullImage } from '../registry/client.js';
import { createFlag, type BuiltImage } from '../registry/image-builder.js';
import { createRegistryUsers, type RegistryUsers } from '../registry/lab-users.js';
import { builtImageContent, ociArchive } from '../registry/oci-layout.js';
import { clusterNodes, createKindCluster, deleteKindCluster, kindKubeconfig, listClusters, waitForNetwork, waitUntilReady } from './cluster.js';
import { inspectNetwork, removeContainers, removeNetwork } from './commands.js';
import { renderKindConfig, type HostSettings, type MirrorMount } from './config.js';
import { runCommand } from './exec.js';
import { buildKindLabImages, ensureImage, loadBaseImage, pushKindPublicImage, pushKindSecretImage, type KindLabImages } from './images.js';
import {
  DEFAULT_KIND_IMAGES,
  DEFAULT_WORKERS,
  KIND_NETWORK,
  REGISTRY_ROLES,
  WORKDIR_PREFIX,
  clusterName,
  registryContainer,
  registryHost,
  registryHosts,
  type KindImages,
  type RegistryRole,
} from './names.js';
import { readNodeImageTraits, type NodeImageTraits } from './node-image.js';
import { configureRegistryHosts, imagesOnHosts, nodeImageList, removeNodeImage, resetNodeImages, sideLoad } from './node-ops.js';
import { assessDockerHost, kindPreflight, ociArchitecture, probeDockerHost } from './preflight.js';
import {
  registryContainerSpec,
  renderHtpasswd,
  startRegistryContainer,
  startStoppedRegistryContainer,
  stopRegistryContainer,
  type RegistryContainerSpec,
} from './registry-container.js';
import { createSlots } from '../lab/turns.js';
import { creationSlots } from './slots.js';
import { exportSystemImages, pushToMirror, writeMirrorHosts, type ArchivedImage } from './system-images.js';
import { clusterEndpoint, labKubeconfig, requestToken, withCurrentContext } from './tenants.js';

export interface KindBackendOptions {
  /** Keep clusters (and the registries) after the run, and reuse kept clusters instead of creating them. */
  keep?: boolean;
  /** Profiles whose clusters the first start() creates together, in parallel. */
  profiles?: readonly ProfileName[];
  /** Workers per cluster (default 1) when LabStartOptions.nodes is not given. */
  workers?: number;
  /** Skip the Docker/kind/memory checks (the caller has run them: pass their host settings). */
  skipPreflight?: boolean;
  /** What the configs adapt to on this host; probed when not given. */
  host?: HostSettings;
  /** The node, registry and busybox images (defaults: the pinned upstream ones). */
  images?: Partial<KindImages>;
}

export type KindBackend = LabBackend;

/** One profile's registries: started once the kind network exists, each profile its own pair. */
interface Registries {
  specs: Record<RegistryRole, RegistryContainerSpec>;
  ports: Record<RegistryRole, number>;
  up: Record<RegistryRole, boolean>;
}

/** What every profile's cluster is made with: read from the Docker host and the node image once. */
interface Setup {
  host: HostSettings;
  traits: NodeImageTraits;
  platform: { os: string; architecture: string };
  /** Turns for `kind create cluster` (slots.ts). */
  creating: <T>(task: () => Promise<T>) => Promise<T>;
}

interface Shared {
  users: RegistryUsers;
  flag: string;
  images: KindLabImages;
}

interface Prepared {
  profile: ProfileName;
  name: string;
  /** A kept cluster from an earlier run: its nodes may still cache an older SuperSecretImage1 under the same tag. */
  reused: boolean;
  nodes: string[];
  adminKubeconfig: string;
  registries: Registries;
}

export function createKindBackend(options: KindBackendOptions = {}): KindBackend {
  const images: KindImages = { ...DEFAULT_KIND_IMAGES, ...options.images };
  let workdir: Promise<string> | undefined;
  let shared: Promise<Shared> | undefined;
  let setup: Promise<Setup> | undefined;
  let systemImages: Promise<ArchivedImage[]> | undefined;
  const clusters = new Map<ProfileName, Promise<Prepared>>();
  const made = new Set<string>();
  const containers = new Set<string>();
  const stopped = new Set<ProfileName>();
  let down: Promise<void> | undefined;
  /** Whether the kind network was there before this backend's first cluster: if not, it goes at shutdown (when unused). */
  let networkWasThere: Promise<boolean> | undefined;
  /** Each start() sees its own cluster's progress; steps shared by all profiles show once, to the start that began them. */
  const listeners = new Map<ProfileName, (p: LabProgress) => void>();
  /** Progress of a cluster prepared ahead, kept until its own start() listens. */
  const pending = new Map<ProfileName, LabProgress[]>();
  const report = (p: LabProgress, profile: ProfileName) => {
    const listener = listeners.get(profile);
    if (listener) listener(p);
    else pending.set(profile, [...(pending.get(profile) ?? []), p]);
  };

  const getWorkdir = () => (workdir ??= mkdtemp(path.join(tmpdir(), WORKDIR_PREFIX)));

  const shutdown = (): Promise<void> =>
    (down ??= (async () => {
      await Promise.allSettled([...clusters.values()]);
      if (!options.keep) {
        await Promise.allSettled([...made].map((name) => deleteKindCluster(name)));
        if (containers.size > 0) await runCommand(removeContainers([...containers])).catch(() => undefined);
        // kind leaves its network behind (kind delete.go); Docker refuses while anything else is attached to it
        if (networkWasThere && !(await networkWasThere.catch(() => true))) await runCommand(removeNetwork(KIND_NETWORK)).catch(() => undefined);
      }
      if (workdir) await rm(await workdir.catch(() => ''), { recursive: true, force: true }).catch(() => undefined);
      // a later start() begins afresh (runMatrix starts profiles one after another on one backend)
      workdir = shared = setup = systemImages = networkWasThere = undefined;
      clusters.clear();
      listeners.clear();
      pending.clear();
      made.clear();
      containers.clear();
      stopped.clear();
    })().finally(() => {
      down = undefined;
    }));

  function prepareAll(start: LabStartOptions): void {
    const workers = start.nodes ?? options.workers ?? DEFAULT_WORKERS;
    const profiles = [...new Set([start.profile, ...(options.profiles ?? [])])].filter((p) => !clusters.has(p));
    const step = async <T>(profile: ProfileName, action: string, fn: () => Promise<T>): Promise<T> => {
      if (start.signal?.aborted || down) throw new CancelledError();
      report({ action, status: 'started' }, profile);
      const value = await fn();
      report({ action, status: 'done' }, profile);
      return value;
    };
    // shared steps show in the panel of the profile whose start began them, not in every panel
    const first = start.profile;
    networkWasThere ??= handled(
      runCommand(inspectNetwork(KIND_NETWORK)).then(
        () => true,
        () => false,
      ),
    );
    setup ??= handled(
      (async () => {
        const preflight = options.skipPreflight ? undefined : await kindPreflight({ clusters: profiles.length, workers });
        const dockerHost = preflight ?? (await probeDockerHost());
        const assessment = preflight?.assessment ?? assessDockerHost(dockerHost, profiles.length, workers);
        // what the configs adapt to shows as done steps, so a user sees why the cluster differs from kind's defaults
        if (!options.host) for (const note of assessment.notes) report({ action: note, status: 'done' }, first);
        const host = options.host ?? assessment.settings;
        const traits = await step(first, `Reading the node image ${images.node}`, async () => {
          await ensureImage(images.node, '--node-image', start.signal);
          return readNodeImageTraits(images.node, start.signal);
        });
        return { host, traits, platform: { os: 'linux', architecture: ociArchitecture(dockerHost.architecture) }, creating: createSlots(creationSlots(dockerHost.cpus)) };
      })(),
    );
    shared ??= handled(
      setup.then(async () => {
        const base = await step(first, `Reading ${images.busybox} from Docker`, () => loadBaseImage(images.busybox, start.signal));
        const flag = createFlag();
        const built = await step(first, 'Building SuperSecretImage1 and a public image', () => buildKindLabImages(base, flag));
        return { users: createRegistryUsers(), flag, images: built };
      }),
    );
    const sharedNow = shared;
    const setupNow = setup;
    for (const profile of profiles) {
      const name = clusterName(profile);
      // when this cluster's turn to be created comes (slots.ts): its node exists only from then on
      let turnCame!: () => void;
      const creationStarted = new Promise<void>((resolve) => (turnCame = resolve));
      const creation = handled(
        setupNow.then(async (s) => {
          const mirrors = await mirrorMounts(profile, s.traits);
          const config = renderKindConfig(profile, { workers, nodeImage: images.node, host: s.host, builtinCni: s.traits.builtinCni, mirrors });
          return s.creating(() => {
            turnCame();
            return step(profile, `Creating cluster ${name}`, () => ensureCluster(name, workers, config, start.signal));
          });
        }),
      );
      // the registries join the kind network as soon as the first `kind create cluster` has made it (kind network.go)
      const registries = handled(
        (async (): Promise<Registries> => {
          await waitForNetwork(KIND_NETWORK, creation, start.signal);
          const s = await sharedNow;
          const started = await step(profile, 'Starting the registries (htpasswd-protected and anonymous)', () => startRegistries(profile, s.users, start.signal));
          await step(profile, 'Pushing the images', async () => {
            await pushKindSecretImage(s.images.secret, started.ports.secure, s.users.pusher);
            await pushKindPublicImage(s.images.public, started.ports.public);
          });
          return started;
        })(),
      );
      const mirrored = handled(
        (async () => {
          const s = await setupNow;
          if (!needsMirror(profile, s.traits)) return;
          const reg = await registries;
          // the export reads this cluster's node: wait for its creation to begin, not for a queue of others
          await Promise.race([creationStarted, creation]);
          const node = `${name}-control-plane`;
          // every cluster runs the same node image: export its system images once, from the first node that has them
          systemImages ??= handled(
            step(profile, 'Exporting the system images from the node image', () => exportSystemImages(node, s.traits.systemImages, s.platform, start.signal)),
          );
          const exported = await systemImages;
          await step(profile, `Mirroring ${exported.length} system images into the anonymous registry`, () => pushToMirror(exported, reg.ports.public));
        })(),
      );
      clusters.set(
        profile,
        handled(
          (async (): Promise<Prepared> => {
            const reused = await creation;
            const [nodes, reg] = await Promise.all([clusterNodes(name), registries]);
            await step(profile, `Writing hosts.toml for the lab registries on ${nodes.length} nodes of ${name}`, () =>
              Promise.all(nodes.map((n) => configureRegistryHosts(n, registryHosts(profile)))).then(() => undefined),
            );
            await mirrored;
            const adminKubeconfig = await kindKubeconfig(name);
            await step(profile, `Waiting for ${name} to be ready`, () =>
              waitUntilReady(adminKubeconfig, workers + 1, { cluster: name, ...(start.signal ? { signal: start.signal } : {}) }),
            );
            return { profile, name, reused, nodes, adminKubeconfig, registries: reg };
          })(),
        ),
      );
    }
  }

  /** Where the nodes must pull the system images: AlwaysPullImages (kube-system's pods) and AlwaysVerify (every preloaded image). */
  function needsMirror(profile: ProfileName, traits: NodeImageTraits): boolean {
    const p = PROFILES[profile];
    const pulls = p.enableAdmissionPlugins.includes('AlwaysPullImages') || p.kubelet.imagePullCredentialsVerificationPolicy === 'AlwaysVerify';
    return pulls && traits.systemImages.length > 0;
  }

  /** certs.d entries for the system images' registries, pointing at the profile's anonymous registry (only where every pod pulls). */
  async function mirrorMounts(profile: ProfileName, traits: NodeImageTraits): Promise<MirrorMount[]> {
    if (!needsMirror(profile, traits)) return [];
    const dir = path.join(await getWorkdir(), profile, 'certs.d');
    return writeMirrorHosts(dir, traits.systemImages, registryHost('public', profile));
  }

  async function startRegistries(profile: ProfileName, users: RegistryUsers, signal?: AbortSignal): Promise<Registries> {
    const specs = {
      secure: registryContainerSpec('secure', profile, { htpasswd: renderHtpasswd([users.admin1, users.pusher]), image: images.registry }),
      public: registryContainerSpec('public', profile, { image: images.registry }),
    };
    for (const role of REGISTRY_ROLES) containers.add(registryContainer(role, profile));
    const [secure, pub] = await Promise.all([startRegistryContainer(specs.secure, signal), startRegistryContainer(specs.public, signal)]);
    return { specs, ports: { secure: secure.hostPort, public: pub.hostPort }, up: { secure: true, public: true } };
  }

  /** A kept cluster with the right number of nodes is reused; anything else of that name is a leftover and goes. */
  async function ensureCluster(name: string, workers: number, config: string, signal?: AbortSignal): Promise<boolean> {
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
    await createKindCluster(name, config, path.join(dir, `${name}.kind-kubeconfig`), signal ? { signal } : {});
    return false;
  }

  async function start(start: LabStartOptions): Promise<Lab> {
    const progress = (p: LabProgress) => start.onProgress?.(p);
    listeners.set(start.profile, progress);
    for (const p of pending.get(start.profile) ?? []) progress(p);
    pending.delete(start.profile);
    try {
      if (!clusters.has(start.profile)) prepareAll(start);
      const [s, prepared] = await Promise.all([shared!, clusters.get(start.profile)!]);
      return await makeLab(prepared, s, start, progress);
    } catch (error) {
      await shutdown();
      if (start.signal?.aborted) throw new CancelledError();
      throw error;
    }
  }

  async function makeLab(prepared: Prepared, s: Shared, start: LabStartOptions, progress: (p: LabProgress) => void): Promise<Lab> {
    const profile = PROFILES[prepared.profile];
    const { users, flag } = s;
    const hosts = registryHosts(prepared.profile);
    const refs = {
      secret: `${registryHost('secure', prepared.profile)}/${SECRET_REPOSITORY}:${IMAGE_TAG}`,
      public: `${registryHost('public', prepared.profile)}/${PUBLIC_REPOSITORY}:${IMAGE_TAG}`,
    };
    const pullSecret = pullSecretManifest(registryHost('secure', prepared.profile), users.admin1.username, users.admin1.password);
    const admin = prepared.adminKubeconfig;
    const reg = prepared.registries;

    progress({ action: `Setting the stage on ${prepared.name}`, status: 'started' });
    await applyManifests(admin, [
      ...serviceAccountManifests(),
      ...tenantManifests(prepared.profile, serviceAccountSubject),
      pullSecret,
      ...admissionPolicyManifests(prepared.profile),
    ]);
    await waitForAdmissionPolicies(admin, prepared.profile, refs.public);
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
      registry: { host: registryHost('secure', prepared.profile), username: users.admin1.username, password: users.admin1.password },
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
    const contentFor = (image: string): BuiltImage | undefined => {
      const named = parseNormalizedNamed(image);
      for (const [ref, built] of [
        [refs.secret, s.images.secret],
        [refs.public, s.images.public],
      ] as const) {
        if (named.name !== parseNormalizedNamed(ref).name) continue;
        if (named.digest ? named.digest === built.digest : (named.tag ?? 'latest') === IMAGE_TAG) return built;
      }
      return undefined;
    };
    const setRegistryAvailable = async (available: boolean): Promise<void> => {
      for (const role of REGISTRY_ROLES) {
        if (reg.up[role] === available) continue;
        if (available) reg.ports[role] = await startStoppedRegistryContainer(reg.specs[role]);
        else await stopRegistryContainer(reg.specs[role].name);
        reg.up[role] = available;
      }
    };

    let stopping: Promise<void> | undefined;
    const lab: Lab = {
      info,
      imageDigests: { secret: s.images.secret.digest, public: s.images.public.digest },
      kubeconfigFor: (user) => withCurrentContext(kubeconfig, user),
      async preloadImage(image, node) {
        const target = nodeFor(node);
        const own = contentFor(image);
        if (own) {
          await sideLoad(target, await ociArchive(builtImageContent(own), image));
          return;
        }
        const named = parseNormalizedNamed(image);
        const role = REGISTRY_ROLES.find((r) => named.domain === registryHost(r, prepared.profile));
        if (!role) throw new Error(`can only preload images from the lab registries (${hosts.join(', ')}), not ${image}`);
        const local = image.replace(named.domain, `127.0.0.1:${reg.ports[role]}`);
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
        await resetStage(admin, { profile: prepared.profile, pullSecret });
        // the node side waits for the deleted pods' containers (an image in use cannot go), then their late events go
        await Promise.all(prepared.nodes.map((n) => resetNodeImages(n, hosts, profile.kubelet.ensureSecretPulledImages)));
        if (profile.kubelet.ensureSecretPulledImages) await waitUntilReady(admin, prepared.nodes.length, { timeoutMs: 120_000, cluster: prepared.name });
        await clearEvents(admin);
      },
      stop() {
        stopping ??= (async () => {
          if (!options.keep) {
            // gone for good, with its registries: a later start() of this profile creates them again
            clusters.delete(prepared.profile);
            made.delete(prepared.name);
            const own = REGISTRY_ROLES.map((r) => registryContainer(r, prepared.profile));
            for (const c of own) containers.delete(c);
            await Promise.all([deleteKindCluster(prepared.name), runCommand(removeContainers(own)).catch(() => undefined)]);
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

/** Marks a promise as handled (the rejection still reaches whoever awaits it), so one that nobody awaits yet cannot crash the process. */
function handled<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}
