// The lab's registries as containers on the kind network, started by testcontainers: per profile, the htpasswd-
// protected one for SuperSecretImage1 and an anonymous one for public images (and mirrored system images). Both carry
// the lab label and no Ryuk session label (withAutoCleanup(false)): Ryuk never starts and never removes them; the lab
// does. Nothing comes from the internet: the registry image must be in Docker (pulled like kind's node image if not).
import { BackendUnavailableError } from '../errors.js';
import { CancelledError } from '../lab/shutdown.js';
import { htpasswdLine } from '../registry/htpasswd.js';
import { containerPort, removeContainers, startContainer, stopContainer } from './commands.js';
import { runCommand } from './exec.js';
import type { ProfileName } from '../lab/profiles.js';
import { ensureImage } from './images.js';
import { KIND_NETWORK, LAB_LABEL, REGISTRY_IMAGE, REGISTRY_PORT, registryContainer, type RegistryRole } from './names.js';

export interface RegistryContainerSpec {
  role: RegistryRole;
  profile: ProfileName;
  name: string;
  image: string;
  network: string;
  port: number;
  /** registry:3 configuration (distribution docs/content/about/deploying.md "Native basic auth"). */
  environment: Record<string, string>;
  labels: Record<string, string>;
  /** The htpasswd file, copied in before start: a missing file makes distribution invent a `docker` user (access.go). */
  htpasswd?: string;
  /** What /v2/ answers once the registry is up: 401 with auth, 200 without. */
  readyStatus: number;
}

export const HTPASSWD_PATH = '/auth/htpasswd';

/** bcrypt lines for the given users, as distribution accepts only bcrypt (registry/auth/htpasswd/htpasswd.go). */
export function renderHtpasswd(users: ReadonlyArray<{ username: string; password: string }>): string {
  return `${users.map((u) => htpasswdLine(u.username, u.password)).join('\n')}\n`;
}

export function registryContainerSpec(role: RegistryRole, profile: ProfileName, options: { htpasswd?: string; image?: string } = {}): RegistryContainerSpec {
  const { htpasswd } = options;
  const auth = role === 'secure';
  if (auth && !htpasswd) throw new Error('the secure registry needs an htpasswd file');
  return {
    role,
    profile,
    name: registryContainer(role, profile),
    image: options.image ?? REGISTRY_IMAGE,
    network: KIND_NETWORK,
    port: REGISTRY_PORT,
    environment: auth ? { REGISTRY_AUTH: 'htpasswd', REGISTRY_AUTH_HTPASSWD_REALM: 'image-heist', REGISTRY_AUTH_HTPASSWD_PATH: HTPASSWD_PATH } : {},
    labels: { [LAB_LABEL]: `registry-${role}`, [`${LAB_LABEL}.profile`]: profile },
    ...(auth ? { htpasswd } : {}),
    readyStatus: auth ? 401 : 200,
  };
}

export interface RunningRegistryContainer {
  spec: RegistryContainerSpec;
  /** The port published on the host, for pushing from here (localhost:PORT). */
  hostPort: number;
}

const UNDICI_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/**
 * testcontainers, loaded only when a container starts. Its undici 7 installs itself as Node's global fetch dispatcher
 * when none is set yet (undici lib/global.js), and Node 20's own fetch then fails requests with a Content-Length
 * header ("invalid content-length header") — the project's registry client sends those. So Node's own dispatcher
 * is made first and stays.
 */
export async function loadTestcontainers(): Promise<typeof import('testcontainers')> {
  offlineTestcontainers(process.env);
  const global = globalThis as unknown as Record<symbol, unknown>;
  // Node loads its own undici, which sets its dispatcher, on the first fetch; port 9 is a "bad port" that fetch
  // refuses before any connection (Fetch standard, port blocking), so this touches no network
  await fetch('http://127.0.0.1:9/').catch(() => undefined);
  const before = global[UNDICI_DISPATCHER];
  const module = await import('testcontainers');
  // testcontainers passes its own Agent explicitly (wait-strategies/http-wait-strategy.js); dockerode talks to
  // Docker without undici: nothing of theirs needs the global
  if (before !== undefined && global[UNDICI_DISPATCHER] !== before) global[UNDICI_DISPATCHER] = before;
  return module;
}

