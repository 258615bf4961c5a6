// `image-heist run` as CI uses it: the real binary on the embedded backend, its exit codes and its reports.
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const bin = path.resolve('bin/image-heist.js');
const run = (args: string[]) => execa(process.execPath, [bin, 'run', ...args], { reject: false, stdin: 'ignore', env: { NO_COLOR: '1' } });

const dockerAnswers = (await execa('docker', ['info'], { reject: false, stdin: 'ignore' })).exitCode === 0;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'image-heist-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('image-heist run', () => {
  it('runs classic on every profile, prints the matrix and exits 0', async () => {
    const result = await run(['classic']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^classic\s+bypassed ok\s+blocked ok\s+blocked ok\s+blocked ok\s+bypassed ok\s+blocked ok\s+blocked ok$/m);
    expect(result.stdout).toMatch(/^7 passed, 0 failed$/m);
  }, 120_000); // seven labs side by side on two shared cores

  it('writes the documented JSON to stdout, and JUnit and Markdown files', async () => {
    const junit = path.join(dir, 'report.xml');
    const markdown = path.join(dir, 'transcript.md');
    const result = await run(['classic', '--profile', 'none,always-pull-images', '--json', '--junit', junit, '--markdown', markdown]);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ version: 1, backend: 'embedded', summary: { passed: 2, failed: 0 } });
    expect(report.results.map((r: { profile: string; verdict: string }) => `${r.profile}:${r.verdict}`)).toEqual(['none:bypassed', 'always-pull-images:blocked']);
    expect(report.results[0].steps[1]).toMatchObject({ id: 'admin2-runs-the-cached-image', passed: true, observed: { pod: 'Running', flag: 'seen' } });
    const xml = await readFile(junit, 'utf8');
    expect(xml).toContain('<testsuite name="classic" tests="2" failures="0"');
    const md = await readFile(markdown, 'utf8');
    expect(md).toContain('### On `always-pull-images`: ✔ blocked (as expected)');
    expect(md).toContain('| [classic](#classic) | ✘ bypassed | ✔ blocked |');
  });

  it('never prints a credential', async () => {
    const result = await run(['classic', '--profile', 'none', '--json']);
    const text = result.stdout + result.stderr;
    expect(text).not.toMatch(/password/i);
    expect(text).not.toMatch(/"auth"\s*:/);
  });

  it('exits 1 with expected vs observed when an expectation does not hold', async () => {
    const result = await run([path.resolve('test/fixtures/wrong-expectation/classic-wrong.yaml'), '--profile', 'none']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toMatch(/^classic-wrong\s+bypassed FAIL \(expected blocked\)$/m);
    expect(result.stdout).toContain('verdict: expected blocked, observed bypassed');
  });

  it("prints the API server's reason for a failed expectation, not only expected vs observed", async () => {
    // the pull policy misspelled in the manifest: the API server refuses the pod with 422 Invalid
    const result = await run([path.resolve('test/fixtures/typo/classic-typo.yaml'), '--profile', 'none']);
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain('step admin2-runs-the-cached-image: admission: expected allowed, observed denied');
    expect(result.stdout).toContain(
      'step admin2-runs-the-cached-image: the API server answered 422 Invalid: Pod "pod2" is invalid: spec.containers[0].imagePullPolicy: Unsupported value: "IfNotPresnt"',
    );
  });

  it('exits 2 with one line naming an unknown profile and the valid ones', async () => {
    const result = await run(['classic', '--profile', 'strict']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr.trim()).toBe(
      'image-heist: unknown profile "strict" — valid profiles: none, always-pull-images, kubelet-default, kubelet-always-verify, pod-security, validating-admission-policy, mutating-admission-policy, or all',
    );
  });

  it('suggests the name a typo away, for profiles and scenarios', async () => {
    const profile = await run(['classic', '--profile', 'all,nnoe']);
    expect(profile.exitCode).toBe(2);
    // `all` in a list is all: only the typo is an error
    expect(profile.stderr.trim()).toMatch(/^image-heist: unknown profile "nnoe"; did you mean "none"\? — /);
    const scenario = await run(['clasic']);
    expect(scenario.exitCode).toBe(2);
    expect(scenario.stderr.trim()).toMatch(/^image-heist: unknown scenario "clasic"; did you mean "classic"\? — /);
  });

  it('exits 2 for an unknown scenario', async () => {
    const result = await run(['no-such-scenario']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('unknown scenario "no-such-scenario"');
  });

  it('refuses every broken scenario file with file:line:column, exit 2 and no stack trace', async () => {
    const brokenDir = path.resolve('test/fixtures/broken-scenarios');
    const files = (await readdir(brokenDir)).filter((f) => f.endsWith('.yaml'));
    for (const file of files) {
      const result = await run([path.join(brokenDir, file)]);
      expect(result.exitCode, file).toBe(2);
      const lines = result.stderr.trim().split('\n');
      expect(lines, file).toHaveLength(1);
      expect(lines[0], file).toMatch(new RegExp(`^image-heist: ${path.join(brokenDir, file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+: `));
      expect(result.stderr, file).not.toMatch(/\n\s+at /);
    }
  }, 120_000);

  // where a Docker engine answers, the live suite (npm run test:kind) covers the kind backend instead
  it.skipIf(dockerAnswers)('without a Docker engine, --backend kind exits 3 with one line and the fix', async () => {
    const result = await run(['classic', '--backend', 'kind']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/^image-heist: the kind backend needs (a Docker engine|Docker).* — .*--backend embedded/);
  });

  it("--backend kind --dry-run shows configs that enable exactly each profile's defence, and starts nothing", async () => {
    const result = await run(['--backend', 'kind', '--dry-run']);
    expect(result.exitCode).toBe(0);
    const sections = result.stdout.split(/^## Cluster /m).slice(1);
    expect(sections.map((s) => s.split(' ')[0])).toEqual([
      'image-heist-none',
      'image-heist-always-pull-images',
      'image-heist-kubelet-default',
      'image-heist-kubelet-always-verify',
      'image-heist-pod-security',
      'image-heist-validating-admission-policy',
      'image-heist-mutating-admission-policy',
    ]);
    const [none, apl, kd, kav] = sections;
    expect(apl).toContain('enable-admission-plugins: NodeRestriction,AlwaysPullImages');
    for (const s of [none, kd, kav]) expect(s).not.toContain('AlwaysPullImages');
    expect(none).toContain('imagePullCredentialsVerificationPolicy: NeverVerify');
    expect(apl).toContain('imagePullCredentialsVerificationPolicy: NeverVerify');
    expect(kd).toContain('imagePullCredentialsVerificationPolicy: NeverVerifyPreloadedImages');
    expect(kav).toContain('imagePullCredentialsVerificationPolicy: AlwaysVerify');
    // the plan shows where credentials go, never their values
    expect(result.stdout).toContain('"password":"<random per run, redacted>"');
    expect(result.stdout).not.toMatch(/"password":"(?!<random per run, redacted>)/);
  });

  it('refuses kind-only flags on the embedded backend', async () => {
    const result = await run(['classic', '--keep']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--keep is for the kind backend — add --backend kind');
  });
});
