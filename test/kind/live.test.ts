// The live kind suite (`npm run test:kind`): real kind clusters on this machine, offline. It takes the Docker
// engine DOCKER_HOST names (else starts kind:host's), builds/loads the offline node, registry and busybox images
// when the engine lacks them, puts the cached kind v0.32.0 on PATH, then: the stage on a real cluster; the
// catalogue on every profile with each verdict and its evidence compared with the embedded backend's (reset
// between scenarios, never a new cluster); `play --backend kind` in tmux; Ctrl-C and `down` leaving nothing.
// It ends with one line: `kind parity: N/M verdicts equal the embedded backend`.
//
// IMAGE_HEIST_KIND_MATRIX=full (default) runs the whole catalogue, three profiles' labs at a time
// (IMAGE_HEIST_KIND_PARALLEL); `ci` runs classic and one more scenario (so one reset) on every profile at once, as
// .ci/run does to stay within its time limit.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedBackend } from '../../src/embedded/lab.js';
import { createKindBackend, type KindBackendOptions } from '../../src/kind/backend.js';
import { clusterName, LAB_LABEL } from '../../src/kind/names.js';
import { PROFILE_NAMES, type ProfileName } from '../../src/lab/profiles.js';
import { makeDockerConfigJson } from '../../src/registry/docker-config.js';
import { loadBuiltInCatalogue } from '../../src/scenario/catalogue.js';
import { KIND_TIMING, runMatrix } from '../../src/scenario/engine.js';
import type { ScenarioResult } from '../../src/scenario/results.js';
import { engineImpossibleReason, prepareLiveEnvironment, releaseEngine, withTimeout, type LiveEnvironment } from './environment.js';
import { evidenceDifferences, parityLine } from './parity.js';

const LIVE_ENV = 'IMAGE_HEIST_KIND_LIVE';
const matrixMode = process.env.IMAGE_HEIST_KIND_MATRIX === 'ci' ? 'ci' : 'full';
/** In ci mode: classic, then one more scenario on the same clusters, so one reset is exercised on every profile. */
const CI_SCENARIOS = ['classic', 'public-image'];

async function skipReason(): Promise<string | undefined> {
  if (process.env[LIVE_ENV] !== '1') return `it creates real clusters; run it with \`npm run test:kind\` (sets ${LIVE_ENV}=1)`;
  return engineImpossibleReason();
}

const reason = await skipReason();
if (reason) console.log(`kind live suite skipped: ${reason}`);

