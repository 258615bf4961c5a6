import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, ExitCode, formatUserError } from '../errors.js';
import {
  assessDockerHost,
  inotifyInstancesNeeded,
  kindPreflight,
  memoryNeeded,
  ociArchitecture,
  probeDocker,
  type DockerHost,
  type DockerProbe,
  type KindProbe,
} from './preflight.js';

const GiB = 1024 ** 3;
const engine: DockerProbe = { engine: true, serverVersion: '28.2.2' };
const kind: KindProbe = { found: true, version: '0.32.0', supported: true };
const host: DockerHost = { memTotalBytes: 16 * GiB, cgroupVersion: '2', architecture: 'x86_64' };

async function failure(probes: Parameters<typeof kindPreflight>[0]): Promise<BackendUnavailableError> {
  const error = await kindPreflight(probes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BackendUnavailableError);
  const e = error as BackendUnavailableError;
  expect(e.exitCode).toBe(ExitCode.backendUnavailable);
  expect(formatUserError(e)).not.toContain('\n');
  return e;
}

// The probes' answers are stand-ins here (this machine has no Docker engine); the messages and exit codes are real.
describe('kind preflight messages', () => {
  it('no engine: one line that says so and how to fix it', async () => {
    const e = await failure({
      probes: { docker: async () => ({ engine: false, cliFound: true, reason: 'Cannot connect to the Docker daemon' }), kind: async () => kind, host: async () => host },
    });
    expect(formatUserError(e)).toMatch(/needs a Docker engine, and none answers \(Cannot connect to the Docker daemon\) — start Docker/);
  });

  it('no docker CLI at all', async () => {
    const e = await failure({ probes: { docker: async () => ({ engine: false, cliFound: false, reason: 'x' }), kind: async () => kind, host: async () => host } });
    expect(e.message).toMatch(/not installed/);
  });

  it('kind missing or too old', async () => {
    expect(
      (await failure({ probes: { docker: async () => engine, kind: async () => ({ found: false, reason: 'the kind CLI is not installed' }), host: async () => host } })).hint,
    ).toMatch(/install kind v0\.32\.0/);
    expect(
      (await failure({ probes: { docker: async () => engine, kind: async () => ({ found: true, version: '0.31.0', supported: false }), host: async () => host } })).message,
    ).toMatch(/v0\.31\.0 is older than v0\.32\.0/);
  });

  it('adapts to cgroup v1 and a withheld CAP_SYS_RESOURCE instead of refusing, and says so', async () => {
    const result = await kindPreflight({
      probes: { docker: async () => engine, kind: async () => kind, host: async () => ({ ...host, cgroupVersion: '1', capSysResourceWithheld: true }) },
    });
    expect(result.assessment.settings).toEqual({ cgroupV1: true, oomScoreAdjRestricted: true });
    expect(result.assessment.notes.join('\n')).toMatch(/failCgroupV1: false[\s\S]*restrict_oom_score_adj = true/);
    expect(assessDockerHost(host, 1, 1)).toEqual({ blockers: [], settings: { cgroupV1: false, oomScoreAdjRestricted: false }, notes: [] });
  });

  it('too few inotify instances for the clusters: one line with the sysctl that fixes it', async () => {
    const e = await failure({
      clusters: 4,
      workers: 1,
      probes: { docker: async () => engine, kind: async () => kind, host: async () => ({ ...host, inotifyMaxUserInstances: 128 }) },
    });
    expect(formatUserError(e)).toMatch(/fs\.inotify\.max_user_instances is 128; 4 clusters of 2 nodes need about 512 .* — sudo sysctl -w fs\.inotify\.max_user_instances=512/);
    // one cluster of two nodes fits the common default of 128
    expect(assessDockerHost({ ...host, inotifyMaxUserInstances: 128 }, 1, 1).blockers).toEqual([]);
    expect(inotifyInstancesNeeded(4, 1)).toBe(512);
  });

  it('too little memory', async () => {
    const e = await failure({ clusters: 4, workers: 1, probes: { docker: async () => engine, kind: async () => kind, host: async () => ({ ...host, memTotalBytes: 4 * GiB }) } });
    expect(e.message).toMatch(/4\.0 GiB of memory; 4 clusters need about 6\.0 GiB/);
  });

  it('passes when everything is there', async () => {
    await expect(kindPreflight({ clusters: 4, probes: { docker: async () => engine, kind: async () => kind, host: async () => host } })).resolves.toMatchObject({
      ...host,
      assessment: { blockers: [] },
    });
    expect(memoryNeeded(1, 1)).toBe(1.5 * GiB);
    expect(ociArchitecture('x86_64')).toBe('amd64');
    expect(ociArchitecture('aarch64')).toBe('arm64');
  });

  it('with the real probes, agrees with what docker info says on this machine', async () => {
    const docker = await probeDocker();
    if (docker.engine) {
      // a Docker engine answers: the preflight gets past the engine check (it may still stop at kind or memory)
      await kindPreflight().catch((e: unknown) => expect((e as Error).message).not.toMatch(/Docker engine/));
    } else {
      const e = await failure({});
      expect(e.message).toMatch(/Docker/);
    }
  });
});
