// Builds (or reuses) the upstream binaries the fidelity suite runs: kube-apiserver and etcd at the version the
// embedded API server claims, from the Go module proxy, into a cache outside the repository. fidelity/go.mod pins
// the versions; nothing here is project logic, only `go build` with upstream's version stamp.
//
//   npm run fidelity:build                  # etcd + kube-apiserver
//   npm run fidelity:build -- kubelet kubeadm kind   # the stretch/config-check tools too
//
// The offline kind node image (fidelity/kind-node) builds every Kubernetes binary here too: the ones from
// fidelity/go.mod in ONE `go build` invocation, so the packages they share compile once.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { serverVersion } from '../src/embedded/apiserver/server.js';

export const fidelityDir = path.dirname(fileURLToPath(import.meta.url));

/** The Kubernetes version pinned in fidelity/go.mod; it must be the one the embedded server claims. */
export const kubernetesVersion = serverVersion.gitVersion;

/** kind as the project's kind backend pins it (src/kind/*: v0.32.0), built from its own go.mod like `go install`. */
export const kindVersion = 'v0.32.0';

/** Upstream main packages, by binary name; `pkg@version` ones are built with their own module's pins. */
export const binaries = {
  etcd: 'go.etcd.io/etcd/server/v3',
  'kube-apiserver': 'k8s.io/kubernetes/cmd/kube-apiserver',
  'kube-controller-manager': 'k8s.io/kubernetes/cmd/kube-controller-manager',
  'kube-scheduler': 'k8s.io/kubernetes/cmd/kube-scheduler',
  'kube-proxy': 'k8s.io/kubernetes/cmd/kube-proxy',
  kubelet: 'k8s.io/kubernetes/cmd/kubelet',
  kubeadm: 'k8s.io/kubernetes/cmd/kubeadm',
  kubectl: 'k8s.io/kubernetes/cmd/kubectl',
  kind: `sigs.k8s.io/kind@${kindVersion}`,
  // the node image's other tools: crictl as kind v0.32.0's base image pins it (images/base/Dockerfile
  // CRICTL_VERSION), distribution for the lab's registry image, CoreDNS from its own small module
  crictl: 'sigs.k8s.io/cri-tools/cmd/crictl@v1.36.0',
  registry: 'github.com/distribution/distribution/v3/cmd/registry@v3.0.0',
  coredns: 'kind-node/coredns',
} as const;
export type BinaryName = keyof typeof binaries;
export const defaultBinaries: readonly BinaryName[] = ['etcd', 'kube-apiserver'];

/** Version stamps of the non-Kubernetes tools (their Makefiles' -X flags). */
const extraLdflags: Partial<Record<BinaryName, string>> = {
  crictl: '-X sigs.k8s.io/cri-tools/pkg/version.Version=v1.36.0',
  registry: '-X github.com/distribution/distribution/v3/version.version=v3.0.0',
};

/** How a binary is built: from fidelity/go.mod (shared), `go install pkg@version`, or a local module dir. */
function buildKind(name: BinaryName): 'shared' | 'install' | 'local' {
  const pkg: string = binaries[name];
  if (pkg.includes('@')) return 'install';
  return pkg.startsWith('kind-node/') ? 'local' : 'shared';
}

export function cacheRoot(): string {
  return path.join(process.env.XDG_CACHE_HOME || path.join(homedir(), '.cache'), 'image-heist', 'fidelity');
}

export function binDir(): string {
  return path.join(cacheRoot(), kubernetesVersion, 'bin');
}

export function binaryPath(name: BinaryName): string {
  return path.join(binDir(), name);
}

export interface BuildStats {
  binary: BinaryName;
  seconds: number;
  /** Built in the same `go build` invocation (the seconds are the group's). */
  builtWith?: BinaryName[];
  peakRssMiB?: number;
  moduleCacheMiB: number;
  buildCacheMiB: number;
}

/** Why the binaries cannot be built here, or undefined when they can. */
export async function buildUnavailableReason(): Promise<string | undefined> {
  const go = goBinary();
  const r = await execa(go, ['version'], { reject: false });
  if (r.exitCode !== 0) return `no Go toolchain (${go}); install Go >= 1.26 or set GO=/path/to/go`;
  const pinned = await readFile(path.join(fidelityDir, 'go.mod'), 'utf8');
  if (!pinned.includes(`k8s.io/kubernetes ${kubernetesVersion}`)) {
    return `fidelity/go.mod does not pin k8s.io/kubernetes ${kubernetesVersion}, the version the embedded API server claims`;
  }
  return undefined;
}