/**
 * testcontainers settings that keep it off the internet, unless the user chose otherwise: no Ryuk (its image comes
 * from Docker Hub; the lab removes its containers itself), and the host the published ports are reached on is
 * 127.0.0.1 as for the lab's own pushes — inside a container testcontainers would otherwise look for the bridge
 * gateway and, without one, run alpine:3.14 to find it (testcontainers container-runtime/utils/resolve-host.js).
 */
export function offlineTestcontainers(env: NodeJS.ProcessEnv): void {
  env['TESTCONTAINERS_RYUK_DISABLED'] ??= 'true';
  env['TESTCONTAINERS_HOST_OVERRIDE'] ??= '127.0.0.1';
}

/** A leftover of an earlier run (same name, our label) is removed first; a stranger's container of that name stops us. */
export async function startRegistryContainer(spec: RegistryContainerSpec, signal?: AbortSignal): Promise<RunningRegistryContainer> {
  await removeLeftover(spec.name);
  await ensureImage(spec.image, '--registry-image', signal);
  const { GenericContainer, Wait } = await loadTestcontainers();
  /** Publishes on 127.0.0.1 only: testcontainers binds every interface, and the anonymous registry takes pushes (research/kind-recipe.md P15). */
  class LoopbackContainer extends GenericContainer {
    publishOnLoopback(port: number): this {
      this.hostConfig.PortBindings = { [`${port}/tcp`]: [{ HostIp: '127.0.0.1', HostPort: '0' }] };
      return this;
    }
  }
  let builder = new LoopbackContainer(spec.image)
    .withName(spec.name)
    .withNetworkMode(spec.network)
    .withEnvironment(spec.environment)
    .withLabels(spec.labels)
    .withExposedPorts(spec.port)
    .publishOnLoopback(spec.port)
    .withWaitStrategy(Wait.forHttp('/v2/', spec.port).forStatusCode(spec.readyStatus))
    .withStartupTimeout(120_000)
    .withAutoCleanup(false);
  if (spec.htpasswd) builder = builder.withCopyContentToContainer([{ content: spec.htpasswd, target: HTPASSWD_PATH, mode: 0o644 }]);
  if (signal?.aborted) throw new CancelledError();
  const started = await builder.start();
  return { spec, hostPort: started.getMappedPort(spec.port) };
}

async function removeLeftover(name: string): Promise<void> {
  let label: string;
  try {
    label = (await runCommand({ file: 'docker', args: ['container', 'inspect', '--format', `{{index .Config.Labels "${LAB_LABEL}"}}`, name], title: `Inspecting ${name}` })).trim();
  } catch {
    return; // no such container
  }
  if (label === '' || label === '<no value>') {
    throw new BackendUnavailableError(`a container named ${name} exists and was not made by image-heist`, `remove or rename it (docker rm -f ${name})`);
  }
  await runCommand(removeContainers([name]));
}

/** An outage: the container stops, its name stops resolving on the kind network, pulls fail at once. */
export async function stopRegistryContainer(name: string): Promise<void> {
  await runCommand(stopContainer(name));
}

/** Back with the same storage; Docker may publish another host port, so it is read again. */
export async function startStoppedRegistryContainer(spec: RegistryContainerSpec): Promise<number> {
  await runCommand(startContainer(spec.name));
  const deadline = Date.now() + 60_000;
  const port = await readHostPort(spec.name, spec.port);
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/v2/`, { signal: AbortSignal.timeout(2_000) });
      await res.body?.cancel();
      if (res.status === spec.readyStatus) return port;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${spec.name} did not come back within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `docker port NAME 5000/tcp` prints `0.0.0.0:32768` (and `[::]:32768`). */
export async function readHostPort(name: string, port: number): Promise<number> {
  const out = await runCommand(containerPort(name, port));
  return parseHostPort(out);
}

export function parseHostPort(output: string): number {
  const m = /:(\d+)\s*$/m.exec(
    output
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? '',
  );
  if (!m) throw new Error(`cannot read a published port from ${JSON.stringify(output.trim())}`);
  return Number(m[1]);
}
