// The whole story through real kubectl (and client-node), per profile, against the embedded lab: Admin1's pod
// caches SuperSecretImage1 on a node; whether Admin2 runs it from there is what each defence decides.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { execa } from 'execa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedLab, type EmbeddedLab } from '../src/embedded/lab.js';
import { PROFILE_NAMES, PROFILES, type ProfileName } from '../src/lab/profiles.js';
import { portClosed } from './support/ports.js';

const kubeletProfiles: ProfileName[] = ['kubelet-default', 'kubelet-always-verify'];
const TIME_SCALE = 50;

interface PodOptions {
  name: string;
  namespace: string;
  image: string;
  node?: string;
  policy?: 'Always' | 'IfNotPresent' | 'Never';
  pullSecret?: string;
  command?: string[];
  restartPolicy?: string;
  nodeSelector?: Record<string, string>;
  initContainers?: { name: string; command: string[] }[];
}

function podManifest(o: PodOptions): string {
  const spec: Record<string, unknown> = {
    containers: [{ name: 'app', image: o.image, ...(o.policy ? { imagePullPolicy: o.policy } : {}), ...(o.command ? { command: o.command } : {}) }],
  };
  if (o.node) spec['nodeName'] = o.node;
  if (o.pullSecret) spec['imagePullSecrets'] = [{ name: o.pullSecret }];
  if (o.restartPolicy) spec['restartPolicy'] = o.restartPolicy;
  if (o.nodeSelector) spec['nodeSelector'] = o.nodeSelector;
  if (o.initContainers) spec['initContainers'] = o.initContainers.map((c) => ({ ...c, image: o.image }));
  return JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: o.name, namespace: o.namespace }, spec });
}

// the policy profiles refuse or rewrite these pods at admission: their story is told by the catalogue and, through
// kubectl, by test/admission-policies-kubectl.test.ts
const storyProfiles = PROFILE_NAMES.filter((p) => PROFILES[p].admissionPolicies.length === 0);

