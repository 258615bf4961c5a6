// Kyverno's CLI (kubectl-kyverno) from the Go module proxy, to check what Kyverno's own library policy does
// (fidelity/kyverno-library.test.ts). `go install …@version` refuses a module whose go.mod has replace directives,
// as Kyverno's does, so the module is downloaded, copied out of the read-only module cache and built in its own
// tree. Cached by version (a module version names exact sources; go.sum checks them) under the fidelity cache;
// the first build is ≈ 10 min on 2 cores (measured 581 s, niced, downloads included).
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { cacheRoot, goBinary } from '../build.js';

export const kyvernoVersion = 'v1.19.1';
const modulePath = 'github.com/kyverno/kyverno';

export function kyvernoCliPath(): string {
  return path.join(cacheRoot(), 'kyverno', kyvernoVersion, 'kubectl-kyverno');
}

function goEnv(): Record<string, string> {
  const root = cacheRoot();
  return { GOMODCACHE: path.join(root, 'gomod'), GOCACHE: path.join(root, 'gocache'), GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false -mod=mod', CGO_ENABLED: '0' };
}

/** The CLI's path, built first when the cache lacks it. */
export async function ensureKyvernoCli(log: (line: string) => void = console.log): Promise<string> {
  const target = kyvernoCliPath();
  if (existsSync(target)) return target;
  const env = { ...process.env, ...goEnv() };
  const started = Date.now();
  log(`building kubectl-kyverno ${kyvernoVersion} from the Go module proxy (≈ 10 min the first time)`);
  const download = await execa(goBinary(), ['mod', 'download', '-json', `${modulePath}@${kyvernoVersion}`], { env, stdin: 'ignore' });
  const { Dir: moduleDir } = JSON.parse(download.stdout) as { Dir: string };
  await mkdir(path.dirname(target), { recursive: true });
  const work = await mkdtemp(path.join(path.dirname(target), 'src-'));
  try {
    await cp(moduleDir, work, { recursive: true, mode: 0 });
    await execa('chmod', ['-R', 'u+w', work]);
    await execa(goBinary(), ['build', '-o', `${target}.partial`, './cmd/cli/kubectl-kyverno'], { cwd: work, env, stdin: 'ignore', stdout: 'inherit', stderr: 'inherit' });
    await rename(`${target}.partial`, target);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  log(`kubectl-kyverno ${kyvernoVersion} built in ${Math.round((Date.now() - started) / 1000)} s`);
  return target;
}
