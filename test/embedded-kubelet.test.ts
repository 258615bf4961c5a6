// The embedded nodes beyond the story, through kubectl: scheduling, init and ephemeral containers, restarts,
// image updates, missing pull secrets, offline pulls, logs (--previous, --tail, --follow), pod phases.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig, type CoreV1Event, type V1Pod } from '@kubernetes/client-node';
import { execa } from 'execa';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedLab, type EmbeddedLab } from '../src/embedded/lab.js';

const TIME_SCALE = 100;

describe('embedded nodes and kubelets', () => {
  let lab: EmbeddedLab;
  let dir: string;
  let admin: CoreV1Api;
  let secretImage: string;
  let publicImage: string;
  let worker: string;
  let worker2: string;

  const kubectl = (args: string[], input?: string, context = 'admin') =>
    execa('kubectl', ['--kubeconfig', lab.info.kubeconfig, '--context', context, '--cache-dir', path.join(dir, 'cache'), ...args], {
      reject: false,
      ...(input !== undefined ? { input } : {}),
    });

  const create = async (namespace: string, name: string, spec: Record<string, unknown>): Promise<void> => {
    const r = await kubectl(['create', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec }));
    expect(r.stderr).toBe('');
  };

  const waitFor = async (namespace: string, name: string, check: (pod: V1Pod) => boolean, ms = 8_000): Promise<V1Pod> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const pod = await admin.readNamespacedPod({ name, namespace });
      if (check(pod)) return pod;
      if (Date.now() > deadline) throw new Error(`pod ${namespace}/${name} never matched: ${JSON.stringify(pod.status)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };

  const statusColumn = async (namespace: string, name: string): Promise<string> =>
    (await kubectl(['get', 'pod', name, '-n', namespace, '--no-headers'])).stdout.trim().split(/\s+/)[2] ?? '';

  const events = async (namespace: string, name: string): Promise<CoreV1Event[]> =>
    (await admin.listNamespacedEvent({ namespace, fieldSelector: `involvedObject.name=${name}` })).items;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-kubelet-'));
    lab = await startEmbeddedLab({ profile: 'none', dir, timeScale: TIME_SCALE, nodes: 2 });
    const kc = new KubeConfig();
    kc.loadFromString(lab.kubeconfigFor('admin'));
    admin = kc.makeApiClient(CoreV1Api);
    secretImage = lab.info.images.secret;
    publicImage = lab.info.images.public;
    [worker = '', worker2 = ''] = lab.info.nodes;
  });
  afterAll(async () => {
    await lab.stop();
    await rm(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    await lab.reset();
  });

  it('nodes are Ready with hostname labels and allocatable', async () => {
    const nodes = (await admin.listNode()).items;
    expect(nodes.map((n) => n.metadata?.name)).toEqual([worker, worker2]);
    for (const n of nodes) {
      expect(n.metadata?.labels?.['kubernetes.io/hostname']).toBe(n.metadata?.name);
      expect(n.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      expect(n.status?.allocatable?.['pods']).toBe('110');
    }
  });

  it('the scheduler spreads unpinned pods with a stable tie-break, honours nodeSelector, and says so in a Scheduled event', async () => {
    for (const name of ['a', 'b', 'c']) await create('tenant-b', name, { containers: [{ name: 'app', image: publicImage }] });
    const placed = await Promise.all(['a', 'b', 'c'].map((n) => waitFor('tenant-b', n, (p) => Boolean(p.spec?.nodeName))));
    expect(placed.map((p) => p.spec?.nodeName)).toEqual([worker, worker2, worker]);
    const scheduled = (await events('tenant-b', 'a')).find((e) => e.reason === 'Scheduled');
    expect(scheduled?.message).toBe(`Successfully assigned tenant-b/a to ${worker}`);
    expect(scheduled?.source?.component).toBe('default-scheduler');

    await create('tenant-b', 'picky', { nodeSelector: { 'kubernetes.io/hostname': worker2 }, containers: [{ name: 'app', image: publicImage }] });
    expect((await waitFor('tenant-b', 'picky', (p) => Boolean(p.spec?.nodeName))).spec?.nodeName).toBe(worker2);

    await create('tenant-b', 'nowhere', { nodeSelector: { disk: 'ssd' }, containers: [{ name: 'app', image: publicImage }] });
    const pending = await waitFor('tenant-b', 'nowhere', (p) => p.status?.conditions?.some((c) => c.type === 'PodScheduled') === true);
    expect(pending.status?.conditions?.find((c) => c.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable' });
    expect((await events('tenant-b', 'nowhere')).find((e) => e.reason === 'FailedScheduling')?.message).toBe(
      "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.",
    );
  });

  it('init containers run first, in order; then the container; a finished pod is Completed', async () => {
    await create('tenant-b', 'steps', {
      restartPolicy: 'Never',
      nodeName: worker,
      initContainers: [
        { name: 'one', image: publicImage, command: ['echo', 'first'] },
        { name: 'two', image: publicImage, command: ['sh', '-c', 'echo second && cat /message.txt'] },
      ],
      containers: [{ name: 'main', image: publicImage, command: ['echo', 'done'] }],
    });
    const pod = await waitFor('tenant-b', 'steps', (p) => p.status?.phase === 'Succeeded');
    expect(pod.status?.initContainerStatuses?.map((s) => s.state?.terminated?.reason)).toEqual(['Completed', 'Completed']);
    expect(await statusColumn('tenant-b', 'steps')).toBe('Completed');
    expect((await kubectl(['logs', 'steps', '-n', 'tenant-b', '-c', 'two'])).stdout).toBe('second\nhello from a public image');
    expect((await kubectl(['logs', 'steps', '-n', 'tenant-b', '-c', 'main'])).stdout).toBe('done');
    // in the order they were written (resourceVersion), since timestamps have one-second precision
    const started = (await events('tenant-b', 'steps'))
      .filter((e) => e.reason === 'Started')
      .sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion))
      .map((e) => e.involvedObject.fieldPath);
    expect(started).toEqual(['spec.initContainers{one}', 'spec.initContainers{two}', 'spec.containers{main}']);
  });

  it('a program the image lacks fails as a runtime does: RunContainerError, then CrashLoopBackOff with the back-off', async () => {
    await create('tenant-b', 'nocurl', { nodeName: worker, containers: [{ name: 'app', image: publicImage, command: ['curl', 'example.com'] }] });
    const pod = await waitFor('tenant-b', 'nocurl', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CrashLoopBackOff');
    const s = pod.status?.containerStatuses?.[0];
    expect(s?.lastState?.terminated).toMatchObject({ reason: 'StartError', exitCode: 128 });
    expect(s?.lastState?.terminated?.message).toContain('exec: "curl": executable file not found in $PATH');
    expect(s?.state?.waiting?.message).toMatch(/^back-off (10|20|40)s restarting failed container=app pod=nocurl_tenant-b\(/);
    // kubectl's STATUS cycles (RunContainerError on each retry, CrashLoopBackOff while backing off): the back-off shows
    const shown = new Set<string>();
    for (let i = 0; i < 20 && !shown.has('CrashLoopBackOff'); i++) shown.add(await statusColumn('tenant-b', 'nocurl'));
    expect([...shown].every((c) => c === 'CrashLoopBackOff' || c === 'RunContainerError')).toBe(true);
    expect(shown.has('CrashLoopBackOff')).toBe(true);
    const failed = (await events('tenant-b', 'nocurl')).filter((e) => e.reason === 'Failed').map((e) => e.message);
    expect(failed.some((m) => m?.startsWith('Error: failed to create containerd task'))).toBe(true);
  });

  it('a container that exits is restarted (RESTARTS counts), and --previous reads the last instance', async () => {
    await create('tenant-b', 'flaky', { nodeName: worker, containers: [{ name: 'app', image: publicImage, command: ['sh', '-c', 'echo run && cat /nope'] }] });
    const pod = await waitFor(
      'tenant-b',
      'flaky',
      (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1 && Boolean(p.status?.containerStatuses?.[0]?.lastState?.terminated),
    );
    expect(pod.status?.containerStatuses?.[0]?.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    const previous = await kubectl(['logs', 'flaky', '-n', 'tenant-b', '--previous']);
    expect(previous.stdout).toContain('run');
    expect(previous.stdout).toContain("cat: can't open '/nope': No such file or directory");
    expect(pod.status?.phase).toBe('Running');
  });

  it("updating a running container's image restarts it with the new image, and the pull decision applies again", async () => {
    await create('tenant-a', 'upd', {
      nodeName: worker,
      imagePullSecrets: [{ name: 'image-pull-secret-1' }],
      containers: [{ name: 'app', image: publicImage }],
    });
    await waitFor('tenant-a', 'upd', (p) => Boolean(p.status?.containerStatuses?.[0]?.state?.running));
    expect((await kubectl(['logs', 'upd', '-n', 'tenant-a'])).stdout).toBe('hello from a public image');
    const r = await kubectl(['set', 'image', 'pod/upd', `app=${secretImage}`, '-n', 'tenant-a']);
    expect(r.stdout).toBe('pod/upd image updated');
    const pod = await waitFor('tenant-a', 'upd', (p) => p.status?.containerStatuses?.[0]?.image === secretImage && Boolean(p.status.containerStatuses[0].state?.running));
    expect(pod.status?.containerStatuses?.[0]?.restartCount).toBe(1);
    expect((await kubectl(['logs', 'upd', '-n', 'tenant-a'])).stdout).toBe(lab.info.flag);
    const messages = (await events('tenant-a', 'upd')).map((e) => `${e.reason}: ${e.message}`);
    expect(messages).toContain('Killing: Container app definition changed, will be restarted');
    expect(messages).toContain(`Pulling: Pulling image "${secretImage}"`);
  });

  it('a missing pull secret is a FailedToRetrieveImagePullSecret event, and the kubelet carries on', async () => {
    await create('tenant-b', 'nosecret', { nodeName: worker, imagePullSecrets: [{ name: 'gone' }], containers: [{ name: 'app', image: publicImage }] });
    await waitFor('tenant-b', 'nosecret', (p) => Boolean(p.status?.containerStatuses?.[0]?.state?.running));
    expect((await events('tenant-b', 'nosecret')).find((e) => e.reason === 'FailedToRetrieveImagePullSecret')?.message).toBe(
      'Unable to retrieve some image pull secrets (gone); attempting to pull the image may not succeed.',
    );
  });

  it('offline by design: an image from docker.io fails at once with ErrImagePull and says why', async () => {
    const started = Date.now();
    await create('tenant-b', 'hub', { nodeName: worker, containers: [{ name: 'app', image: 'docker.io/library/busybox:1.36' }] });
    const pod = await waitFor('tenant-b', 'hub', (p) => ['ErrImagePull', 'ImagePullBackOff'].includes(p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? ''));
    expect(Date.now() - started).toBeLessThan(5_000);
    const failed = (await events('tenant-b', 'hub')).find((e) => e.reason === 'Failed' && e.message?.startsWith('Failed to pull image'));
    expect(failed?.message).toContain('which this offline lab does not contact (only loopback registries are allowed)');
    expect(pod.status?.containerStatuses?.[0]?.imageID).toBe('');
  });

  it('ErrImagePull turns into ImagePullBackOff, and the pull is retried after the back-off', async () => {
    await create('tenant-b', 'denied', { nodeName: worker, containers: [{ name: 'app', image: secretImage }] });
    await waitFor('tenant-b', 'denied', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
    // 10 s then 20 s of lab time: at ×100 the third pull comes within a second
    const deadline = Date.now() + 5_000;
    let pulls = 0;
    while (pulls < 3 && Date.now() < deadline) {
      pulls = (await events('tenant-b', 'denied')).find((e) => e.reason === 'Pulling')?.count ?? 0;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(pulls).toBeGreaterThanOrEqual(3);
    const pod = await admin.readNamespacedPod({ name: 'denied', namespace: 'tenant-b' });
    const waiting = pod.status?.containerStatuses?.[0]?.state?.waiting;
    if (waiting?.reason === 'ImagePullBackOff') expect(waiting.message).toMatch(new RegExp(`^Back-off pulling image "${secretImage.replace(/[.]/g, '\\.')}": ErrImagePull: `));
  });

  it('ephemeral containers added with kubectl debug run once', async () => {
    await create('tenant-b', 'target', { nodeName: worker, containers: [{ name: 'app', image: publicImage }] });
    await waitFor('tenant-b', 'target', (p) => Boolean(p.status?.containerStatuses?.[0]?.state?.running));
    const r = await kubectl(['debug', 'target', '-n', 'tenant-b', `--image=${publicImage}`, '-c', 'dbg', '--', 'echo', 'debugging']);
    expect(r.exitCode).toBe(0);
    const pod = await waitFor('tenant-b', 'target', (p) => p.status?.ephemeralContainerStatuses?.[0]?.state?.terminated?.reason === 'Completed');
    expect(pod.status?.ephemeralContainerStatuses?.[0]?.restartCount).toBe(0);
    expect((await kubectl(['logs', 'target', '-n', 'tenant-b', '-c', 'dbg'])).stdout).toBe('debugging');
  });

  it('logs --tail and --follow', async () => {
    await create('tenant-b', 'chatty', {
      nodeName: worker,
      restartPolicy: 'Never',
      containers: [{ name: 'app', image: publicImage, command: ['sh', '-c', 'echo 1; echo 2; echo 3; sleep 5; echo 4'] }],
    });
    await waitFor('tenant-b', 'chatty', (p) => Boolean(p.status?.containerStatuses?.[0]?.state?.running));
    const followed = await kubectl(['logs', 'chatty', '-n', 'tenant-b', '--follow']);
    expect(followed.stdout).toBe('1\n2\n3\n4');
    expect((await kubectl(['logs', 'chatty', '-n', 'tenant-b', '--tail', '2'])).stdout).toBe('3\n4');
    await waitFor('tenant-b', 'chatty', (p) => p.status?.phase === 'Succeeded');
  });

  it('deleting a pod stops its containers; reset empties node caches and pull records', async () => {
    await create('tenant-a', 'cached', { nodeName: worker, imagePullSecrets: [{ name: 'image-pull-secret-1' }], containers: [{ name: 'app', image: secretImage }] });
    await waitFor('tenant-a', 'cached', (p) => Boolean(p.status?.containerStatuses?.[0]?.state?.running));
    expect((await kubectl(['delete', 'pod', 'cached', '-n', 'tenant-a', '--wait=false'])).stdout).toBe('pod "cached" deleted');
    expect(lab.nodes[0]?.kubelet.podUids()).toEqual([]);
    expect((await lab.nodeImages())[worker]).toEqual([secretImage]);
    // the reset goes through the API now (src/lab/stage.ts); its time is measured by `npm run bench`, not asserted under load
    await lab.reset();
    expect(await lab.nodeImages()).toEqual({ [worker]: [], [worker2]: [] });
    expect((await admin.listNamespacedSecret({ namespace: 'tenant-a' })).items.map((s) => s.metadata?.name)).toEqual(['image-pull-secret-1']);
  });
});
