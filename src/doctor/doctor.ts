// `image-heist doctor`: what this machine has, and which lab backends can run here and why not.
import { execa } from 'execa';
import { PROFILE_NAMES } from '../lab/profiles.js';
import {
  MIN_KIND_VERSION,
  assessDockerHost,
  compareVersions,
  probeDocker,
  probeDockerHost,
  probeKind,
  type DockerHost,
  type DockerProbe,
  type KindProbe,
} from '../kind/preflight.js';

export const MIN_NODE_VERSION = '20.19.0';

export type KubectlProbe = { found: true; version: string } | { found: false; reason: string };

/** The minor version the labs' API servers answer (/version: v1.36, src/embedded/apiserver/server.ts). */
export const LAB_SERVER_MINOR = 36;

/** kubectl is supported within one minor version of the API server (kubernetes.io/releases/version-skew-policy/#kubectl). */
export type KubectlSkew = { supported: true } | { supported: false; warning: string; fix: string };

export function kubectlSkew(version: string, serverMinor = LAB_SERVER_MINOR): KubectlSkew {
  const minor = Number(/^v?\d+\.(\d+)/.exec(version)?.[1]);
  if (!Number.isFinite(minor) || Math.abs(minor - serverMinor) <= 1) return { supported: true };
  const range = [serverMinor - 1, serverMinor, serverMinor + 1].map((m) => `v1.${m}`).join(', ');
  return {
    supported: false,
    warning: `${version} is ${Math.abs(minor - serverMinor)} minor versions ${minor < serverMinor ? 'behind' : 'ahead of'} the labs' v1.${serverMinor} API server; kubectl supports ±1 and warns about it on every command`,
    fix: `install kubectl ${range.replace(/, (?=[^,]*$)/, ' or ')} (https://kubernetes.io/docs/tasks/tools/)`,
  };
}

export type BackendAvailability = { available: true; notes?: string[] } | { available: false; reason: string; fix: string };

/** doctor judges the kind backend for what `run --backend kind` does by default: every profile at once, one worker each. */
export const DOCTOR_KIND_CLUSTERS = PROFILE_NAMES.length;

export interface DoctorReport {
  node: { version: string; supported: boolean };
  kubectl: KubectlProbe & { skew?: KubectlSkew };
  docker: DockerProbe;
  kind: KindProbe;
  backends: { embedded: BackendAvailability; kind: BackendAvailability };
}

export async function runDoctor(): Promise<DoctorReport> {
  const [kubectl, docker, kind] = await Promise.all([probeKubectl(), probeDocker(), probeKind()]);
  const node = { version: process.versions.node, supported: compareVersions(process.versions.node, MIN_NODE_VERSION) >= 0 };
  const host = docker.engine ? await probeDockerHost().catch(() => undefined) : undefined;
  return {
    node,
    kubectl: kubectl.found ? { ...kubectl, skew: kubectlSkew(kubectl.version) } : kubectl,
    docker,
    kind,
    backends: { embedded: embeddedAvailability(node), kind: kindAvailability(docker, kind, host) },
  };
}

/** The embedded backend needs only Node; kubectl is for the hands-on parts, not for the lab itself. */
export function embeddedAvailability(node: DoctorReport['node']): BackendAvailability {
  if (node.supported) return { available: true };
  return {
    available: false,
    reason: `Node ${node.version} is older than ${MIN_NODE_VERSION}`,
    fix: `install Node ${MIN_NODE_VERSION} or newer`,
  };
}

/** The same checks as the kind preflight (src/kind/preflight.ts assessDockerHost), so doctor and run agree. */
export function kindAvailability(docker: DockerProbe, kind: KindProbe, host?: DockerHost): BackendAvailability {
  // Name every blocker at once, so a user fixes them in one go rather than one per run.
  const blockers: { reason: string; fix: string }[] = [];
  if (!docker.engine) {
    blockers.push(
      docker.cliFound
        ? { reason: `no Docker engine answers (${docker.reason})`, fix: 'start Docker (or Docker Desktop)' }
        : { reason: 'Docker is not installed', fix: 'install Docker Engine or Docker Desktop' },
    );
  }
  if (!kind.found) blockers.push({ reason: kind.reason, fix: `install kind v${MIN_KIND_VERSION} or newer` });
  else if (!kind.supported) {
    blockers.push({ reason: `kind v${kind.version} is older than v${MIN_KIND_VERSION}`, fix: `upgrade kind to v${MIN_KIND_VERSION} or newer` });
  }
  const assessment = host ? assessDockerHost(host, DOCTOR_KIND_CLUSTERS, 1) : undefined;
  blockers.push(...(assessment?.blockers ?? []));
  if (blockers.length === 0) return assessment && assessment.notes.length > 0 ? { available: true, notes: assessment.notes } : { available: true };
  return { available: false, reason: blockers.map((b) => b.reason).join('; '), fix: blockers.map((b) => b.fix).join(', then ') };
}

async function probeKubectl(): Promise<KubectlProbe> {
  const result = await execa('kubectl', ['version', '--client', '--output=json'], { reject: false, timeout: 10_000, stdin: 'ignore' });
  if (result.code === 'ENOENT') return { found: false, reason: 'kubectl is not installed' };
  try {
    const version = (JSON.parse(result.stdout) as { clientVersion?: { gitVersion?: string } }).clientVersion?.gitVersion;
    if (version) return { found: true, version };
  } catch {
    // fall through: kubectl answered but not with the JSON we asked for
  }
  return { found: false, reason: `kubectl version failed: ${result.stderr.trim().split('\n')[0] ?? ''}` };
}

/** Plain text for a terminal: one fact per line, then one line per backend. */
export function formatDoctorReport(r: DoctorReport): string {
  const ok = (b: boolean) => (b ? 'ok  ' : 'no  ');
  const lines = [
    `${ok(r.node.supported)}node     ${r.node.version}${r.node.supported ? '' : ` (need >= ${MIN_NODE_VERSION})`}`,
    r.kubectl.found && r.kubectl.skew?.supported === false
      ? `warn kubectl  ${r.kubectl.skew.warning} — ${r.kubectl.skew.fix}`
      : `${ok(r.kubectl.found)}kubectl  ${r.kubectl.found ? r.kubectl.version : r.kubectl.reason}`,
    `${ok(r.docker.engine)}docker   ${r.docker.engine ? `engine ${r.docker.serverVersion}` : r.docker.reason}`,
    `${ok(r.kind.found && r.kind.supported)}kind     ${r.kind.found ? `v${r.kind.version}${r.kind.supported ? '' : ` (need >= v${MIN_KIND_VERSION})`}` : r.kind.reason}`,
    '',
    'backends:',
    ...Object.entries(r.backends).flatMap(([name, b]) =>
      b.available ? [`  ${name.padEnd(9)} available`, ...(b.notes ?? []).map((n) => `  ${''.padEnd(9)} (${n})`)] : [`  ${name.padEnd(9)} unavailable: ${b.reason} — ${b.fix}`],
    ),
  ];
  return lines.join('\n');
}
