// Debian root filesystems for the node image and for kube-proxy's image, made with debootstrap from Debian's
// archive (no image registry): cached as a tar by the hash of what goes in.
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { contentHash, type Progress } from './steps.js';

export const debianSuite = 'bookworm';

export function debianMirror(): string {
  return process.env.IMAGE_HEIST_DEBIAN_MIRROR || 'http://deb.debian.org/debian';
}

/**
 * kind v0.32.0's base image packages (images/base/Dockerfile, `clean-install` line), by purpose, without
 * fuse-overlayfs (only its rootless snapshotter uses it, which this image does not carry); then what kind builds
 * from source and Debian packages: containerd, runc and the CNI plugins (ptp, host-local, loopback, portmap).
 */
export const nodePackages = [
  // services
  'systemd',
  // Kubernetes components
  'conntrack',
  'iptables',
  'nftables',
  'iproute2',
  'ethtool',
  'util-linux',
  'mount',
  'kmod',
  // the container runtime
  'libseccomp2',
  'pigz',
  // network storage, and the storage e2e tests
  'nfs-common',
  'open-iscsi',
  'e2fsprogs',
  // used by kind itself
  'bash',
  'ca-certificates',
  'curl',
  'jq',
  'procps',
  // in place of kind's source builds
  'containerd',
  'runc',
  'containernetworking-plugins',
] as const;

/** kube-proxy runs iptables-restore and conntrack (its upstream image is distroless-iptables). */
export const kubeProxyPackages = ['iptables', 'nftables', 'conntrack', 'kmod'] as const;

/**
 * What kind's base image removes after installing (images/base/Dockerfile): services a node container must not
 * start, kernel messages in the journal; and systemd as /sbin/init.
 */
const nodeCleanup = `
set -eu
find "$R/lib/systemd/system/sysinit.target.wants/" -name systemd-tmpfiles-setup.service -delete
rm -f "$R"/lib/systemd/system/multi-user.target.wants/* "$R"/etc/systemd/system/*.wants/* \\
  "$R"/lib/systemd/system/local-fs.target.wants/* "$R"/lib/systemd/system/sockets.target.wants/*udev* \\
  "$R"/lib/systemd/system/sockets.target.wants/*initctl* "$R"/lib/systemd/system/basic.target.wants/*
echo ReadKMsg=no >> "$R/etc/systemd/journald.conf"
ln -sf /usr/lib/systemd/systemd "$R/sbin/init"
`;

/** Shared by both: no package caches or logs in an image. */
const commonCleanup = `
set -eu
rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/* "$R"/var/cache/debconf/*-old "$R"/var/log/* "$R"/tmp/*
rm -rf "$R"/usr/share/doc/* "$R"/usr/share/man/* "$R"/usr/share/info/*
`;

export interface RootfsSpec {
  name: 'node-base' | 'kube-proxy-base';
  packages: readonly string[];
  cleanup: string;
}

export const nodeRootfs: RootfsSpec = { name: 'node-base', packages: nodePackages, cleanup: nodeCleanup };
export const kubeProxyRootfs: RootfsSpec = { name: 'kube-proxy-base', packages: kubeProxyPackages, cleanup: '' };

export function rootfsInputs(spec: RootfsSpec): string {
  return contentHash([debianSuite, debianMirror(), 'minbase', ...spec.packages, spec.cleanup, commonCleanup]);
}

/** Why debootstrap cannot run here, or undefined. */
export async function debootstrapUnavailable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'debootstrap needs root (it creates device nodes and owns files as root)';
  const r = await execa('debootstrap', ['--version'], { reject: false });
  if (r.exitCode !== 0 && (r as { code?: string }).code === 'ENOENT') return 'debootstrap is not installed (apt-get install debootstrap)';
  return undefined;
}

/**
 * The root filesystem as one tar (numeric owners, xattrs kept: file capabilities survive), built once per input
 * hash. A half-made tree from an interrupted run is thrown away, never reused.
 */
export async function ensureRootfsTar(spec: RootfsSpec, cacheDir: string, progress: Progress): Promise<string> {
  const hash = rootfsInputs(spec);
  const tar = path.join(cacheDir, `${spec.name}-${hash}.tar`);
  if (existsSync(tar)) return tar;
  const reason = await debootstrapUnavailable();
  if (reason) throw new Error(`cannot build the ${spec.name} rootfs: ${reason}`);
  const dir = path.join(cacheDir, `${spec.name}-${hash}.tmp`);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  progress(`debootstrap ${debianSuite} (${spec.packages.length} packages) from ${debianMirror()}`);
  const boot = execa('nice', ['-n', '10', 'debootstrap', '--variant=minbase', `--include=${spec.packages.join(',')}`, debianSuite, dir, debianMirror()], {
    reject: false,
    all: true,
    stdin: 'ignore',
  });
  boot.all?.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n'))
      if (/^I: (Retrieving|Validating|Installing|Configuring|Base system)/.test(line) && /Installing|Base system|Retrieving Packages/.test(line)) progress(`  ${line.slice(3)}`);
  });
  const r = await boot;
  if (r.exitCode !== 0) {
    const log = existsSync(path.join(dir, 'debootstrap/debootstrap.log'))
      ? (await execa('tail', ['-20', path.join(dir, 'debootstrap/debootstrap.log')], { reject: false })).stdout
      : '';
    throw new Error(`debootstrap failed (exit ${r.exitCode}):\n${(r.all ?? '').split('\n').slice(-15).join('\n')}\n${log}`);
  }
  const clean = await execa('bash', ['-c', spec.cleanup + commonCleanup], { env: { R: dir }, reject: false, all: true });
  if (clean.exitCode !== 0) throw new Error(`cleaning the ${spec.name} rootfs failed: ${clean.all}`);
  await tarDirectory(dir, `${tar}.tmp`, { excludeRuntime: true });
  await rename(`${tar}.tmp`, tar);
  await rm(dir, { recursive: true, force: true });
  return tar;
}

/** tar of a directory's content; `root` forces owner 0 (for trees this builder wrote itself). */
export async function tarDirectory(dir: string, file: string, options: { excludeRuntime?: boolean; root?: boolean } = {}): Promise<void> {
  const args = ['--numeric-owner', '--xattrs', '--xattrs-include=*', '--sort=name', '-C', dir, '-cf', file];
  if (options.root) args.unshift('--owner=0', '--group=0');
  // debootstrap leaves device nodes and may leave mounts: the engine provides /dev, /proc and /sys
  if (options.excludeRuntime) args.unshift('--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '--exclude=./debootstrap');
  const r = await execa('tar', [...args, '.'], { reject: false, all: true });
  if (r.exitCode !== 0) throw new Error(`tar ${dir} failed: ${r.all}`);
}
