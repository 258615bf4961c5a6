// What the kind backend needs from this machine, probed without side effects: a Docker engine that
// answers, and the kind CLI at a version that supports the node images the lab pins.
import { readFile } from 'node:fs/promises';
import { release } from 'node:os';
import { execa } from 'execa';
import { BackendUnavailableError } from '../errors.js';
import type { HostSettings } from './config.js';

/** kind v0.32.0 is the first release whose default node image (v1.36) has KubeletEnsureSecretPulledImages on. */
export const MIN_KIND_VERSION = '0.32.0';

const PROBE_TIMEOUT_MS = 10_000;

export type DockerProbe = { engine: true; serverVersion: string } | { engine: false; cliFound: boolean; reason: string };

export type KindProbe = { found: true; version: string; supported: boolean } | { found: false; reason: string };

/** Asks the Docker engine for its version, as `docker info` does; the CLI alone is not enough for kind. */
export async function probeDocker(): Promise<DockerProbe> {
  const result = await execa('docker', ['info', '--format', '{{.ServerVersion}}'], {
    reject: false,
    timeout: PROBE_TIMEOUT_MS,
    stdin: 'ignore',
  });
  if (isMissingBinary(result)) {
    return { engine: false, cliFound: false, reason: 'the docker CLI is not installed' };
  }
  const version = result.stdout.trim();
  if (result.exitCode === 0 && version !== '') return { engine: true, serverVersion: version };
  if (result.timedOut) return { engine: false, cliFound: true, reason: 'the Docker engine did not answer within 10 s' };
  return { engine: false, cliFound: true, reason: firstLine(result.stderr) || 'the Docker engine did not answer' };
}

/** Reads `kind version` ("kind v0.32.0 go1.24.2 linux/amd64"). */
export async function probeKind(): Promise<KindProbe> {
  const result = await execa('kind', ['version'], { reject: false, timeout: PROBE_TIMEOUT_MS, stdin: 'ignore' });
  if (isMissingBinary(result)) return { found: false, reason: 'the kind CLI is not installed' };
  const version = /v(\d+\.\d+\.\d+[^\s]*)/.exec(result.stdout)?.[1];
  if (result.exitCode !== 0 || version === undefined) {
    return { found: false, reason: `kind version failed: ${firstLine(result.stderr) || firstLine(result.stdout)}` };
  }
  return { found: true, version, supported: compareVersions(version, MIN_KIND_VERSION) >= 0 };
}

/** Compares dotted numeric versions, ignoring pre-release suffixes ("0.33.0-alpha" counts as 0.33.0). */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) =>
    v
      .replace(/^v/, '')
      .split(/[-+]/)[0]!
      .split('.')
      .map((n) => Number.parseInt(n, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  return 0;
}

function isMissingBinary(result: { code?: string; failed: boolean; exitCode?: number }): boolean {
  return result.code === 'ENOENT';
}

function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l !== '') ?? ''
  );
}

/** What kind's nodes need from the Docker host: memory, the cgroup version, the CPU architecture, and host limits. */
export interface DockerHost {
  memTotalBytes: number;
  cgroupVersion: string;
  /** As Docker reports it: x86_64, aarch64. */
  architecture: string;
  /** CPUs the engine sees (`docker info` NCPU), when known. */
  cpus?: number;
  /** Whether the engine runs on this machine's kernel (its kernel version is ours): only then are the next two read here. */
  sameKernel?: boolean;
  /** fs.inotify.max_user_instances on the engine's kernel, when known. */
  inotifyMaxUserInstances?: number;
  /** Whether privileged containers lose CAP_SYS_RESOURCE (this machine's bounding set lacks it), when known. */
  capSysResourceWithheld?: boolean;
}

export async function probeDockerHost(): Promise<DockerHost> {
  const result = await execa('docker', ['info', '--format', '{{.MemTotal}} {{.CgroupVersion}} {{.Architecture}} {{.KernelVersion}} {{.NCPU}}'], {
    reject: false,
    timeout: PROBE_TIMEOUT_MS,
    stdin: 'ignore',
  });
  const [mem, cgroup, arch, kernel, ncpu] = result.stdout.trim().split(/\s+/);
  if (result.exitCode !== 0 || !mem) throw new BackendUnavailableError(`docker info failed: ${firstLine(result.stderr) || 'no answer'}`, 'check that Docker is running');
  const cpus = Number(ncpu);
  const host: DockerHost = { memTotalBytes: Number(mem), cgroupVersion: cgroup ?? '', architecture: arch ?? '', ...(cpus > 0 ? { cpus } : {}) };
  // Docker Desktop and remote engines run another kernel: its limits cannot be read from here
  if (kernel === undefined || kernel !== release()) return { ...host, sameKernel: false };
  return { ...host, sameKernel: true, ...(await readLocalLimits()) };
}

/** CAP_SYS_RESOURCE is capability 24 (linux/capability.h). */
const CAP_SYS_RESOURCE = 24n;

async function readLocalLimits(): Promise<Pick<DockerHost, 'inotifyMaxUserInstances' | 'capSysResourceWithheld'>> {
  const out: Pick<DockerHost, 'inotifyMaxUserInstances' | 'capSysResourceWithheld'> = {};
  const instances = Number((await readFile('/proc/sys/fs/inotify/max_user_instances', 'utf8').catch(() => '')).trim());
  if (Number.isInteger(instances) && instances > 0) out.inotifyMaxUserInstances = instances;
  const status = await readFile('/proc/self/status', 'utf8').catch(() => '');
  const bounding = /^CapBnd:\s*([0-9a-f]+)$/m.exec(status)?.[1];
  if (bounding) out.capSysResourceWithheld = ((BigInt(`0x${bounding}`) >> CAP_SYS_RESOURCE) & 1n) === 0n;
  return out;
}

