// Stretch: a real node for the real control plane — Debian's containerd and runc, and a kubelet v1.36.3 built by
// build.ts with the profile's KubeletEnsureSecretPulledImages / imagePullCredentialsVerificationPolicy — pulling
// from the lab's registry on 127.0.0.1. Everything lives in one temp dir (containerd root/state/socket, CNI
// config, kubelet root and pod logs) and is stopped by close(). Needs root, runc and a bridge-capable kernel.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { stringify } from 'yaml';
import { assembleImage, buildLayer, defaultPath, type BuiltImage } from '../src/registry/image-builder.js';
import { builtImageContent, ociArchive } from '../src/registry/oci-layout.js';
import type { Profile } from '../src/lab/profiles.js';
import { binaryPath } from './build.js';
import { freePort } from './control-plane.js';

export const nodeName = 'fidelity-node';
/**
 * The kubelet refuses a loopback node IP ("nodeIP can't be loopback address"), and the API server reaches the
 * kubelet (pods/log) at the node's InternalIP: the node gets a host-local interface (a bridge without ports) with this address,
 * reachable from this machine only, and the kubelet listens there (the registry and the API server stay on 127.0.0.1).
 */
export const nodeIp = '10.254.254.1';
const nodeLink = 'fidelity-node0';
export const pauseImage = 'registry.k8s.io/pause:3.10';

export interface RealNode {
  dir: string;
  /** containerd and kubelet processes (the kubelet's changes on reset). */
  pids(): number[];
  /** `ctr --namespace k8s.io …` against this node's containerd. */
  ctr(...args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /** Stops the kubelet, removes every container and image but the sandbox image, wipes the kubelet's pull
   *  records (root-dir/image_manager) and starts the kubelet again: a node whose cache is empty. */
  reset(): Promise<void>;
  /** containerd and kubelet logs (the tail), for a failing test's message. */
  logs(lines?: number): Promise<string>;
  close(): Promise<void>;
}

/** Debian's busybox-static as an image layer: /bin/busybox and the applets the lab's commands use. */
export async function busyboxLayer() {
  const busybox = await readFile('/usr/bin/busybox');
  return buildLayer([
    { path: 'bin', type: 'directory' },
    { path: 'bin/busybox', type: 'file', content: busybox, mode: 0o755 },
    ...['sh', 'cat', 'echo', 'sleep'].map((applet) => ({ path: `bin/${applet}`, type: 'symlink' as const, target: '/bin/busybox' })),
    { path: 'tmp', type: 'directory', mode: 0o1777 },
  ]);
}

/** SuperSecretImage1 on a real busybox: it really runs and prints the flag. */
export async function buildRunnableSecretImage(flag: string): Promise<BuiltImage> {
  const flagLayer = await buildLayer([{ path: 'flag.txt', type: 'file', content: `${flag}\n`, mode: 0o644 }]);
  return assembleImage([await busyboxLayer(), flagLayer], { env: [defaultPath], cmd: ['sh', '-c', 'cat /flag.txt && sleep infinity'] });
}

/** The sandbox ("pause") image, made of busybox: the machine has no registry.k8s.io to pull the real one from. */
async function pauseImageArchive(file: string): Promise<void> {
  const image = assembleImage([await busyboxLayer()], { env: [defaultPath], entrypoint: ['/bin/sleep', 'infinity'] });
  // an OCI image layout tarball for `ctr images import`
  await writeFile(file, await ociArchive(builtImageContent(image), pauseImage));
}

function start(binary: string, args: string[], log: string, append = false): ChildProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const out = createWriteStream(log, { flags: append ? 'a' : 'w' });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  child.on('error', (e) => out.write(`spawn ${binary}: ${e.message}\n`));
  return child;
}

async function netnsList(): Promise<string[]> {
  const { stdout } = await execa('ip', ['netns', 'list'], { reject: false });
  return stdout
    .split('\n')
    .map((l) => l.split(' ')[0] ?? '')
    .filter(Boolean);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(t);
}

