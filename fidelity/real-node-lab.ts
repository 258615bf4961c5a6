// Stretch: the lab on real Kubernetes without Docker — a real control plane (control-plane.ts), one real node
// (node.ts: kubelet v1.36.3, Debian's containerd and runc) and the lab's own registry with SuperSecretImage1
// built on Debian's busybox-static — behind the same `Lab` boundary the embedded and kind backends implement,
// so the scenario engine (client-node) runs the catalogue on it unchanged.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomToken, type TokenUser } from '../src/embedded/apiserver/authn.js';
import { renderKubeconfig } from '../src/embedded/apiserver/kubeconfig.js';
import { generateServingCertificate } from '../src/embedded/apiserver/tls.js';
import type { BackendName, Lab, LabBackend, LabInfo, LabStartOptions, LabUser } from '../src/lab/backend.js';
import { PROFILES } from '../src/lab/profiles.js';
import { KIND_TIMING } from '../src/lab/timing.js';
import { pullImage, pushImage } from '../src/registry/client.js';
import { makeDockerConfigJson } from '../src/registry/docker-config.js';
import { ociArchive } from '../src/registry/oci-layout.js';
import { assembleImage, buildLayer, createFlag, defaultPath, imageBlobs, type BuiltImage } from '../src/registry/image-builder.js';
import { createRegistryUsers, labAccessRules, type RegistryUsers } from '../src/registry/lab-users.js';
import { startRegistry, type RunningRegistry } from '../src/registry/server.js';
import { httpsRequest, startControlPlane, type RealControlPlane } from './control-plane.js';
import { busyboxLayer, buildRunnableSecretImage, nodeName, startNode, type RealNode } from './node.js';

const TENANT_A = 'tenant-a';
const PULL_SECRET = 'image-pull-secret-1';

async function buildRunnablePublicImage(): Promise<BuiltImage> {
  const message = await buildLayer([{ path: 'message.txt', type: 'file', content: 'hello from a public image\n' }]);
  return assembleImage([await busyboxLayer(), message], { env: [defaultPath], cmd: ['sh', '-c', 'cat /message.txt && sleep infinity'] });
}

