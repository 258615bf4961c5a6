import { describe, expect, it } from 'vitest';
import { serverVersion } from '../embedded/apiserver/server.js';
import { embeddedAvailability, formatDoctorReport, kubectlSkew, LAB_SERVER_MINOR, kindAvailability, type DoctorReport } from './doctor.js';
import { compareVersions } from '../kind/preflight.js';
import { PROFILE_NAMES } from '../lab/profiles.js';

describe('kindAvailability', () => {
  it('is available only with a Docker engine and a supported kind', () => {
    expect(kindAvailability({ engine: true, serverVersion: '28.2.2' }, { found: true, version: '0.32.0', supported: true })).toEqual({ available: true });
  });

  it('names every blocker and its fix in one line', () => {
    const result = kindAvailability({ engine: false, cliFound: true, reason: 'Cannot connect to the Docker daemon' }, { found: false, reason: 'the kind CLI is not installed' });
    expect(result).toEqual({
      available: false,
      reason: 'no Docker engine answers (Cannot connect to the Docker daemon); the kind CLI is not installed',
      fix: 'start Docker (or Docker Desktop), then install kind v0.32.0 or newer',
    });
  });

  it('refuses a kind older than v0.32.0', () => {
    const result = kindAvailability({ engine: true, serverVersion: '28' }, { found: true, version: '0.31.0', supported: false });
    expect(result).toMatchObject({ available: false, reason: 'kind v0.31.0 is older than v0.32.0' });
  });

  it('says when Docker is not installed at all', () => {
    const result = kindAvailability({ engine: false, cliFound: false, reason: 'x' }, { found: true, version: '0.32.0', supported: true });
    expect(result).toMatchObject({ available: false, reason: 'Docker is not installed' });
  });
});

describe('embeddedAvailability', () => {
  it('needs Node 20.19 or newer', () => {
    expect(embeddedAvailability({ version: '20.19.0', supported: true })).toEqual({ available: true });
    expect(embeddedAvailability({ version: '20.10.0', supported: false })).toMatchObject({ available: false });
  });
});

describe('compareVersions', () => {
  it.each([
    ['0.32.0', '0.32.0', 0],
    ['0.33.0-alpha', '0.32.0', 1],
    ['v0.31.9', '0.32.0', -1],
    ['20.20.2', '20.19.0', 1],
    ['1.10', '1.9.9', 1],
  ])('%s vs %s → %i', (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});

describe('formatDoctorReport', () => {
  it('prints one line per fact and the fix for an unavailable backend', () => {
    const report: DoctorReport = {
      node: { version: '20.20.2', supported: true },
      kubectl: { found: true, version: 'v1.32.4' },
      docker: { engine: false, cliFound: true, reason: 'Cannot connect' },
      kind: { found: false, reason: 'the kind CLI is not installed' },
      backends: {
        embedded: { available: true },
        kind: { available: false, reason: 'no Docker engine answers (Cannot connect)', fix: 'start Docker' },
      },
    };
    const text = formatDoctorReport(report);
    expect(text).toContain('ok  kubectl  v1.32.4');
    expect(text).toContain('no  docker   Cannot connect');
    expect(text).toContain('  embedded  available');
    expect(text).toContain('  kind      unavailable: no Docker engine answers (Cannot connect) — start Docker');
  });
});

describe('kubectl version skew', () => {
  it('knows the minor version the lab serves', () => {
    expect(String(LAB_SERVER_MINOR)).toBe(serverVersion.minor);
  });

  it('warns outside ±1 minor version, with the fix', () => {
    expect(kubectlSkew('v1.35.0')).toEqual({ supported: true });
    expect(kubectlSkew('v1.37.2')).toEqual({ supported: true });
    const old = kubectlSkew('v1.32.4-dispatcher');
    expect(old).toMatchObject({ supported: false, fix: 'install kubectl v1.35, v1.36 or v1.37 (https://kubernetes.io/docs/tasks/tools/)' });
    expect(old.supported === false && old.warning).toContain("v1.32.4-dispatcher is 4 minor versions behind the labs' v1.36 API server");
    const report: DoctorReport = {
      node: { version: '20.19.0', supported: true },
      kubectl: { found: true, version: 'v1.32.4', skew: kubectlSkew('v1.32.4') },
      docker: { engine: false, cliFound: false, reason: 'x' },
      kind: { found: false, reason: 'y' },
      backends: { embedded: { available: true }, kind: { available: false, reason: 'r', fix: 'f' } },
    };
    expect(formatDoctorReport(report).split('\n')[1]).toMatch(/^warn kubectl {2}v1\.32\.4 is 4 minor versions behind .* — install kubectl v1\.35, v1\.36 or v1\.37/);
  });
});

describe('doctor and the kind preflight agree', () => {
  const engine = { engine: true as const, serverVersion: '28.2.2' };
  const kind = { found: true as const, version: '0.32.0', supported: true };
  const GiB = 1024 ** 3;

  it('refuses for memory and inotify as the preflight does, for every profile at once', () => {
    const result = kindAvailability(engine, kind, { memTotalBytes: 2 * GiB, cgroupVersion: '2', architecture: 'x86_64', inotifyMaxUserInstances: 128 });
    expect(result.available).toBe(false);
    if (result.available) return;
    expect(result.reason).toMatch(new RegExp(`2\\.0 GiB of memory; ${PROFILE_NAMES.length} clusters`));
    expect(result.reason).toMatch(/max_user_instances is 128/);
    expect(result.fix).toMatch(/sudo sysctl -w fs\.inotify\.max_user_instances=\d+/);
  });

  it('says what it adapts to on cgroup v1 without refusing', () => {
    const result = kindAvailability(engine, kind, { memTotalBytes: 16 * GiB, cgroupVersion: '1', architecture: 'x86_64', capSysResourceWithheld: true });
    expect(result).toMatchObject({ available: true, notes: [expect.stringMatching(/failCgroupV1: false/), expect.stringMatching(/restrict_oom_score_adj/)] });
  });
});
