// `npm run kind:node-image`: the kind node image for Kubernetes v1.36.3, the lab's registry image and a busybox
// image, built with no image registry — Debian's archive (debootstrap, packages) and the Go module proxy (the
// pins in fidelity/go.mod and fidelity/kind-node/coredns/go.mod) only. Each piece is cached under
// ~/.cache/image-heist/kind-node by the hash of its inputs and rebuilt only when one changes; the result is
// loaded into the Docker engine DOCKER_HOST names (unless --no-load) and described in manifest.json.
//
//   npm run kind:node-image               # build what is missing, load what the engine lacks
//   npm run kind:node-image -- --no-load  # build only (no engine needed)
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa, type ResultPromise } from 'execa';
import { binaryFingerprints, binaryPath, ensureBinaries, fidelityDir, kubernetesVersion, type BinaryName } from '../build.js';
import { componentArchive, engineImageId, layerFromTar, loadDockerArchive, writeDockerArchive, writeLayerTar, type ComponentImage, type DockerArchive } from './images.js';
import { kindNodeCacheDir, LABEL_CNI, LABEL_SYSTEM_IMAGES, manifestPath, type KindImagesManifest } from './manifest.js';
import { ensureRootfsTar, kubeProxyRootfs, nodeRootfs, rootfsInputs, tarDirectory } from './rootfs.js';
import { contentHash, steps, type Progress } from './steps.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const filesDir = path.join(here, 'files');

export const NODE_IMAGE = `image-heist/kind-node:${kubernetesVersion}`;
export const REGISTRY_IMAGE = 'image-heist/registry:3.0.0';

/** What kubeadm v1.36.3 asks for (cmd/kubeadm/app/constants: DefaultEtcdVersion, CoreDNSVersion, PauseVersion). */
export const kubeadmImages = {
  'kube-apiserver': `registry.k8s.io/kube-apiserver:${kubernetesVersion}`,
  'kube-controller-manager': `registry.k8s.io/kube-controller-manager:${kubernetesVersion}`,
  'kube-scheduler': `registry.k8s.io/kube-scheduler:${kubernetesVersion}`,
  'kube-proxy': `registry.k8s.io/kube-proxy:${kubernetesVersion}`,
  coredns: 'registry.k8s.io/coredns/coredns:v1.14.2',
  pause: 'registry.k8s.io/pause:3.10.2',
  etcd: 'registry.k8s.io/etcd:3.6.8-0',
} as const;

/**
 * The images the kubelet runs that no registry serves for an offline node image, so a lab must mirror them where
 * the node pulls: AlwaysPullImages turns kube-proxy's and CoreDNS's pods (made through the API) to Always, and the
 * kubelet's AlwaysVerify re-pulls every preloaded image it has no pull record for, the static pods' too (KEP-2535),
 * which kubeadm init waits for. containerd pulls the sandbox image only when it is missing, so pause stays out.
 */
export const systemImages = Object.values(kubeadmImages).filter((ref) => ref !== kubeadmImages.pause);

