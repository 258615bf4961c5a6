// What the kind backend needs from this machine, probed without side effects: a Docker engine that
// answers, and the kind CLI at a version that supports the node images the lab pins.
import { execa } from 'execa';

/** kind v0.32.0 is the first release whose default node image (v1.36) has KubeletEnsureSecretPulledImages on. */
export const MIN_KIND_VERSION = '0.32.0';

const PROBE_TIMEOUT_MS = 10_000;

export type DockerProbe =
  | { engine: true; serverVersion: string }
  | { engine: false; cliFound: boolean; reason: string };

export type KindProbe =
  | { found: true; version: string; supported: boolean }
  | { found: false; reason: string };

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
  const parts = (v: string) => v.replace(/^v/, '').split(/[-+]/)[0]!.split('.').map((n) => Number.parseInt(n, 10) || 0);
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
  return text.split('\n').map((l) => l.trim()).find((l) => l !== '') ?? '';
}