const log = (line: string) => console.log(line);
const bin = path.resolve('bin/image-heist.js');
const docker = (...args: string[]) => execa('docker', args, { reject: false, stdin: 'ignore', timeout: 120_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function status(kubeconfig: string, call: (core: CoreV1Api) => Promise<unknown>): Promise<number> {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  try {
    await call(kc.makeApiClient(CoreV1Api));
    return 200;
  } catch (error) {
    if (error instanceof ApiException) return error.code;
    throw error;
  }
}

/** What the lab leaves in Docker and /tmp: kind nodes, lab containers, networks, the backend's temp dirs. */
async function leftovers(networksBefore: Set<string>): Promise<string[]> {
  const lines = async (...args: string[]) => (await docker(...args)).stdout.split('\n').filter(Boolean);
  const nodes = await lines('ps', '-a', '--filter', 'label=io.x-k8s.kind.cluster', '--format', 'node {{.Names}}');
  const lab = await lines('ps', '-a', '--filter', `label=${LAB_LABEL}`, '--format', 'container {{.Names}}');
  const networks = (await lines('network', 'ls', '--format', '{{.Name}}')).filter((n) => !networksBefore.has(n)).map((n) => `network ${n}`);
  const temp = (await readdir(tmpdir())).filter((f) => f.startsWith('image-heist-kind-')).map((f) => `temp dir ${f}`);
  return [...nodes, ...lab, ...networks, ...temp];
}

async function until<T>(what: string, ms: number, probe: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${Math.round(ms / 1000)} s`);
    await sleep(500);
  }
}

describe.skipIf(reason !== undefined)(`kind live suite${reason ? ` (skipped: ${reason})` : ''}`, () => {
  let env: LiveEnvironment | undefined;
  const networksBefore = new Set<string>();
  const backends: { shutdown(): Promise<void> }[] = [];
  const started = Date.now();
  const imageArgs = () => ['--node-image', env!.images.node, '--registry-image', env!.images.registry, '--busybox-image', env!.images.busybox];
  // the backend's options: the offline images in place of the pinned upstream ones
  const backendOptions = (profiles: ProfileName[]) => ({ profiles, skipPreflight: true, images: env!.images }) satisfies KindBackendOptions;

  beforeAll(async () => {
    env = await prepareLiveEnvironment(log);
    for (const n of (await docker('network', 'ls', '--format', '{{.Name}}')).stdout.split('\n').filter(Boolean)) if (n !== 'kind') networksBefore.add(n);
    // nothing of an earlier run may be mistaken for this one's
    const before = await leftovers(networksBefore);
    if (before.length > 0) throw new Error(`the engine holds leftovers of an earlier lab: ${before.join(', ')} (run \`image-heist down\`)`);
  }, 110 * 60_000);

  afterAll(async () => {
    for (const b of backends) await withTimeout(b.shutdown(), 5 * 60_000, 'shutting a kind backend down').catch((e: unknown) => log(String(e)));
    if (env)
      log(
        `kind live suite: ${Math.round((Date.now() - started) / 1000)} s (images ${env.imageSeconds} s${env.engineStartSeconds !== undefined ? `, dockerd start ${env.engineStartSeconds} s` : ''})`,
      );
    await releaseEngine(env, log);
  }, 10 * 60_000);

  it(
    'sets the stage with real identities, the profile settings on the nodes, and no anonymous access to the secret image',
    async () => {
      const backend = createKindBackend(backendOptions(['always-pull-images']));
      backends.push(backend);
      const lab = await withTimeout(
        backend.start({ profile: 'always-pull-images', onProgress: (p) => p.status === 'started' && log(`  ${p.action}`) }),
        15 * 60_000,
        'starting the always-pull-images lab',
      );
      try {
        const [worker, controlPlane] = [lab.info.nodes[0]!, lab.info.nodes.at(-1)!];
        // Admin2 really is limited: forbidden in tenant-a, at home in tenant-b; Admin1 the other way round
        expect(await status(lab.kubeconfigFor('admin2'), (c) => c.listNamespacedSecret({ namespace: 'tenant-a' }))).toBe(403);
        expect(await status(lab.kubeconfigFor('admin2'), (c) => c.listNamespacedPod({ namespace: 'tenant-b' }))).toBe(200);
        expect(await status(lab.kubeconfigFor('admin1'), (c) => c.readNamespacedSecret({ name: lab.info.tenants.admin1.pullSecret, namespace: 'tenant-a' }))).toBe(200);
        expect(await status(lab.kubeconfigFor('admin1'), (c) => c.listNamespacedPod({ namespace: 'tenant-b' }))).toBe(403);
        expect(await status(lab.kubeconfigFor('admin'), (c) => c.listNode())).toBe(200);
        // the profile reached kube-apiserver and the kubelet
        const apiserver = await docker('exec', controlPlane, 'grep', 'enable-admission-plugins', '/etc/kubernetes/manifests/kube-apiserver.yaml');
        expect(apiserver.stdout).toContain('--enable-admission-plugins=NodeRestriction,AlwaysPullImages');
        const kubelet = await docker('exec', worker, 'cat', '/var/lib/kubelet/config.yaml');
        expect(kubelet.stdout).toMatch(/imagePullCredentialsVerificationPolicy: NeverVerify\b/);
        const containerd = await docker('exec', worker, 'containerd', 'config', 'dump');
        expect(containerd.stdout).toContain('config_path = "/etc/containerd/certs.d"');
        const hostsToml = await docker('exec', worker, 'cat', `/etc/containerd/certs.d/${lab.info.registry.host}/hosts.toml`);
        expect(hostsToml.stdout).toContain(`server = "http://${lab.info.registry.host}"`);
        // the offline node image's own pod network: every node got a podCIDR and a CNI config for it
        const cni = await docker('exec', worker, 'cat', '/etc/cni/net.d/10-image-heist.conflist');
        expect(cni.stdout).toContain('"type": "ptp"');
        // the node has no credentials of its own: an anonymous pull of the secret image fails
        const anonymous = await docker('exec', worker, 'crictl', 'pull', lab.info.images.secret);
        expect(anonymous.exitCode).not.toBe(0);
        expect(anonymous.stderr).toMatch(/401|unauthorized|authorization/i);
      } finally {
        await lab.stop();
      }
    },
    20 * 60_000,
  );

  it(
    `runs the catalogue (${matrixMode}) on every profile with the verdicts and evidence of the embedded backend, resetting between scenarios`,
    async () => {
      const catalogue = await loadBuiltInCatalogue();
      const scenarios = matrixMode === 'ci' ? catalogue.filter((s) => CI_SCENARIOS.includes(s.metadata.name)) : catalogue;
      expect(scenarios.length).toBe(matrixMode === 'ci' ? CI_SCENARIOS.length : catalogue.length);
      const profiles = [...PROFILE_NAMES];
      const embedded = await runMatrix({ scenarios, profiles, backend: createEmbeddedBackend() });
      const backend = createKindBackend(backendOptions(profiles));
      backends.push(backend);
      // each profile's node containers when its first scenario ends and when its last one starts (a lab is deleted
      // right after its last scenario): a reset that recreated a cluster would change them
      const nodesOf = async (profile: ProfileName) =>
        (await docker('ps', '--filter', `label=io.x-k8s.kind.cluster=${clusterName(profile)}`, '--format', '{{.ID}}')).stdout.split('\n').filter(Boolean).sort();
      const lastScenario = scenarios.at(-1)!.metadata.name;
      const firstNodes = new Map<ProfileName, Promise<string[]>>();
      const lastNodes = new Map<ProfileName, Promise<string[]>>();
      const matrixStarted = Date.now();
      const onKind: ScenarioResult[] = await withTimeout(
        runMatrix({
          scenarios,
          profiles,
          backend,
          timing: KIND_TIMING,
          // the whole catalogue keeps a control plane busy for minutes: seven side by side on 2 cores restarted their
          // API servers under load ≈ 48 (socket hang up); the short ci matrix runs them all at once
          ...(matrixMode === 'full' ? { parallelLabs: Number(process.env.IMAGE_HEIST_KIND_PARALLEL) || 3 } : {}),
          emit: (e) => {
            if (e.type === 'lab-progress' && e.progress.status === 'started') log(`  [${e.profile}] ${e.progress.action}`);
            if (e.type === 'verdict') {
              log(`  [${e.profile}] ${e.scenario}: ${e.result.verdict}${e.result.passed ? '' : ' (expectations not met)'} (${(e.result.durationMs / 1000).toFixed(1)} s)`);
              if (!firstNodes.has(e.profile)) firstNodes.set(e.profile, nodesOf(e.profile));
            }
            if (e.type === 'step-started' && e.scenario === lastScenario && !lastNodes.has(e.profile)) lastNodes.set(e.profile, nodesOf(e.profile));
          },
        }),
        60 * 60_000,
        'the catalogue on kind',
      );
      log(`catalogue on kind: ${Math.round((Date.now() - matrixStarted) / 1000)} s for ${onKind.length} runs`);
      const key = (r: { scenario: string; profile: string }) => `${r.scenario} on ${r.profile}`;
      expect(onKind.map(key)).toEqual(embedded.map(key));
      const byKey = new Map(onKind.map((r) => [key(r), r]));
      const differences = embedded.flatMap((r) => evidenceDifferences(r, byKey.get(key(r))!).map((d) => `${key(r)}: ${d}`));
      const equal = embedded.filter((r) => evidenceDifferences(r, byKey.get(key(r))!).length === 0).length;
      console.log(parityLine(equal, embedded.length));
      expect(differences).toEqual([]);
      // the expectations too, step by step: where kind and the embedded model part ways, this names the step
      const unmet = onKind
        .filter((r) => !r.passed)
        .map(
          (r) =>
            `${key(r)}: ${r.steps
              .filter((s) => !s.passed)
              .map((s) => s.error ?? s.id)
              .join(', ')}`,
        );
      expect(unmet).toEqual([]);
      // one cluster per profile for the whole catalogue: the same node containers from the first scenario to the last
      for (const profile of profiles) {
        const [first, last] = await Promise.all([firstNodes.get(profile), lastNodes.get(profile)]);
        expect(last, `${profile}: its nodes while the last scenario ran`).toHaveLength(2);
        expect(last, `${profile}: reset, not recreated`).toEqual(first);
      }
      await backend.shutdown();
      expect(await leftovers(networksBefore)).toEqual([]);
    },
    70 * 60_000,
  );

  it(
    'play --backend kind in tmux shows BYPASSED beside BLOCKED, and q leaves no cluster, container or network',
    async () => {
      const session = `ih-kind-images-live-${process.pid}`;
      const tmux = (...args: string[]) => execa('tmux', args, { reject: false });
      const command = `env -u CI TERM=xterm-256color DOCKER_HOST=${process.env.DOCKER_HOST ?? ''} PATH=${process.env.PATH} ${process.execPath} ${bin} play classic --backend kind ${imageArgs().join(' ')}; echo "image-heist exited $?"; sleep 600`;
      await tmux('new-session', '-d', '-s', session, '-x', '100', '-y', '30', command);
      try {
        const pane = async () => (await tmux('capture-pane', '-p', '-t', session)).stdout;
        // both labs ready: each panel lists its nodes
        await until('both kind labs ready in play', 15 * 60_000, async () => {
          const p = await pane();
          return p.includes('Steps 0/2') && (p.match(/▣ /g) ?? []).length >= 2 ? true : undefined;
        });
        await tmux('send-keys', '-t', session, 'Enter');
        await until('step 1 (Admin1 runs the image) on both clusters', 5 * 60_000, async () => ((await pane()).includes('Steps 1/2') ? true : undefined));
        await tmux('send-keys', '-t', session, 'Space');
        const shown = await until('BYPASSED and BLOCKED in the play panes', 5 * 60_000, async () => {
          const p = await pane();
          return p.includes('BYPASSED') && p.includes('BLOCKED') ? p : undefined;
        });
        expect(shown).toMatch(/BYPASSED/);
        expect(shown).toMatch(/BLOCKED/);
        await tmux('send-keys', '-t', session, 'q');
        await until('play to exit after q', 5 * 60_000, async () => ((await pane()).includes('image-heist exited') ? true : undefined));
        expect(await pane()).toContain('image-heist exited 0');
        expect(await leftovers(networksBefore)).toEqual([]);
      } finally {
        await tmux('kill-session', '-t', session);
      }
    },
    25 * 60_000,
  );

  it(
    'audit on an `up --backend kind` lab: passive finds the heist open; --attack runs it for real and leaves no object behind',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'ih-kind-audit-'));
      const up = execa(process.execPath, [bin, 'up', '--backend', 'kind', '--profile', 'none', '--dir', dir, ...imageArgs()], { reject: false, stdin: 'ignore', all: true });
      try {
        type LabJson = { kubeconfig: string; registry: { host: string; username: string; password: string }; images: { secret: string; public: string } };
        const info = await until('up --backend kind to write lab.json', 15 * 60_000, async () => {
          if (up.exitCode !== null) throw new Error(`up exited ${up.exitCode}: ${up.all}`);
          return readFile(path.join(dir, 'lab.json'), 'utf8').then(
            (t) => JSON.parse(t) as LabJson,
            () => undefined,
          );
        });
        const audit = (...args: string[]) =>
          withTimeout(
            execa(process.execPath, [bin, 'audit', '--kubeconfig', info.kubeconfig, '--context', 'admin', '--json', ...args], { reject: false, stdin: 'ignore' }),
            10 * 60_000,
            'image-heist audit',
          );
        type Report = { conclusion: string; gaps: { id: string; status: string }[]; attack?: { containers: { kind: string; evidence: string }; cleanedUp: boolean } };

        const passive = await audit('--namespace', 'tenant-b');
        expect(passive.exitCode, passive.stderr).toBe(1);
        const found = JSON.parse(passive.stdout) as Report;
        expect(found.conclusion).toBe('exposed');
        expect(found.gaps.find((g) => g.id === 'containers')?.status).toBe('open');

        const secret = path.join(dir, 'pull-secret.json');
        await writeFile(secret, makeDockerConfigJson(info.registry.host, info.registry.username, info.registry.password), { mode: 0o600 });
        const attack = await audit('--attack', '--yes', '--image', info.images.secret, '--pull-secret', secret, '--host-image', info.images.public, '--timeout', '300');
        expect(attack.exitCode, attack.stderr).toBe(1);
        const report = JSON.parse(attack.stdout) as Report;
        expect(report.attack?.containers.kind).toBe('bypassed');
        expect(report.attack?.containers.evidence).toMatch(/FLAG\{[0-9a-f]{32}\}/);
        expect(report.attack?.cleanedUp).toBe(true);
        expect(attack.stdout + attack.stderr).not.toContain(info.registry.password);
        // the throwaway namespaces are gone (a namespace terminates after its pods): nothing of the attack is left
        await until('the audit namespaces to be deleted', 5 * 60_000, async () => {
          const r = await execa(
            'kubectl',
            ['--kubeconfig', info.kubeconfig, '--context', 'admin', 'get', 'namespaces', '-l', 'app.kubernetes.io/managed-by=image-heist-audit', '-o', 'name'],
            { reject: false },
          );
          return r.exitCode === 0 && r.stdout.trim() === '' ? true : undefined;
        });
      } finally {
        up.kill('SIGINT');
        await withTimeout(up, 5 * 60_000, 'up to stop after Ctrl-C').catch((e: unknown) => log(String(e)));
        await rm(dir, { recursive: true, force: true });
      }
      expect(await leftovers(networksBefore)).toEqual([]);
    },
    30 * 60_000,
  );

  it(
    'kind save writes the workshop kit (node, registry, busybox) into one archive, and kind load brings it back',
    async () => {
      const dir = await mkdtemp(path.join(tmpdir(), 'ih-kind-kit-'));
      const kit = path.join(dir, 'kit.tar');
      try {
        const save = await withTimeout(
          execa(process.execPath, [bin, 'kind', 'save', kit, ...imageArgs()], { reject: false, stdin: 'ignore', all: true }),
          20 * 60_000,
          'kind save',
        );
        expect(save.exitCode, save.all).toBe(0);
        const listing = await execa('tar', ['-xOf', kit, 'manifest.json']);
        const tags = (JSON.parse(listing.stdout) as { RepoTags: string[] | null }[]).flatMap((m) => m.RepoTags ?? []);
        expect(tags.sort()).toEqual([env!.images.busybox, env!.images.node, env!.images.registry].sort());
        // the kit really restores an image: the busybox image goes, `kind load` brings it back under its name
        expect((await docker('image', 'rm', env!.images.busybox)).exitCode).toBe(0);
        const load = await withTimeout(execa(process.execPath, [bin, 'kind', 'load', kit], { reject: false, stdin: 'ignore', all: true }), 20 * 60_000, 'kind load');
        expect(load.exitCode, load.all).toBe(0);
        expect(load.all).toContain(env!.images.busybox);
        expect((await docker('image', 'inspect', env!.images.busybox)).exitCode).toBe(0);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    30 * 60_000,
  );

  it(
    'Ctrl-C during a kind run cleans up and exits 130; down removes what a kept run left',
    async () => {
      const run = execa(process.execPath, [bin, 'run', '--backend', 'kind', '--profile', 'none', ...imageArgs()], { reject: false, stdin: 'ignore', all: true });
      // interrupt once the cluster's node container exists (creation under way)
      await until('the kind node container to appear', 10 * 60_000, async () =>
        (await docker('ps', '-q', '--filter', 'label=io.x-k8s.kind.cluster')).stdout.trim() ? true : undefined,
      );
      run.kill('SIGINT');
      const r = await withTimeout(run, 5 * 60_000, 'the interrupted run to exit');
      expect(r.exitCode, r.all).toBe(130);
      expect(r.all ?? '').not.toMatch(/unexpected error|at .*\.js:\d+/);
      expect(await leftovers(networksBefore)).toEqual([]);

      const kept = await withTimeout(
        execa(process.execPath, [bin, 'run', '--backend', 'kind', '--profile', 'none', 'classic', '--keep', ...imageArgs()], { reject: false, stdin: 'ignore', all: true }),
        20 * 60_000,
        'a kept kind run',
      );
      expect(kept.exitCode, kept.all).toBe(0);
      expect((await leftovers(networksBefore)).length).toBeGreaterThan(0);
      const downRun = await withTimeout(execa(process.execPath, [bin, 'down'], { reject: false, stdin: 'ignore', all: true }), 5 * 60_000, 'image-heist down');
      expect(downRun.exitCode, downRun.all).toBe(0);
      expect(await leftovers(networksBefore)).toEqual([]);
    },
    40 * 60_000,
  );
});