export async function startRealNodeLab(options: LabStartOptions): Promise<Lab> {
  const profile = PROFILES[options.profile];
  const progress = async <T>(action: string, fn: () => Promise<T>): Promise<T> => {
    options.onProgress?.({ action, status: 'started' });
    const v = await fn();
    options.onProgress?.({ action, status: 'done' });
    return v;
  };
  const cleanups: (() => Promise<unknown>)[] = [];
  const runCleanups = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    const registryUsers: RegistryUsers = createRegistryUsers();
    const flag = createFlag();
    const startTestRegistry = (port?: number) =>
      startRegistry({ users: [registryUsers.admin1, registryUsers.pusher], access: labAccessRules(registryUsers), auth: 'basic', ...(port ? { port } : {}) });
    let registry: RunningRegistry | undefined = await progress('Starting the registry', () => startTestRegistry());
    cleanups.push(async () => registry?.close());
    const host = registry.host;
    const refs = { secret: `${host}/secure/super-secret-image:1`, public: `${host}/public/hello:1` };
    const images = await progress('Building SuperSecretImage1 on busybox-static', async () => ({
      secret: await buildRunnableSecretImage(flag),
      public: await buildRunnablePublicImage(),
    }));
    const push = () =>
      Promise.all(
        (['secret', 'public'] as const).map((k) =>
          pushImage(refs[k], { manifestBytes: images[k].manifestBytes, mediaType: images[k].mediaType, blobs: imageBlobs(images[k]) }, { credentials: registryUsers.pusher }),
        ),
      );
    await progress('Pushing the images', push);

    const users: TokenUser[] = ['admin', 'admin1', 'admin2'].map((name) => ({ name, token: randomToken() }));
    const nodeUser: TokenUser = { name: `system:node:${nodeName}`, token: randomToken(), groups: ['system:nodes'] };
    const tls = await generateServingCertificate();
    const tenants = [
      { user: 'admin1', namespace: 'tenant-a' },
      { user: 'admin2', namespace: 'tenant-b' },
    ];
    const controlPlane: RealControlPlane = await progress('Starting etcd and kube-apiserver', () =>
      startControlPlane({
        admissionPlugins: profile.enableAdmissionPlugins,
        users: [...users, nodeUser],
        clusterAdmins: ['admin'],
        tenants,
        tls,
        // pods/log: the API server dials the kubelet at the node's InternalIP (no DNS for the node name here).
        extraArgs: ['--kubelet-preferred-address-types=InternalIP'],
      }),
    );
    cleanups.push(() => controlPlane.close());
    const admin = async (method: string, p: string, body?: unknown) =>
      httpsRequest(`${controlPlane.url}${p}`, { caPem: tls.caPem, token: users[0]!.token, method, ...(body !== undefined ? { body } : {}) });

    const node: RealNode = await progress('Starting containerd and the kubelet', () =>
      startNode({ apiServerUrl: controlPlane.url, caPem: tls.caPem, nodeToken: nodeUser.token, profile, registryHost: host }),
    );
    cleanups.push(async () => {
      if (process.env.FIDELITY_NODE_LOGS) console.log(await node.logs(Number(process.env.FIDELITY_NODE_LOGS)));
      await node.close();
    });
    const waitReady = async () => {
      const deadline = Date.now() + 180_000;
      while (Date.now() < deadline) {
        const r = await admin('GET', `/api/v1/nodes/${nodeName}`);
        if (r.status === 200) {
          const conditions = (JSON.parse(r.body) as { status?: { conditions?: { type: string; status: string }[] } }).status?.conditions ?? [];
          if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return;
        }
        await new Promise((res) => setTimeout(res, 1000));
      }
      throw new Error(`node ${nodeName} not Ready after 180s:\n${await node.logs(60)}`);
    };
    await progress('Waiting for the node to be Ready', waitReady);

    const pullSecret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: PULL_SECRET, namespace: TENANT_A },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(makeDockerConfigJson(host, registryUsers.admin1.username, registryUsers.admin1.password)).toString('base64') },
    };
    await progress('Setting the stage', async () => {
      const r = await admin('POST', `/api/v1/namespaces/${TENANT_A}/secrets`, pullSecret);
      if (r.status !== 201) throw new Error(`pull secret: ${r.status} ${r.body}`);
    });

    const dir = options.dir ?? (await mkdtemp(path.join(tmpdir(), 'image-heist-real-')));
    if (options.dir === undefined) cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const kubeconfigFor = (user: LabUser) =>
      renderKubeconfig({
        server: controlPlane.url,
        caPem: tls.caPem,
        users: users.map((u) => ({ ...u, ...(u.name === 'admin1' ? { namespace: 'tenant-a' } : u.name === 'admin2' ? { namespace: 'tenant-b' } : {}) })),
        currentContext: user,
      });
    const kubeconfig = path.join(dir, 'kubeconfig');
    await writeFile(kubeconfig, kubeconfigFor('admin'), { mode: 0o600 });

    const info: LabInfo = {
      profile: profile.name,
      apiServer: controlPlane.url,
      kubeconfig,
      registry: { host, username: registryUsers.admin1.username, password: registryUsers.admin1.password },
      tenants: { admin1: { namespace: TENANT_A, pullSecret: PULL_SECRET }, admin2: { namespace: 'tenant-b' } },
      images: refs,
      flag,
      nodes: [nodeName],
    };
    const nodeImages = async () => {
      const listing = (await node.ctr('images', 'ls', '-q')).stdout.split('\n').filter((l) => l && !l.startsWith('sha256:') && !l.startsWith('registry.k8s.io/pause'));
      return { [nodeName]: listing };
    };
    let stopped: Promise<void> | undefined;
    const lab: Lab = {
      info,
      imageDigests: { secret: images.secret.digest, public: images.public.digest },
      kubeconfigFor,
      async preloadImage(image) {
        // As `kind load`: the bytes come from outside the kubelet (here the registry, with the lab's own login).
        const pulled = await pullImage(image, { credentials: registryUsers.pusher });
        const blobs = new Map<string, Buffer>([[pulled.configDigest, pulled.config]]);
        pulled.layers.forEach((layer, i) => blobs.set(pulled.layerDescriptors[i]!.digest, layer));
        const archive = await ociArchive({ manifestBytes: pulled.manifestBytes, mediaType: pulled.mediaType, digest: pulled.manifestDigest, blobs }, image);
        const file = path.join(node.dir, `preload-${randomBytes(4).toString('hex')}.tar`);
        await writeFile(file, archive);
        const r = await node.ctr('images', 'import', file);
        await rm(file, { force: true });
        if (r.exitCode !== 0) throw new Error(`ctr images import ${image}: ${r.stderr}`);
      },
      async removeImage(image) {
        await node.ctr('images', 'rm', image);
      },
      nodeImages,
      async setRegistryAvailable(available) {
        if (available === (registry !== undefined)) return;
        if (!available) {
          const closing = registry;
          registry = undefined;
          await closing?.close();
          return;
        }
        registry = await startTestRegistry(Number(host.slice(host.lastIndexOf(':') + 1)));
        await push();
      },
      async reset() {
        await lab.setRegistryAvailable(true);
        // Pods go at once (no graceful wait: the kubelet is restarted below anyway).
        for (const ns of ['tenant-a', 'tenant-b', 'default']) {
          await admin('DELETE', `/api/v1/namespaces/${ns}/pods?gracePeriodSeconds=0`);
          const secrets = JSON.parse((await admin('GET', `/api/v1/namespaces/${ns}/secrets`)).body) as { items?: { metadata: { name: string } }[] };
          for (const s of secrets.items ?? [])
            if (!(ns === TENANT_A && s.metadata.name === PULL_SECRET)) await admin('DELETE', `/api/v1/namespaces/${ns}/secrets/${s.metadata.name}`);
          const sas = JSON.parse((await admin('GET', `/api/v1/namespaces/${ns}/serviceaccounts`)).body) as { items?: { metadata: { name: string } }[] };
          for (const sa of sas.items ?? []) {
            if (sa.metadata.name !== 'default') await admin('DELETE', `/api/v1/namespaces/${ns}/serviceaccounts/${sa.metadata.name}`);
            else await admin('PUT', `/api/v1/namespaces/${ns}/serviceaccounts/default`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } });
          }
        }
        await admin('DELETE', `/api/v1/namespaces/${TENANT_A}/secrets/${PULL_SECRET}`);
        await admin('POST', `/api/v1/namespaces/${TENANT_A}/secrets`, pullSecret);
        await node.reset();
        await waitReady();
      },
      stop() {
        stopped ??= runCleanups();
        return stopped;
      },
    };
    return lab;
  } catch (error) {
    await runCleanups();
    throw error;
  }
}

/** The real-node backend, for the scenario engine. Its `name` is kind's: like kind it is a real cluster. */
export function createRealNodeBackend(): LabBackend {
  return { name: 'kind' satisfies BackendName, timing: KIND_TIMING, start: startRealNodeLab, shutdown: async () => {} };
}