export function goBinary(): string {
  if (process.env.GO) return process.env.GO;
  return existsSync('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : 'go';
}

/** The version stamp upstream's hack/lib/version.sh puts in, so /version answers as a release build. */
function ldflags(): string {
  const [major, minor] = kubernetesVersion.replace(/^v/, '').split('.');
  const stamp = (pkg: string) => [`gitVersion=${kubernetesVersion}`, `gitMajor=${major}`, `gitMinor=${minor}`, 'gitTreeState=clean'].map((kv) => `-X ${pkg}.${kv}`);
  return ['-s', '-w', ...stamp('k8s.io/component-base/version'), ...stamp('k8s.io/client-go/pkg/version')].join(' ');
}

function goEnv(): Record<string, string> {
  const root = cacheRoot();
  return {
    GOMODCACHE: path.join(root, 'gomod'),
    GOCACHE: path.join(root, 'gocache'),
    GOTOOLCHAIN: 'local',
    GOFLAGS: '-buildvcs=false -mod=readonly',
    CGO_ENABLED: '0',
  };
}

async function fingerprint(name: BinaryName): Promise<string> {
  const hash = createHash('sha256');
  const dir = buildKind(name) === 'local' ? path.join(fidelityDir, binaries[name]) : fidelityDir;
  for (const f of ['go.mod', 'go.sum']) hash.update(await readFile(path.join(dir, f)));
  if (buildKind(name) === 'local') for (const f of (await readdir(dir)).filter((f) => f.endsWith('.go')).sort()) hash.update(await readFile(path.join(dir, f)));
  hash
    .update(binaries[name])
    .update(ldflags())
    .update(extraLdflags[name] ?? '');
  return hash.digest('hex');
}

/** The fingerprints of the given binaries, for caches built from them (the kind node image). */
export async function binaryFingerprints(names: readonly BinaryName[]): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(names.map(async (n) => [n, await fingerprint(n)] as const)));
}

async function duMiB(dir: string): Promise<number> {
  if (!existsSync(dir)) return 0;
  const r = await execa('du', ['-sk', dir], { reject: false });
  return Math.round(Number(r.stdout.split(/\s/)[0] ?? 0) / 1024);
}

/** True when `name` is in the cache and was built from the current go.mod/go.sum. */
export async function isBuilt(name: BinaryName): Promise<boolean> {
  const stamp = `${binaryPath(name)}.stamp`;
  if (!existsSync(binaryPath(name)) || !existsSync(stamp)) return false;
  return (await readFile(stamp, 'utf8')).trim() === (await fingerprint(name));
}

/**
 * Builds each missing binary with `nice -n 19` (these machines are shared), measuring wall time, peak memory
 * (/usr/bin/time -v) and the module/build cache growth. Reuses what is already built from the same pins. The
 * missing binaries of fidelity/go.mod are built by one `go build -o DIR/ pkg…`, so their shared packages compile
 * once (their recorded time is that of the whole group).
 */
export async function ensureBinaries(names: readonly BinaryName[] = defaultBinaries, log: (line: string) => void = console.log): Promise<BuildStats[]> {
  const stats: BuildStats[] = [];
  await mkdir(binDir(), { recursive: true });
  const missing: BinaryName[] = [];
  for (const name of new Set(names)) if (!(await isBuilt(name))) missing.push(name);
  if (missing.length === 0) return stats;
  const reason = await buildUnavailableReason();
  if (reason) throw new Error(`cannot build ${missing.join(', ')}: ${reason}`);
  const shared = missing.filter((n) => buildKind(n) === 'shared');
  const groups: BinaryName[][] = [...(shared.length > 0 ? [shared] : []), ...missing.filter((n) => buildKind(n) !== 'shared').map((n) => [n])];
  for (const group of groups) stats.push(...(await buildGroup(group, log)));
  return stats;
}

