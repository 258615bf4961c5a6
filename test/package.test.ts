// The package as a user gets it: `npm pack`, then an install into an empty folder with no network (the npm cache
// that `npm ci` filled, pinned by a lockfile made from ours), then the installed binary: --version, run classic
// --json, up + kubectl with the written kubeconfig, down, and play in tmux. The tarball holds what a user needs
// (compiled dist/, scenarios, the tutorial, cluster-configs, the schema, README, LICENSE) and no tests or sources.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './support/build.js';
import { paneWith, tmux } from './support/tmux.js';

const repo = path.resolve('.');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  license: string;
  dependencies: Record<string, string>;
  bin: Record<string, string>;
  engines: Record<string, string>;
};
type LockEntry = { dev?: boolean; link?: boolean };

let work: string;
let app: string;
let files: string[];
// npm's own variables (vitest started by npm) would change how the app names itself; CI=true would make Ink
// print only its last frame
const env = { ...process.env, npm_command: undefined, npm_lifecycle_event: undefined, npm_config_prefix: undefined, CI: undefined };
const heist = (args: string[], options: { reject?: boolean; timeout?: number } = {}) =>
  execa('npx', ['--offline', 'image-heist', ...args], { cwd: app, env, extendEnv: false, reject: options.reject ?? true, timeout: options.timeout ?? 60_000 });
/** The installed binary itself: a signal reaches it (npx does not pass SIGINT on to the command it runs). */
const installedBin = (args: string[], options: { reject?: boolean; timeout?: number } = {}) =>
  execa(path.join(app, 'node_modules', '.bin', 'image-heist'), args, { cwd: app, env, extendEnv: false, reject: options.reject ?? true, timeout: options.timeout ?? 60_000 });

beforeAll(async () => {
  await ensureBuilt();
  work = await mkdtemp(path.join(tmpdir(), 'image-heist-package-'));
  // prepare has built dist/ (npm ci) or ensureBuilt did: packing again must not rebuild under the other tests' feet
  const packed = await execa('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: repo });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  files = info!.files.map((f) => f.path);
  const tarball = path.join(work, info!.filename);

  // The install resolves nothing over the network: a lockfile with our locked versions of the runtime
  // dependencies (their tarballs are in npm's cache after `npm ci`) and the packed tarball itself.
  app = path.join(work, 'app');
  await execa('mkdir', ['-p', app]);
  const lock = JSON.parse(await readFile(path.join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const spec = `file:${path.relative(app, tarball)}`;
  const integrity = `sha512-${createHash('sha512')
    .update(await readFile(tarball))
    .digest('base64')}`;
  const packages: Record<string, unknown> = {
    '': { name: 'app', dependencies: { [pkg.name]: spec } },
    [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: spec, integrity, license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines },
  };
  for (const [key, entry] of Object.entries(lock.packages)) if (key.startsWith('node_modules/') && !entry.dev && !entry.link) packages[key] = entry;
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, dependencies: { [pkg.name]: spec } }, null, 2));
  await writeFile(path.join(app, 'package-lock.json'), JSON.stringify({ name: 'app', lockfileVersion: 3, requires: true, packages }, null, 2));
  // --ignore-scripts: the package has no install script; the optional native builds of its dependencies
  // (cpu-features under testcontainers) would fetch Node headers, which an offline install cannot
  await execa('npm', ['ci', '--offline', '--no-audit', '--no-fund', '--ignore-scripts'], { cwd: app, env, extendEnv: false });
}, 400_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the compiled code and the files it reads, and no tests, sources or dev tooling', () => {
    for (const needed of [
      'package.json',
      'README.md',
      'LICENSE',
      'bin/image-heist.js',
      'dist/.built',
      'dist/cli/main.js',
      'dist/ui/run-play.js',
      'dist/embedded/apiserver/field-schema.json',
      'scenarios/classic.yaml',
      'docs/tutorial/01-image-cache-and-pull-policies.md',
      'docs/scenario.schema.json',
      'cluster-configs/none.yaml',
      'cluster-configs/policies/require-always.yaml',
    ]) {
      expect(files, needed).toContain(needed);
    }
    expect(files.filter((f) => /(^|\/)(src|test|fidelity|bench|scripts|node_modules)\/|\.test\.|test-helpers|test-events|test-images|\.tsx?$/.test(f))).toEqual([]);
  });

  it('installed offline into an empty folder, runs --version from dist/ without tsx', async () => {
    const installed = path.join(app, 'node_modules', pkg.name);
    expect(existsSync(path.join(installed, 'src'))).toBe(false);
    expect(existsSync(path.join(app, 'node_modules', 'tsx'))).toBe(false);
    const { stdout } = await heist(['--version']);
    expect(stdout.trim()).toBe(pkg.version);
  });

  it('run classic --json: the verdicts from the installed package', async () => {
    const { stdout } = await heist(['run', 'classic', '--json'], { timeout: 120_000 });
    const report = JSON.parse(stdout) as { results: Array<{ scenario: string; profile: string; verdict: string; passed: boolean }> };
    const verdicts = Object.fromEntries(report.results.map((r) => [r.profile, r.verdict]));
    expect(report.results.every((r) => r.scenario === 'classic' && r.passed)).toBe(true);
    expect(verdicts['none']).toBe('bypassed');
    expect(verdicts['always-pull-images']).toBe('blocked');
  }, 150_000);

  it('up writes a kubeconfig kubectl uses, Ctrl-C stops it, and down answers with one line', async () => {
    const labDir = path.join(work, 'lab');
    const up = installedBin(['up', '--dir', labDir], { reject: false, timeout: 120_000 });
    try {
      const deadline = Date.now() + 60_000;
      while (!existsSync(path.join(labDir, 'lab.json'))) {
        if (up.exitCode !== null) throw new Error(`up exited ${up.exitCode}`);
        if (Date.now() > deadline) throw new Error('up wrote no lab.json within 60 s');
        await new Promise((r) => setTimeout(r, 100));
      }
      const kubectl = await execa('kubectl', ['--kubeconfig', path.join(labDir, 'kubeconfig'), '--cache-dir', path.join(work, 'kube-cache'), 'get', 'pods', '-A'], {
        reject: false,
      });
      expect(kubectl.exitCode, kubectl.stderr).toBe(0);
      expect(kubectl.stderr).not.toMatch(/error/i);
    } finally {
      up.kill('SIGINT');
    }
    const stopped = await up;
    expect(stopped.exitCode).toBe(0);
    expect(existsSync(path.join(labDir, 'lab.json'))).toBe(false);

    // down cleans up the kind backend: without Docker it says so in one line (exit 3), never a stack trace
    const down = await heist(['down'], { reject: false });
    expect([0, 3]).toContain(down.exitCode);
    expect(down.stderr).not.toMatch(/\n\s+at /);
  }, 150_000);

  it('play classic draws the app in tmux and q ends it', async () => {
    const session = `heist-package-${process.pid}`;
    const bin = path.join(app, 'node_modules', '.bin', 'image-heist');
    await tmux([
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '80',
      '-y',
      '24',
      `env -u CI TERM=xterm-256color ${bin} play classic --dir ${path.join(work, 'play')}; echo "image-heist exited $?"; sleep 60`,
    ]);
    try {
      await paneWith(session, (p) => p.includes('Steps 0/2'), 60_000);
      await tmux(['send-keys', '-t', session, 'q']);
      await paneWith(session, (p) => p.includes('image-heist exited 0'), 30_000);
    } finally {
      await tmux(['kill-session', '-t', session], false);
    }
  }, 120_000);
});