const nodeBinaries: BinaryName[] = ['kubeadm', 'kubelet', 'kubectl', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kube-proxy', 'etcd', 'coredns', 'crictl'];

function components(kubeProxyBase: ComponentImage['base']): ComponentImage[] {
  const bin = (n: BinaryName) => ({ binaryPath: `usr/local/bin/${n}`, binary: binaryPath(n) });
  return [
    { ref: kubeadmImages['kube-apiserver'], ...bin('kube-apiserver') },
    { ref: kubeadmImages['kube-controller-manager'], ...bin('kube-controller-manager') },
    { ref: kubeadmImages['kube-scheduler'], ...bin('kube-scheduler') },
    { ref: kubeadmImages['kube-proxy'], ...bin('kube-proxy'), base: kubeProxyBase },
    { ref: kubeadmImages.etcd, ...bin('etcd') },
    // CoreDNS's own image runs /coredns (coredns Dockerfile ENTRYPOINT); kubeadm passes only -conf
    { ref: kubeadmImages.coredns, binaryPath: 'coredns', binary: binaryPath('coredns'), entrypoint: ['/coredns'] },
  ];
}

/** pause from the kubernetes module's own source, as its Makefile builds it: a static C program. */
async function ensurePause(cache: string, progress: Progress): Promise<string> {
  const gomod = path.join(path.dirname(binaryPath('kubeadm')), '..', '..', 'gomod', `k8s.io/kubernetes@${kubernetesVersion}`, 'build/pause/linux/pause.c');
  if (!existsSync(gomod)) throw new Error(`pause.c is not in the module cache (${gomod}): build the Kubernetes binaries first`);
  const gcc = await execa('gcc', ['--version'], { reject: false });
  if (gcc.exitCode !== 0) throw new Error('gcc is missing: apt-get install gcc libc6-dev');
  const source = await readFile(gomod);
  const out = path.join(cache, `pause-${contentHash([source, gcc.stdout.split('\n')[0] ?? ''])}`);
  if (existsSync(out)) return out;
  progress('gcc -static pause.c');
  // build/pause/Makefile: -Os -Wall -Werror -static -DVERSION=…
  const r = await execa('gcc', ['-Os', '-Wall', '-Werror', '-static', `-DVERSION=v3.10.2-image-heist`, '-o', `${out}.tmp`, gomod], { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`gcc pause.c failed: ${r.all}`);
  await execa('strip', [`${out}.tmp`], { reject: false });
  await rename(`${out}.tmp`, out);
  return out;
}

/** Debian's busybox-static, downloaded (not installed) with apt, with a link for every applet. */
async function ensureBusybox(cache: string, progress: Progress): Promise<{ tar: string; version: string }> {
  const work = await mkdtemp(path.join(tmpdir(), 'image-heist-busybox-'));
  try {
    progress('apt-get download busybox-static');
    let dl = await execa('apt-get', ['download', 'busybox-static'], { cwd: work, reject: false, all: true });
    if (dl.exitCode !== 0) {
      await execa('apt-get', ['update', '-qq'], { reject: false });
      dl = await execa('apt-get', ['download', 'busybox-static'], { cwd: work, reject: false, all: true });
    }
    if (dl.exitCode !== 0) throw new Error(`apt-get download busybox-static failed: ${dl.all}`);
    const deb = (await readdir(work)).find((f) => f.endsWith('.deb'))!;
    const debBytes = await readFile(path.join(work, deb));
    const version = (await execa('dpkg-deb', ['-f', path.join(work, deb), 'Version'])).stdout.trim();
    const upstream = /^(?:\d+:)?([\d.]+)/.exec(version)?.[1] ?? 'debian';
    const tar = path.join(cache, `busybox-${contentHash([debBytes])}.tar`);
    if (existsSync(tar)) return { tar, version: upstream };
    await execa('dpkg-deb', ['-x', path.join(work, deb), path.join(work, 'x')]);
    const busybox = path.join(work, 'x', 'bin', 'busybox');
    const applets = (await execa(busybox, ['--list-full'])).stdout.split('\n').filter((l) => l && l !== 'bin/busybox');
    const dirs = new Set(['bin', 'sbin', 'usr', 'usr/bin', 'usr/sbin', 'etc', 'root', 'var', 'var/spool', 'var/spool/mail', 'home']);
    await writeLayerTar(tar, [
      ...[...dirs].map((d) => ({ path: d, type: 'directory' as const })),
      { path: 'tmp', type: 'directory', mode: 0o1777 },
      { path: 'bin/busybox', type: 'file', content: await readFile(busybox), mode: 0o755 },
      ...applets.map((a) => ({ path: a, type: 'symlink' as const, target: '/bin/busybox' })),
      { path: 'etc/passwd', type: 'file', content: 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' },
      { path: 'etc/group', type: 'file', content: 'root:x:0:\nnobody:x:65534:\n' },
    ]);
    return { tar, version: upstream };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** distribution's registry as its registry:3 image runs it (distribution Dockerfile, cmd/registry/config-dev.yml). */
const registryConfig = `version: 0.1
log:
  fields:
    service: registry
storage:
  cache:
    blobdescriptor: inmemory
  filesystem:
    rootdirectory: /var/lib/registry
http:
  addr: :5000
  headers:
    X-Content-Type-Options: [nosniff]
health:
  storagedriver:
    enabled: true
    interval: 10s
    threshold: 3
`;

async function ensureRegistryLayer(cache: string): Promise<string> {
  const binary = await readFile(binaryPath('registry'));
  const tar = path.join(cache, `registry-${contentHash([binary, registryConfig])}.tar`);
  if (existsSync(tar)) return tar;
  await writeLayerTar(tar, [
    { path: 'bin', type: 'directory' },
    { path: 'bin/registry', type: 'file', content: binary, mode: 0o755 },
    { path: 'etc', type: 'directory' },
    { path: 'etc/distribution', type: 'directory' },
    { path: 'etc/distribution/config.yml', type: 'file', content: registryConfig },
    { path: 'tmp', type: 'directory', mode: 0o1777 },
    { path: 'var', type: 'directory' },
    { path: 'var/lib', type: 'directory' },
    { path: 'var/lib/registry', type: 'directory' },
  ]);
  return tar;
}

/** The host's containerd (Debian's, as in the node) writes the node's image store; it must be there. */
async function containerdUnavailable(): Promise<string | undefined> {
  const r = await execa('containerd', ['--version'], { reject: false });
  if (r.exitCode !== 0) return 'containerd is not installed here (apt-get install containerd, or `npm run kind:host -- up`, which installs docker.io)';
  return undefined;
}

/**
 * Imports the component images into a containerd image store under `root` (the node's /var/lib/containerd), with
 * a containerd of its own on a private socket, as kind's node-image build does inside its build container
 * (`ctr -n k8s.io images import --no-unpack`, as kind's build does with --digests too; containerd unpacks on first use). The sandbox image is
 * pinned so the kubelet's image GC never removes it.
 */
async function importImages(root: string, archives: { ref: string; file: string }[], pinned: string, progress: Progress): Promise<void> {
  const reason = await containerdUnavailable();
  if (reason) throw new Error(`cannot fill the node's image store: ${reason}`);
  const state = await mkdtemp(path.join(tmpdir(), 'ih-ctrd-'));
  const sock = path.join(state, 'c.sock');
  await writeFile(
    path.join(state, 'config.toml'),
    [
      'version = 2',
      `root = "${root}"`,
      `state = "${state}/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${sock}"`,
      '[ttrpc]',
      `  address = "${sock}.ttrpc"`,
      '',
    ].join('\n'),
  );
  const daemon: ResultPromise = execa('containerd', ['--config', path.join(state, 'config.toml')], { reject: false, stdin: 'ignore', stdout: 'ignore', stderr: 'pipe' });
  const ctr = (...args: string[]) => execa('ctr', ['--address', sock, '--namespace', 'k8s.io', ...args], { reject: false, all: true, stdin: 'ignore' });
  try {
    for (let i = 0; (await ctr('version')).exitCode !== 0; i++) {
      if (daemon.exitCode !== undefined && daemon.exitCode !== null) throw new Error(`containerd exited: ${String((await daemon).stderr).slice(-2000)}`);
      if (i > 60) throw new Error('containerd did not answer within 30 s');
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const a of archives) {
      progress(`  ctr images import ${a.ref}`);
      const r = await ctr('images', 'import', '--no-unpack', a.file);
      if (r.exitCode !== 0) throw new Error(`ctr images import ${a.ref}: ${r.all}`);
    }
    const listed = (await ctr('images', 'ls', '-q')).stdout.split('\n');
    const lacking = archives.filter((a) => !listed.includes(a.ref));
    if (lacking.length > 0) throw new Error(`the node's containerd lacks ${lacking.map((a) => a.ref).join(', ')} after import`);
    const pin = await ctr('images', 'label', pinned, 'io.cri-containerd.pinned=pinned');
    if (pin.exitCode !== 0) throw new Error(`pinning ${pinned}: ${pin.all}`);
  } finally {
    daemon.kill('SIGTERM');
    await daemon;
    await rm(state, { recursive: true, force: true });
  }
}

/** The runtime spec base containerd gives every container, as kind's base image makes it: `ctr oci spec` without rlimits. */
async function criBaseSpec(): Promise<string> {
  const r = await execa('ctr', ['oci', 'spec']);
  const spec = JSON.parse(r.stdout) as { process?: { rlimits?: unknown } };
  delete spec.process?.rlimits;
  return `${JSON.stringify(spec, null, 2)}\n`;
}

async function filesHash(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(dir, { recursive: true, withFileTypes: true })).sort((a, b) =>
    path.join(a.parentPath, a.name).localeCompare(path.join(b.parentPath, b.name)),
  )) {
    const p = path.join(entry.parentPath, entry.name);
    if (entry.isFile()) out.push(path.relative(dir, p), ((await stat(p)).mode & 0o111).toString(), (await readFile(p)).toString('base64'));
  }
  return out;
}

/** The node's own layer: binaries, this folder's files, the component images in containerd's store. */
async function buildNodeLayer(out: string, archives: { ref: string; file: string }[], progress: Progress): Promise<void> {
  const stage = await mkdtemp(path.join(kindNodeCacheDir(), 'stage-'));
  try {
    await execa('chmod', ['755', stage]);
    await cp(filesDir, stage, { recursive: true });
    const put = async (from: string, to: string) => {
      await mkdir(path.dirname(path.join(stage, to)), { recursive: true });
      await cp(from, path.join(stage, to));
      await execa('chmod', ['755', path.join(stage, to)]);
    };
    // kind's node-image build puts kubeadm, kubelet and kubectl in /usr/bin (pkg/build/nodeimage/buildcontext.go)
    for (const b of ['kubeadm', 'kubelet', 'kubectl'] as const) await put(binaryPath(b), `usr/bin/${b}`);
    await put(binaryPath('crictl'), 'usr/local/bin/crictl');
    await writeFile(path.join(stage, 'kind/version'), kubernetesVersion);
    await mkdir(path.join(stage, 'etc/kubernetes/manifests'), { recursive: true });
    await mkdir(path.join(stage, 'etc/cni/net.d'), { recursive: true });
    // Debian's CNI plugins live in /usr/lib/cni; containerd looks in /opt/cni/bin, as on kind's nodes
    await mkdir(path.join(stage, 'opt/cni/bin'), { recursive: true });
    for (const p of ['ptp', 'host-local', 'loopback', 'portmap']) await symlink(`/usr/lib/cni/${p}`, path.join(stage, 'opt/cni/bin', p));
    // `systemctl enable` for a unit is a link in its target's .wants; masking is a link to /dev/null
    const wants = path.join(stage, 'etc/systemd/system/multi-user.target.wants');
    await mkdir(wants, { recursive: true });
    for (const unit of ['containerd.service', 'kubelet.service', 'undo-cgroups-bind.service', 'pod-network.service'])
      await symlink(`/etc/systemd/system/${unit}`, path.join(wants, unit));
    await symlink('/dev/null', path.join(stage, 'etc/systemd/system/systemd-binfmt.service'));
    await writeFile(path.join(stage, 'etc/containerd/cri-base.json'), await criBaseSpec());
    await mkdir(path.join(stage, 'var/lib/containerd'), { recursive: true });
    progress(`importing ${archives.length} images into the node's containerd store`);
    await importImages(path.join(stage, 'var/lib/containerd'), archives, kubeadmImages.pause, progress);
    await tarDirectory(stage, `${out}.tmp`, { root: true });
    await rename(`${out}.tmp`, out);
  } finally {
    await rm(stage, { recursive: true, force: true });
  }
}

export interface BuildOptions {
  load: boolean;
  progress?: Progress;
}

export async function buildKindImages(options: BuildOptions): Promise<KindImagesManifest> {
  const progress = options.progress ?? ((l: string) => console.log(l));
  const cache = kindNodeCacheDir();
  await mkdir(cache, { recursive: true });
  const s = steps(progress);
  // Debian's pieces (mostly downloads) run beside the Go builds (CPU): on 2 cores that saves their whole time
  const debian = (async () => {
    const node = await s.run('node rootfs (debootstrap)', () => ensureRootfsTar(nodeRootfs, cache, progress));
    const proxy = await s.run('kube-proxy rootfs (debootstrap)', () => ensureRootfsTar(kubeProxyRootfs, cache, progress));
    const bb = await s.run('busybox (Debian busybox-static)', () => ensureBusybox(cache, progress));
    return { node, proxy, bb };
  })();
  const go = s.run('Go binaries (Kubernetes, etcd, CoreDNS, crictl, registry, kind)', () => ensureBinaries([...nodeBinaries, 'registry', 'kind'], progress));
  // both settle before either failure is reported: nothing keeps running behind an error
  const [debianResult, goResult] = await Promise.allSettled([debian, go]);
  if (debianResult.status === 'rejected') throw debianResult.reason;
  if (goResult.status === 'rejected') throw goResult.reason;
  const { node: nodeBase, proxy: proxyBase, bb: busybox } = debianResult.value;
  const pause = await s.run('pause (gcc -static)', () => ensurePause(cache, progress));
  const registryLayer = await s.run('registry layer', () => ensureRegistryLayer(cache));

  const fingerprints = await binaryFingerprints(nodeBinaries);
  const nodeInputs = contentHash([
    rootfsInputs(kubeProxyRootfs),
    JSON.stringify(fingerprints),
    await readFile(pause),
    ...(await filesHash(filesDir)),
    JSON.stringify(kubeadmImages),
    (await readFile(path.join(here, 'build.ts'))).toString(),
    (await readFile(path.join(here, 'images.ts'))).toString(),
  ]);
  const nodeLayer = path.join(cache, `node-layer-${nodeInputs}.tar`);
  if (!existsSync(nodeLayer)) {
    await s.run('component images and the node layer', async () => {
      const dir = await mkdtemp(path.join(cache, 'components-'));
      try {
        const base = [await layerFromTar(proxyBase)];
        const archives: { ref: string; file: string }[] = [];
        for (const c of [...components(base), { ref: kubeadmImages.pause, binaryPath: 'pause', binary: pause, entrypoint: ['/pause'] }]) {
          const file = path.join(dir, `${archives.length}.tar`);
          progress(`  image ${c.ref}`);
          await componentArchive(c, file);
          archives.push({ ref: c.ref, file });
        }
        await buildNodeLayer(nodeLayer, archives, progress);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  }

  const node = await writeDockerArchive(path.join(cache, 'archive-node'), NODE_IMAGE, [nodeBase, nodeLayer], {
    env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'container=docker', 'HTTP_PROXY=', 'HTTPS_PROXY=', 'NO_PROXY='],
    entrypoint: ['/usr/local/bin/entrypoint', '/sbin/init'],
    // systemd's halt signal (kind images/base/Dockerfile STOPSIGNAL)
    stopSignal: 'SIGRTMIN+3',
    labels: { [LABEL_CNI]: 'builtin', [LABEL_SYSTEM_IMAGES]: systemImages.join(',') },
  });
  const registry = await writeDockerArchive(path.join(cache, 'archive-registry'), REGISTRY_IMAGE, [registryLayer], {
    env: [defaultPathEnv],
    entrypoint: ['/bin/registry'],
    cmd: ['serve', '/etc/distribution/config.yml'],
    exposedPorts: ['5000/tcp'],
    volumes: ['/var/lib/registry'],
  });
  const bb = await writeDockerArchive(path.join(cache, 'archive-busybox'), `image-heist/busybox:${busybox.version}`, [busybox.tar], { env: [defaultPathEnv], cmd: ['sh'] });

  if (options.load) {
    for (const a of [node, registry, bb]) {
      if ((await engineImageId(a.ref)) === a.id) continue;
      await s.run(`docker load ${a.ref}`, () => loadDockerArchive(a));
    }
  }
  const previous = existsSync(manifestPath()) ? (JSON.parse(await readFile(manifestPath(), 'utf8')) as Partial<KindImagesManifest>) : {};
  const summary = (a: DockerArchive) => ({ ref: a.ref, id: a.id, bytes: a.bytes });
  const manifest: KindImagesManifest = {
    kubernetesVersion,
    node: summary(node),
    registry: summary(registry),
    busybox: summary(bb),
    systemImages: Object.values(kubeadmImages),
    mirroredSystemImages: systemImages,
    kindBinary: binaryPath('kind'),
    // keep the cold figures of pieces that came from the cache this time
    buildSeconds: { ...previous.buildSeconds, ...Object.fromEntries(Object.entries(s.seconds).filter(([, v]) => v >= 1)) },
    builtAt: new Date().toISOString(),
  };
  await writeFile(manifestPath(), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

const defaultPathEnv = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export { fidelityDir };

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const unknown = args.filter((a) => a !== '--no-load');
  if (unknown.length > 0) {
    console.error(`unknown option ${unknown.join(' ')}; usage: npm run kind:node-image [-- --no-load]`);
    process.exit(2);
  }
  const started = Date.now();
  try {
    const load = !args.includes('--no-load');
    const engine = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false, stdin: 'ignore', timeout: 10_000 });
    if (load && engine.exitCode !== 0) {
      throw new Error(
        `no Docker engine answers${process.env.DOCKER_HOST ? ` at ${process.env.DOCKER_HOST}` : ''} to load the images into: start one (npm run kind:host -- up, then the export line it prints) or pass --no-load`,
      );
    }
    const m = await buildKindImages({ load });
    const mib = (b: number) => `${Math.round(b / 1024 / 1024)} MiB`;
    console.log(`node image     ${m.node.ref} (${mib(m.node.bytes)} uncompressed)`);
    console.log(`registry image ${m.registry.ref} (${mib(m.registry.bytes)})`);
    console.log(`busybox image  ${m.busybox.ref} (${mib(m.busybox.bytes)})`);
    console.log(`kind           ${m.kindBinary}`);
    console.log(`manifest       ${manifestPath()} (${Math.round((Date.now() - started) / 1000)} s)`);
  } catch (error) {
    console.error(`kind:node-image: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