async function buildGroup(group: BinaryName[], log: (line: string) => void): Promise<BuildStats[]> {
  const env = goEnv();
  const [modBefore, buildBefore] = [await duMiB(env.GOMODCACHE!), await duMiB(env.GOCACHE!)];
  const first = group[0]!;
  const kind = buildKind(first);
  log(`building ${group.join(', ')} (${group.map((n) => binaries[n]).join(' ')}) into ${binDir()} — nice -n 19, this takes a while`);
  const ld = [ldflags(), extraLdflags[first] ?? ''].join(' ').trim();
  let cwd = fidelityDir;
  let goArgs: string[];
  if (kind === 'install') {
    goArgs = ['install', '-trimpath', '-ldflags', ['-s -w', extraLdflags[first] ?? ''].join(' ').trim(), binaries[first]];
    Object.assign(env, { GOBIN: binDir(), GOFLAGS: '-buildvcs=false' });
  } else if (kind === 'local') {
    cwd = path.join(fidelityDir, binaries[first]);
    goArgs = ['build', '-trimpath', '-ldflags', '-s -w', '-o', binaryPath(first), '.'];
  } else {
    // `go build -o DIR/` names each binary after its package's last element (etcd's is "server", as the /v3
    // major-version suffix is skipped), so every package is built into a scratch dir and renamed
    goArgs = ['build', '-trimpath', '-ldflags', ld, '-o', `${path.join(binDir(), '.group')}/`, ...group.map((n) => binaries[n])];
  }
  const timeV = existsSync('/usr/bin/time');
  const argv = [...(timeV ? ['/usr/bin/time', '-v'] : []), 'nice', '-n', '19', goBinary(), ...goArgs];
  const started = Date.now();
  const r = await execa(argv[0]!, argv.slice(1), { cwd, env, reject: false, all: true });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (r.exitCode !== 0) throw new Error(`go ${goArgs[0]} ${group.join(' ')} failed (exit ${r.exitCode}):\n${r.all?.split('\n').slice(-40).join('\n')}`);
  if (kind === 'shared') {
    for (const name of group) {
      const pkg: string = binaries[name];
      const built = pkg
        .split('/')
        .filter((e) => !/^v\d+$/.test(e))
        .at(-1)!;
      await rename(path.join(binDir(), '.group', built), binaryPath(name));
    }
    await rm(path.join(binDir(), '.group'), { recursive: true, force: true });
  }
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.all ?? '')?.[1];
  const [modAfter, buildAfter] = [await duMiB(env.GOMODCACHE!), await duMiB(env.GOCACHE!)];
  const out: BuildStats[] = [];
  for (const name of group) {
    const s: BuildStats = {
      binary: name,
      seconds,
      ...(group.length > 1 ? { builtWith: group.filter((n) => n !== name) } : {}),
      ...(rss ? { peakRssMiB: Math.round(Number(rss) / 1024) } : {}),
      moduleCacheMiB: modAfter - modBefore,
      buildCacheMiB: buildAfter - buildBefore,
    };
    out.push(s);
    await writeFile(`${binaryPath(name)}.stamp`, `${await fingerprint(name)}\n`);
    await writeFile(path.join(binDir(), `${name}.build.json`), `${JSON.stringify(s, null, 2)}\n`);
  }
  log(`built ${group.join(', ')}: ${seconds}s, peak ${out[0]?.peakRssMiB ?? '?'} MiB, module cache +${modAfter - modBefore} MiB, build cache +${buildAfter - buildBefore} MiB`);
  return out;
}

/** The recorded cost of every binary in the cache (from the build that made it). */
export async function recordedBuildStats(): Promise<BuildStats[]> {
  if (!existsSync(binDir())) return [];
  const out: BuildStats[] = [];
  for (const f of (await readdir(binDir())).filter((f) => f.endsWith('.build.json')).sort()) {
    out.push(JSON.parse(await readFile(path.join(binDir(), f), 'utf8')) as BuildStats);
  }
  return out;
}

export async function binarySizeMiB(name: BinaryName): Promise<number> {
  return Math.round((await stat(binaryPath(name))).size / 1024 / 1024);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((n) => !(n in binaries));
  if (unknown.length > 0) {
    console.error(`unknown binary ${unknown.join(', ')}; known: ${Object.keys(binaries).join(', ')}`);
    process.exit(2);
  }
  try {
    await ensureBinaries(wanted.length > 0 ? (wanted as BinaryName[]) : defaultBinaries);
    for (const s of await recordedBuildStats()) {
      console.log(`${s.binary}: ${await binarySizeMiB(s.binary)} MiB binary; built in ${s.seconds}s, peak ${s.peakRssMiB ?? '?'} MiB, module cache +${s.moduleCacheMiB} MiB`);
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