export async function startNode(options: { apiServerUrl: string; caPem: string; nodeToken: string; profile: Profile; registryHost: string }): Promise<RealNode> {
  const dir = await mkdtemp(path.join(tmpdir(), 'image-heist-node-'));
  const children: ChildProcess[] = [];
  const sock = path.join(dir, 'containerd.sock');
  const ctr = async (...args: string[]) => {
    const r = await execa('ctr', ['--address', sock, '--namespace', 'k8s.io', ...args], { reject: false });
    return { exitCode: r.exitCode ?? -1, stdout: r.stdout, stderr: r.stderr };
  };
  /** Image names and their manifest digests, as `ctr images ls` prints them. */
  const images = async () =>
    (await ctr('images', 'ls')).stdout
      .split('\n')
      .slice(1)
      .map((l) => l.split(/\s+/))
      .filter((c) => c.length > 2)
      .map((c) => ({ ref: c[0]!, digest: c[2]! }));
  const pauseDigest = async () => (await images()).find((i) => i.ref === pauseImage)?.digest;
  let kubeletProcess: ChildProcess | undefined;
  let kubeletArgs: string[] = [];
  const removeContainers = async () => {
    const lines = async (...a: string[]) => (await ctr(...a)).stdout.split('\n').filter(Boolean);
    for (const task of await lines('tasks', 'ls', '-q')) await ctr('tasks', 'kill', '-s', 'SIGKILL', task);
    await new Promise((r) => setTimeout(r, 1000));
    for (const task of await lines('tasks', 'ls', '-q')) await ctr('tasks', 'delete', '-f', task);
    for (const c of await lines('containers', 'ls', '-q')) await ctr('containers', 'delete', c);
  };
  // Pod sandboxes' network namespaces: containers killed through ctr skip the CNI teardown, so close() removes
  // every cni-* namespace that appeared while this node ran (181 were left behind before this).
  const netnsBefore = new Set(await netnsList());
  const close = async () => {
    // The kubelet first, then the pods (their shims outlive containerd otherwise), then containerd.
    if (kubeletProcess) await stop(kubeletProcess);
    await removeContainers();
    const containerd = children[0];
    if (containerd) await stop(containerd);
    for (const ns of await netnsList()) if (ns.startsWith('cni-') && !netnsBefore.has(ns)) await execa('ip', ['netns', 'delete', ns], { reject: false });
    // The CNI bridge and the kubelet's mounts.
    await execa('ip', ['link', 'del', 'fidelity0'], { reject: false });
    await execa('ip', ['link', 'del', nodeLink], { reject: false });
    await execa('sh', ['-c', `grep -o " ${dir}[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l`], { reject: false });
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  };
  const logs = async (lines = 40) => {
    const tail = async (f: string) => (await readFile(path.join(dir, f), 'utf8').catch(() => '')).split('\n').slice(-lines).join('\n');
    return `--- containerd ---\n${await tail('containerd.log')}\n--- kubelet ---\n${await tail('kubelet.log')}`;
  };
  try {
    const [kubeletPort, healthzPort] = [await freePort(), await freePort()];
    // A bridge without ports: this kernel has no dummy driver; the address is local all the same.
    await execa('ip', ['link', 'add', nodeLink, 'type', 'bridge']);
    await execa('ip', ['addr', 'add', `${nodeIp}/32`, 'dev', nodeLink]);
    await execa('ip', ['link', 'set', nodeLink, 'up']);
    await mkdir(path.join(dir, 'cni'), { recursive: true });
    await writeFile(
      path.join(dir, 'cni', '10-fidelity.conflist'),
      JSON.stringify({
        cniVersion: '1.0.0',
        name: 'fidelity',
        plugins: [
          { type: 'bridge', bridge: 'fidelity0', isGateway: true, ipMasq: false, ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.0.0/24' }]] } },
          { type: 'loopback' },
        ],
      }),
    );
    const hostDir = path.join(dir, 'certs.d', options.registryHost);
    await mkdir(hostDir, { recursive: true });
    await writeFile(
      path.join(hostDir, 'hosts.toml'),
      `server = "http://${options.registryHost}"\n\n[host."http://${options.registryHost}"]\n  capabilities = ["pull", "resolve"]\n`,
    );
    await writeFile(
      path.join(dir, 'containerd.toml'),
      [
        'version = 2',
        `root = "${dir}/containerd-root"`,
        `state = "${dir}/containerd-state"`,
        '[debug]',
        '  level = "debug"',
        '[grpc]',
        `  address = "${sock}"`,
        '[ttrpc]',
        `  address = "${sock}.ttrpc"`,
        '[plugins."io.containerd.grpc.v1.cri"]',
        `  sandbox_image = "${pauseImage}"`,
        // This sandbox may not lower oom_score_adj (runc: "failed to update /proc/self/oom_score_adj: Permission
        // denied" for the kubelet's -998 on sandboxes): keep containers at or above containerd's own score.
        '  restrict_oom_score_adj = true',
        '[plugins."io.containerd.grpc.v1.cri".cni]',
        '  bin_dir = "/usr/lib/cni"',
        `  conf_dir = "${dir}/cni"`,
        '[plugins."io.containerd.grpc.v1.cri".registry]',
        `  config_path = "${dir}/certs.d"`,
        '',
      ].join('\n'),
    );
    const containerd = start('containerd', ['--config', path.join(dir, 'containerd.toml')], path.join(dir, 'containerd.log'));
    children.push(containerd);
    for (let i = 0; ; i++) {
      if ((await ctr('version')).exitCode === 0) break;
      if (containerd.exitCode !== null || i > 120) throw new Error(`containerd did not start:\n${await logs()}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    const pause = path.join(dir, 'pause.tar');
    await pauseImageArchive(pause);
    const imported = await ctr('images', 'import', '--no-unpack', pause);
    if (imported.exitCode !== 0) throw new Error(`ctr images import: ${imported.stderr}`);
    await ctr('images', 'label', pauseImage, 'io.cri-containerd.pinned=pinned');

    await writeFile(
      path.join(dir, 'kubeconfig'),
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'real', cluster: { server: options.apiServerUrl, 'certificate-authority-data': Buffer.from(options.caPem).toString('base64') } }],
        users: [{ name: 'node', user: { token: options.nodeToken } }],
        contexts: [{ name: 'node', context: { cluster: 'real', user: 'node' } }],
        'current-context': 'node',
      }),
      { mode: 0o600 },
    );
    const { kubelet } = options.profile;
    await writeFile(
      path.join(dir, 'kubelet.yaml'),
      stringify({
        apiVersion: 'kubelet.config.k8s.io/v1beta1',
        kind: 'KubeletConfiguration',
        // The API server reaches the kubelet for pods/log without client certificates.
        authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
        authorization: { mode: 'AlwaysAllow' },
        address: nodeIp,
        port: kubeletPort,
        readOnlyPort: 0,
        healthzBindAddress: '127.0.0.1',
        healthzPort,
        containerRuntimeEndpoint: `unix://${sock}`,
        cgroupDriver: 'cgroupfs',
        // This machine has cgroup v1 only; v1.35+ refuses it unless told otherwise (KEP-5573).
        failCgroupV1: false,
        failSwapOn: false,
        cgroupsPerQOS: false,
        enforceNodeAllocatable: [],
        localStorageCapacityIsolation: false,
        evictionHard: { 'memory.available': '1Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
        imageGCHighThresholdPercent: 100,
        imageGCLowThresholdPercent: 99,
        podLogsDirectory: path.join(dir, 'pod-logs'),
        resolvConf: '/etc/resolv.conf',
        serializeImagePulls: true,
        featureGates: { KubeletEnsureSecretPulledImages: kubelet.ensureSecretPulledImages },
        ...(kubelet.ensureSecretPulledImages ? { imagePullCredentialsVerificationPolicy: kubelet.imagePullCredentialsVerificationPolicy } : {}),
      }),
    );
    kubeletArgs = [
      `--config=${path.join(dir, 'kubelet.yaml')}`,
      `--kubeconfig=${path.join(dir, 'kubeconfig')}`,
      `--root-dir=${path.join(dir, 'kubelet')}`,
      `--cert-dir=${path.join(dir, 'kubelet-pki')}`,
      `--hostname-override=${nodeName}`,
      `--node-ip=${nodeIp}`,
      '--v=2',
    ];
    kubeletProcess = start(binaryPath('kubelet'), kubeletArgs, path.join(dir, 'kubelet.log'));
    const reset = async () => {
      if (kubeletProcess) await stop(kubeletProcess);
      await removeContainers();
      for (const image of await images()) if (image.digest !== (await pauseDigest())) await ctr('images', 'rm', image.ref);
      await rm(path.join(dir, 'kubelet', 'image_manager'), { recursive: true, force: true });
      kubeletProcess = start(binaryPath('kubelet'), kubeletArgs, path.join(dir, 'kubelet.log'), true);
    };
    return {
      dir,
      pids: () => [children[0]?.pid, kubeletProcess?.pid].filter((p): p is number => p !== undefined),
      ctr,
      reset,
      logs,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
