// The live kind suite (`npm run test:kind`): the whole catalogue on real kind clusters, one per profile, and
// every verdict compared with the embedded backend's. It needs Docker, kind >= v0.32 and the Internet (node,
// registry and busybox images, and system images re-pulled under AlwaysPullImages/AlwaysVerify); where any of
// that is missing it is skipped, and the reason is printed.
import { execa } from 'execa';
import { ApiException, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddedBackend } from '../../src/embedded/lab.js';
import { formatUserError, UserError } from '../../src/errors.js';
import { createKindBackend } from '../../src/kind/backend.js';
import { kindPreflight } from '../../src/kind/preflight.js';
import { PROFILE_NAMES } from '../../src/lab/profiles.js';
import { loadBuiltInCatalogue } from '../../src/scenario/catalogue.js';
import { KIND_TIMING, runMatrix } from '../../src/scenario/engine.js';

const LIVE_ENV = 'IMAGE_HEIST_KIND_LIVE';

async function skipReason(): Promise<string | undefined> {
  if (process.env[LIVE_ENV] !== '1') return `it creates real clusters; run it with \`npm run test:kind\` (sets ${LIVE_ENV}=1)`;
  try {
    await kindPreflight({ clusters: PROFILE_NAMES.length, workers: 1 });
    return undefined;
  } catch (error) {
    return error instanceof UserError ? formatUserError(error) : String(error);
  }
}

const reason = await skipReason();
if (reason) console.log(`kind live suite skipped: ${reason}`);

const docker = (...args: string[]) => execa('docker', args, { reject: false, stdin: 'ignore' });

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

describe.skipIf(reason !== undefined)(`kind live suite${reason ? ` (skipped: ${reason})` : ''}`, () => {
  const backends: { shutdown(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const b of backends) await b.shutdown();
  });

  it('sets the stage with real identities, the profile settings on the nodes, and no anonymous access to the secret image', async () => {
    const backend = createKindBackend({ profiles: ['always-pull-images'], skipPreflight: true });
    backends.push(backend);
    const lab = await backend.start({ profile: 'always-pull-images', onProgress: (p) => p.status === 'started' && console.log(`  ${p.action}`) });
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
      // the node has no credentials of its own: an anonymous pull of the secret image fails
      const anonymous = await docker('exec', worker, 'crictl', 'pull', lab.info.images.secret);
      expect(anonymous.exitCode).not.toBe(0);
      expect(anonymous.stderr).toMatch(/401|unauthorized|authorization/i);
    } finally {
      await lab.stop();
    }
  });

  it('runs the whole catalogue on every profile with the same verdicts as the embedded backend', async () => {
    const scenarios = await loadBuiltInCatalogue();
    const profiles = [...PROFILE_NAMES];
    const embedded = await runMatrix({ scenarios, profiles, backend: createEmbeddedBackend() });
    const backend = createKindBackend({ profiles, skipPreflight: true });
    backends.push(backend);
    const onKind = await runMatrix({
      scenarios,
      profiles,
      backend,
      timing: KIND_TIMING,
      emit: (e) => {
        if (e.type === 'lab-progress' && e.progress.status === 'started') console.log(`  [${e.profile}] ${e.progress.action}`);
        if (e.type === 'verdict') console.log(`  [${e.profile}] ${e.scenario}: ${e.result.verdict}${e.result.passed ? '' : ' (expectations not met)'}`);
      },
    });
    const key = (r: { scenario: string; profile: string }) => `${r.scenario} on ${r.profile}`;
    expect(onKind.map(key)).toEqual(embedded.map(key));
    const kindVerdicts = new Map(onKind.map((r) => [key(r), r.verdict]));
    const differences = embedded
      .filter((r) => kindVerdicts.get(key(r)) !== r.verdict)
      .map((r) => `${key(r)}: embedded ${r.verdict}, kind ${kindVerdicts.get(key(r))}`);
    expect(differences).toEqual([]);
    // the expectations too, step by step: where kind and the embedded model part ways, this names the step
    const unmet = onKind.filter((r) => !r.passed).map((r) => `${key(r)}: ${r.steps.filter((s) => !s.passed).map((s) => s.error ?? s.id).join(', ')}`);
    expect(unmet).toEqual([]);
  });
});