const GiB = 1024 ** 3;
/** Rough working sets of idle kind nodes (control plane: etcd + apiserver + controllers; worker: kubelet + containerd). */
export const MEMORY_PER_CONTROL_PLANE = 1 * GiB;
export const MEMORY_PER_WORKER = 0.5 * GiB;

export function memoryNeeded(clusters: number, workersPerCluster: number): number {
  return clusters * (MEMORY_PER_CONTROL_PLANE + workersPerCluster * MEMORY_PER_WORKER);
}

/** The OCI architecture of the node images Docker runs (x86_64 → amd64, aarch64 → arm64). */
export function ociArchitecture(dockerArchitecture: string): string {
  const map: Record<string, string> = { x86_64: 'amd64', amd64: 'amd64', aarch64: 'arm64', arm64: 'arm64' };
  return map[dockerArchitecture] ?? dockerArchitecture;
}

/** inotify instances a kind node uses (systemd, kubelet, containerd); 128 — a common default — served one 2-node cluster, not four (research/kind-offline.md). */
export const INOTIFY_INSTANCES_PER_NODE = 64;

export function inotifyInstancesNeeded(clusters: number, workersPerCluster: number): number {
  return clusters * (workersPerCluster + 1) * INOTIFY_INSTANCES_PER_NODE;
}

export interface HostAssessment {
  /** What stops the kind backend here, each with its fix. */
  blockers: { reason: string; fix: string }[];
  /** What the cluster configs adapt to (instead of refusing). */
  settings: HostSettings;
  /** One line per adaptation, to say what was done. */
  notes: string[];
}

/** The host checks `doctor` and the preflight share, so they cannot disagree. */
export function assessDockerHost(host: DockerHost, clusters: number, workers: number): HostAssessment {
  const blockers: HostAssessment['blockers'] = [];
  const notes: string[] = [];
  const settings: HostSettings = { cgroupV1: host.cgroupVersion === '1', oomScoreAdjRestricted: host.capSysResourceWithheld === true };
  if (settings.cgroupV1) notes.push('the Docker host runs cgroup v1: the kubelets run with failCgroupV1: false (Kubernetes 1.35+ refuses cgroup v1 otherwise)');
  if (settings.oomScoreAdjRestricted) notes.push('containers here lack CAP_SYS_RESOURCE: containerd runs with restrict_oom_score_adj = true');
  const need = memoryNeeded(clusters, workers);
  if (Number.isFinite(host.memTotalBytes) && host.memTotalBytes > 0 && host.memTotalBytes < need) {
    blockers.push({
      reason: `Docker has ${(host.memTotalBytes / GiB).toFixed(1)} GiB of memory; ${clusters} cluster${clusters === 1 ? '' : 's'} need about ${(need / GiB).toFixed(1)} GiB`,
      fix: 'give Docker more memory, or run fewer profiles at once (--profile none,kubelet-default)',
    });
  }
  const instances = inotifyInstancesNeeded(clusters, workers);
  if (host.inotifyMaxUserInstances !== undefined && host.inotifyMaxUserInstances < instances) {
    const suggested = Math.max(512, 2 ** Math.ceil(Math.log2(instances)));
    blockers.push({
      reason: `fs.inotify.max_user_instances is ${host.inotifyMaxUserInstances}; ${clusters} cluster${clusters === 1 ? '' : 's'} of ${workers + 1} nodes need about ${instances} (kubelets crash-loop with "too many open files" otherwise)`,
      fix: `sudo sysctl -w fs.inotify.max_user_instances=${suggested}`,
    });
  }
  return { blockers, settings, notes };
}

export interface KindPreflightOptions {
  /** How many clusters will run at once (one per profile). */
  clusters?: number;
  workers?: number;
  /** Stand-ins for the probes, for tests of the messages; the real probes by default. */
  probes?: { docker?: () => Promise<DockerProbe>; kind?: () => Promise<KindProbe>; host?: () => Promise<DockerHost> };
}

export interface KindPreflight extends DockerHost {
  assessment: HostAssessment;
}

/**
 * Everything the kind backend needs, checked before anything starts. Throws BackendUnavailableError (exit 3)
 * with one line naming the blockers and their fixes; returns the host and what the configs adapt to.
 */
export async function kindPreflight(options: KindPreflightOptions = {}): Promise<KindPreflight> {
  const docker = await (options.probes?.docker ?? probeDocker)();
  if (!docker.engine) {
    throw docker.cliFound
      ? new BackendUnavailableError(`the kind backend needs a Docker engine, and none answers (${docker.reason})`, 'start Docker (or Docker Desktop), or use --backend embedded')
      : new BackendUnavailableError('the kind backend needs Docker, which is not installed', 'install Docker Engine or Docker Desktop, or use --backend embedded');
  }
  const kind = await (options.probes?.kind ?? probeKind)();
  if (!kind.found)
    throw new BackendUnavailableError(`the kind backend needs the kind CLI (${kind.reason})`, `install kind v${MIN_KIND_VERSION} or newer (https://kind.sigs.k8s.io)`);
  if (!kind.supported)
    throw new BackendUnavailableError(
      `kind v${kind.version} is older than v${MIN_KIND_VERSION}, which the pinned Kubernetes 1.36 node image needs`,
      `upgrade kind to v${MIN_KIND_VERSION} or newer`,
    );
  const host = await (options.probes?.host ?? probeDockerHost)();
  const assessment = assessDockerHost(host, options.clusters ?? 1, options.workers ?? 1);
  if (assessment.blockers.length > 0) {
    throw new BackendUnavailableError(assessment.blockers.map((b) => b.reason).join('; '), assessment.blockers.map((b) => b.fix).join(', then '));
  }
  return { ...host, assessment };
}
