// `npm test` runs this first (package.json "pretest"): the interop tests drive real programs, so they must be
// here. As root with apt it installs the missing Debian packages; otherwise it names them in one line and
// stops, instead of letting dozens of tests fail with "spawn htpasswd ENOENT".
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';

/** Program → the Debian package that has it. */
export const PROGRAMS = { skopeo: 'skopeo', 'docker-registry': 'docker-registry', htpasswd: 'apache2-utils', tmux: 'tmux', busybox: 'busybox' };

/** What to do about what is missing: nothing, install these packages, or ask for them in one line. */
export function prerequisitePlan(missing, { root, apt }) {
  const packages = [...new Set(missing.filter((p) => p in PROGRAMS).map((p) => PROGRAMS[p]))];
  const kubectl = missing.includes('kubectl');
  if (packages.length === 0 && !kubectl) return { kind: 'ok' };
  if (packages.length > 0 && root && apt && !kubectl) return { kind: 'install', packages };
  const parts = [];
  if (packages.length > 0) parts.push(`${root ? '' : 'sudo '}apt-get install ${packages.join(' ')}`);
  if (kubectl) parts.push('install kubectl (https://kubernetes.io/docs/tasks/tools/)');
  return { kind: 'request', line: `npm test: the interop tests need ${missing.join(', ')}: ${parts.join(', and ')}` };
}

const has = (program) => spawnSync('sh', ['-c', `command -v ${program}`], { stdio: 'ignore' }).status === 0;

function main() {
  const missing = [...Object.keys(PROGRAMS), 'kubectl'].filter((p) => !has(p));
  const plan = prerequisitePlan(missing, { root: process.getuid?.() === 0, apt: has('apt-get') });
  if (plan.kind === 'ok') return 0;
  if (plan.kind === 'request') {
    process.stderr.write(`${plan.line}\n`);
    return 1;
  }
  process.stderr.write(`npm test: installing ${plan.packages.join(' ')} from Debian for the interop tests…\n`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  // another apt may hold the lock for a while: wait for it rather than fail
  const apt = (args) => spawnSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', ...args], { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
  if (!apt(['update', '-qq']) || !apt(['install', '-y', '-qq', '--no-install-recommends', ...plan.packages])) {
    process.stderr.write(`npm test: apt-get could not install ${plan.packages.join(' ')}; install them and run npm test again\n`);
    return 1;
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main();
