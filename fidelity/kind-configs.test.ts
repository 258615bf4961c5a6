// cluster-configs/ checked with real tools, without Docker: kind v0.32.0's own loader, validation and kubeadm
// renderer (cluster-configs/kind-check/main.go.txt compiled inside kind's source, as check.sh does), then the
// rendered kubeadm config through a real kubeadm v1.36.3: `kubeadm config validate`, and the kube-apiserver static
// pod and kubelet config kubeadm would write (dry run, KUBEADM_INIT_DRYRUN_DIR in a temp dir), so the profile's admission plugins and kubelet settings are
// shown to survive kind → kubeadm → component flags/config. The real kind binary is run too, to record how far it
// gets without a container runtime.
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROFILE_NAMES, PROFILES } from '../src/lab/profiles.js';
import { binaryPath, buildUnavailableReason, cacheRoot, ensureBinaries, fidelityDir, isBuilt, kindVersion } from './build.js';

const repo = path.resolve(fidelityDir, '..');

async function unavailable(): Promise<string | undefined> {
  if ((await isBuilt('kubeadm')) && (await isBuilt('kind'))) return undefined;
  const reason = await buildUnavailableReason();
  if (reason) return reason;
  try {
    await ensureBinaries(['kubeadm', 'kind']);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
const reason = await unavailable();
if (reason) {
  console.log(`kind config check: no kubeadm/kind: ${reason}`);
  if (process.env.FIDELITY_OPTIONAL !== '1') {
    it('builds or finds kubeadm and kind', () => {
      throw new Error(`${reason}\n(set FIDELITY_OPTIONAL=1 to skip instead of failing)`);
    });
  }
}

const goEnv = () => ({
  GOMODCACHE: path.join(cacheRoot(), 'gomod'),
  GOCACHE: path.join(cacheRoot(), 'gocache'),
  GOTOOLCHAIN: 'local',
  GOFLAGS: '-buildvcs=false -mod=mod',
  CGO_ENABLED: '0',
});
const go = process.env.GO ?? '/usr/local/go/bin/go';

describe.skipIf(reason !== undefined)('cluster-configs/ with kind v0.32.0 and kubeadm v1.36.3', () => {
  let dir: string;
  let checker: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-kind-configs-'));
    // kind's kubeadm renderer is internal to pkg/cluster: the checker is compiled inside a copy of kind's source.
    const dl = await execa(go, ['mod', 'download', '-json', `sigs.k8s.io/kind@${kindVersion}`], { env: goEnv(), cwd: dir });
    const src = (JSON.parse(dl.stdout) as { Dir: string }).Dir;
    const kind = path.join(dir, 'kind');
    await cp(src, kind, { recursive: true });
    await execa('chmod', ['-R', 'u+w', kind]);
    await mkdir(path.join(kind, 'pkg/cluster/imageheistcheck'), { recursive: true });
    await cp(path.join(repo, 'cluster-configs/kind-check/main.go.txt'), path.join(kind, 'pkg/cluster/imageheistcheck/main.go'));
    checker = path.join(dir, 'check');
    await execa('nice', ['-n', '19', go, 'build', '-o', checker, './pkg/cluster/imageheistcheck'], { cwd: kind, env: goEnv() });
  }, 30 * 60_000);
  afterAll(async () => {
    if (dir) {
      await execa('chmod', ['-R', 'u+w', dir], { reject: false });
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each(PROFILE_NAMES)('%s: kind loads and validates it, kubeadm accepts the config kind renders, and the settings reach the components', async (profile) => {
    const config = path.join(repo, 'cluster-configs', `${profile}.yaml`);
    const rendered = await execa(checker, [config], { reject: false });
    expect(rendered.exitCode, rendered.stderr).toBe(0);
    // kind's checker prints "nodes=… containerdPatches=…" then the kubeadm config; the kind checker pins v1.36.1,
    // the node image's version; kubeadm v1.36.3 accepts a control plane of the same minor.
    const kubeadmConfig = rendered.stdout.split('\n').slice(1).join('\n');
    const raw = path.join(dir, `${profile}.kubeadm.yaml`);
    await writeFile(raw, kubeadmConfig);
    const kubeadm = (args: string[]) => execa(binaryPath('kubeadm'), args, { reject: false, env: { KUBEADM_INIT_DRYRUN_DIR: out } });
    const out = path.join(dir, `${profile}-dry-run`);
    await mkdir(out, { recursive: true });

    // Finding: kind v0.32.0's own template gives every document `metadata: {name: config}`, which the strict
    // `kubeadm config validate` rejects; `kubeadm init` (what kind runs) only warns about it. Not from our patches.
    const strict = await kubeadm(['config', 'validate', '--config', raw]);
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toContain('strict decoding error: unknown field "metadata"');
    // Without kind's stray metadata, kubeadm v1.36.3 accepts every document, our patches included.
    const withoutMetadata = path.join(dir, `${profile}.kubeadm.validate.yaml`);
    await writeFile(withoutMetadata, kubeadmConfig.replace(/^metadata:\n {2}name: config\n/gm, ''));
    const validate = await kubeadm(['config', 'validate', '--config', withoutMetadata]);
    console.log(`[${profile}] kubeadm config validate (kind's metadata removed): exit ${validate.exitCode} ${validate.stdout.trim()}`);
    expect(validate.exitCode, `${validate.stdout}\n${validate.stderr}`).toBe(0);

    // kubeadm's own rendering from the file kind really hands it (dry run: into `out`, nothing on the host).
    const apiserver = await kubeadm(['init', 'phase', 'control-plane', 'apiserver', '--config', raw, '--dry-run']);
    expect(apiserver.exitCode, apiserver.stderr).toBe(0);
    const manifest = await readFile(path.join(out, 'kube-apiserver.yaml'), 'utf8');
    const flag = /--enable-admission-plugins=(\S+)/.exec(manifest)?.[1];
    console.log(`[${profile}] kube-apiserver static pod: --enable-admission-plugins=${flag}`);
    expect(new Set(flag?.split(','))).toEqual(new Set(['NodeRestriction', ...PROFILES[profile].enableAdmissionPlugins]));

    const kubeletStart = await kubeadm(['init', 'phase', 'kubelet-start', '--config', raw, '--dry-run']);
    expect(kubeletStart.exitCode, kubeletStart.stderr).toBe(0);
    const kubelet = parseYaml(await readFile(path.join(out, 'config.yaml'), 'utf8')) as Record<string, unknown>;
    console.log(
      `[${profile}] kubelet config.yaml: featureGates=${JSON.stringify(kubelet.featureGates)} imagePullCredentialsVerificationPolicy=${String(kubelet.imagePullCredentialsVerificationPolicy)}`,
    );
    expect(kubelet.featureGates).toEqual({ KubeletEnsureSecretPulledImages: PROFILES[profile].kubelet.ensureSecretPulledImages });
    expect(kubelet.imagePullCredentialsVerificationPolicy).toBe(PROFILES[profile].kubelet.imagePullCredentialsVerificationPolicy);
  });

  it('the real kind binary reads the config and stops only at the missing container runtime', async () => {
    // No docker/podman/nerdctl on PATH: kind must fail for that reason, not for the config.
    const empty = path.join(dir, 'no-runtime-bin');
    await mkdir(empty, { recursive: true });
    const r = await execa(
      binaryPath('kind'),
      ['create', 'cluster', '--config', path.join(repo, 'cluster-configs/always-pull-images.yaml'), '--kubeconfig', path.join(dir, 'kind.kubeconfig')],
      {
        reject: false,
        env: { PATH: empty, HOME: dir },
        extendEnv: false,
        timeout: 60_000,
      },
    );
    console.log(`kind create cluster without a runtime: exit ${r.exitCode}\n${r.stderr}`.trim());
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).not.toMatch(/error converting YAML|unknown field|invalid configuration/i);
    expect(r.stderr).toMatch(/docker|podman|nerdctl|provider|executable file not found/i);
  });
});