describe.each(storyProfiles)('the story under %s', (profile) => {
  // pod-security leaves the pull side as `none` does: its defence is against node access, not the cache
  const noPullDefence =
    !PROFILES[profile].enableAdmissionPlugins.includes('AlwaysPullImages') && PROFILES[profile].kubelet.imagePullCredentialsVerificationPolicy === 'NeverVerify';
  let lab: EmbeddedLab;
  let dir: string;
  let flag: string;
  let secretImage: string;
  let worker: string;
  let worker2: string;
  const apis = new Map<string, CoreV1Api>();

  const kubectl = (user: string, args: string[], input?: string) =>
    execa('kubectl', ['--kubeconfig', lab.info.kubeconfig, '--context', user, '--cache-dir', path.join(dir, 'cache'), ...args], {
      reject: false,
      ...(input !== undefined ? { input } : {}),
    });

  const api = (user: 'admin' | 'admin1' | 'admin2'): CoreV1Api => {
    let a = apis.get(user);
    if (!a) {
      const kc = new KubeConfig();
      kc.loadFromString(lab.kubeconfigFor(user));
      a = kc.makeApiClient(CoreV1Api);
      apis.set(user, a);
    }
    return a;
  };

  const apply = async (user: string, pod: PodOptions): Promise<void> => {
    const r = await kubectl(user, ['apply', '-f', '-'], podManifest(pod));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`pod/${pod.name} created`);
  };

  /** Waits (client-node) until the pod's first container is running or waiting with one of `reasons`. */
  const settle = async (user: 'admin1' | 'admin2' | 'admin', namespace: string, name: string, reasons: string[]): Promise<V1Pod> => {
    const deadline = Date.now() + 10_000;
    let pod: V1Pod | undefined;
    for (;;) {
      pod = await api(user).readNamespacedPod({ name, namespace });
      const s = pod.status?.containerStatuses?.[0];
      const reason = s?.state?.running ? 'Running' : (s?.state?.waiting?.reason ?? s?.state?.terminated?.reason);
      if (reason && reasons.includes(reason)) return pod;
      if (Date.now() > deadline) throw new Error(`pod ${namespace}/${name} did not reach ${reasons.join('|')}: ${JSON.stringify(pod.status)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  /** STATUS as `kubectl get pod` prints it. */
  const statusColumn = async (user: string, namespace: string, name: string): Promise<string> => {
    const r = await kubectl(user, ['get', 'pod', name, '-n', namespace, '--no-headers']);
    return r.stdout.trim().split(/\s+/)[2] ?? r.stderr;
  };

  const admin1Runs = async (name = 'pod1', node = worker): Promise<void> => {
    await apply('admin1', { name, namespace: 'tenant-a', image: secretImage, node, pullSecret: 'image-pull-secret-1' });
    await settle('admin1', 'tenant-a', name, ['Running']);
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), `image-heist-story-${profile}-`));
    lab = await startEmbeddedLab({ profile, dir, timeScale: TIME_SCALE });
    flag = lab.info.flag;
    secretImage = lab.info.images.secret;
    [worker = '', worker2 = ''] = lab.info.nodes;
  });

  afterAll(async () => {
    const ports = [Number(new URL(lab.info.apiServer).port), Number(lab.info.registry.host.split(':')[1])];
    await lab.stop();
    for (const port of ports) expect(await portClosed(port)).toBe(true);
    await rm(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await lab.reset();
  });

  it("Admin1's pod runs SuperSecretImage1 and its logs hold the flag", async () => {
    await admin1Runs();
    expect(await statusColumn('admin1', 'tenant-a', 'pod1')).toBe('Running');
    const logs = await kubectl('admin1', ['logs', 'pod1']);
    expect(logs.stdout.trim()).toBe(flag);
    const events = await kubectl('admin1', ['get', 'events', '--field-selector', 'involvedObject.name=pod1', '-o', 'jsonpath={range .items[*]}{.reason}{"\\n"}{end}']);
    expect(events.stdout.split('\n')).toEqual(expect.arrayContaining(['Pulling', 'Pulled', 'Created', 'Started']));
    expect((await lab.nodeImages())[worker]).toContain(secretImage);
    expect((await lab.nodeImages())[worker2]).toEqual([]);
  });

  it('Admin2 pinned to the node with the cache: leaks the flag only without a defence', async () => {
    await admin1Runs();
    await apply('admin2', { name: 'pod2', namespace: 'tenant-b', image: secretImage, node: worker, policy: 'IfNotPresent' });
    if (noPullDefence) {
      await settle('admin2', 'tenant-b', 'pod2', ['Running']);
      expect(await statusColumn('admin2', 'tenant-b', 'pod2')).toBe('Running');
      expect((await kubectl('admin2', ['logs', 'pod2'])).stdout.trim()).toBe(flag);
    } else {
      const pod = await settle('admin2', 'tenant-b', 'pod2', ['ErrImagePull', 'ImagePullBackOff']);
      expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.message).toMatch(/authorization failed|Back-off pulling image/);
      expect(await statusColumn('admin2', 'tenant-b', 'pod2')).toMatch(/^(ErrImagePull|ImagePullBackOff)$/);
      const logs = await kubectl('admin2', ['logs', 'pod2']);
      expect(logs.exitCode).not.toBe(0);
      expect(logs.stderr).toMatch(/is waiting to start: (image can't be pulled|trying and failing to pull image)/);
      expect(logs.stdout + logs.stderr).not.toContain(flag);
      const describe = await kubectl('admin2', ['describe', 'pod', 'pod2']);
      expect(describe.stdout).toContain(`Failed to pull image "${secretImage}"`);
      expect(describe.stdout).not.toContain(flag);
    }
    // Admin2 can read neither ImagePullSecret1 nor anything in tenant-a
    const forbidden = await kubectl('admin2', ['get', 'secret', 'image-pull-secret-1', '-n', 'tenant-a']);
    expect(forbidden.stderr).toContain('Forbidden');
  });

  it('imagePullPolicy Never on the cached node', async () => {
    await admin1Runs();
    await apply('admin2', { name: 'never', namespace: 'tenant-b', image: secretImage, node: worker, policy: 'Never' });
    if (noPullDefence) {
      await settle('admin2', 'tenant-b', 'never', ['Running']);
      expect((await kubectl('admin2', ['logs', 'never'])).stdout.trim()).toBe(flag);
    } else if (kubeletProfiles.includes(profile)) {
      const pod = await settle('admin2', 'tenant-b', 'never', ['ErrImageNeverPull']);
      expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.message).toBe(`Container image "${secretImage}" is not present with pull policy of Never`);
      expect(await statusColumn('admin2', 'tenant-b', 'never')).toBe('ErrImageNeverPull');
    } else {
      // AlwaysPullImages rewrote Never to Always at admission
      const pod = await settle('admin2', 'tenant-b', 'never', ['ErrImagePull', 'ImagePullBackOff']);
      expect(pod.spec?.containers[0]?.imagePullPolicy).toBe('Always');
    }
  });

  it('an image preloaded outside the kubelet (kind load) bypasses kubelet-default but not AlwaysVerify', async () => {
    await lab.preloadImage(secretImage, worker2);
    expect((await lab.nodeImages())[worker2]).toContain(secretImage);
    await apply('admin2', { name: 'preloaded', namespace: 'tenant-b', image: secretImage, node: worker2, policy: 'IfNotPresent' });
    if (noPullDefence || profile === 'kubelet-default') {
      await settle('admin2', 'tenant-b', 'preloaded', ['Running']);
      expect((await kubectl('admin2', ['logs', 'preloaded'])).stdout.trim()).toBe(flag);
    } else {
      await settle('admin2', 'tenant-b', 'preloaded', ['ErrImagePull', 'ImagePullBackOff']);
      expect((await kubectl('admin2', ['logs', 'preloaded'])).stdout).not.toContain(flag);
    }
    await lab.removeImage(secretImage, worker2);
    expect((await lab.nodeImages())[worker2]).toEqual([]);
  });

  it("registry outage: only AlwaysPullImages stops Admin1's own new pod; a cached image still starts otherwise", async () => {
    await admin1Runs();
    await lab.setRegistryAvailable(false);
    await apply('admin1', { name: 'during-outage', namespace: 'tenant-a', image: secretImage, node: worker, pullSecret: 'image-pull-secret-1' });
    if (profile === 'always-pull-images') {
      const pod = await settle('admin1', 'tenant-a', 'during-outage', ['ErrImagePull', 'ImagePullBackOff']);
      expect(pod.status?.containerStatuses?.[0]?.state?.waiting?.message).toMatch(/connection refused/);
    } else {
      await settle('admin1', 'tenant-a', 'during-outage', ['Running']);
      expect((await kubectl('admin1', ['logs', 'during-outage'])).stdout.trim()).toBe(flag);
    }
    await lab.setRegistryAvailable(true);
    // back on the same port: a new pull works again
    await admin1Runs('after-outage', worker2);
  });

  it('Admin2 on a node without the cache fails to pull, even without a defence', async () => {
    await admin1Runs();
    await apply('admin2', { name: 'elsewhere', namespace: 'tenant-b', image: secretImage, node: worker2, policy: 'IfNotPresent' });
    await settle('admin2', 'tenant-b', 'elsewhere', ['ErrImagePull', 'ImagePullBackOff']);
    expect((await kubectl('admin2', ['logs', 'elsewhere'])).stdout).not.toContain(flag);
    expect((await lab.nodeImages())[worker2]).toEqual([]);
  });
});
