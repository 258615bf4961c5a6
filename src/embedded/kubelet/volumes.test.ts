import { describe, expect, it } from 'vitest';
import { createManualClock } from '../clock.js';
import { ContainerLog } from '../node/container-logs.js';
import { CONTENT_STORE, NodeFilesystem, SNAPSHOTTER } from '../node/host-fs.js';
import { ImageStore } from '../node/image-store.js';
import { MountedFs } from '../node/mounts.js';
import { unpackRootfs } from '../node/rootfs.js';
import { startContainer } from '../node/runtime.js';
import { buildImage, buildLayer, busyboxEntries } from '../../../test/support/node-images.js';
import { containerMounts, failedMountEvent, mountPodVolumes } from './volumes.js';

async function setup() {
  const store = new ImageStore();
  const image = store.addImage('lab/busybox:1', buildImage([await buildLayer(busyboxEntries())], { Cmd: ['sh'] }));
  const host = new NodeFilesystem(store, 'worker-1');
  return { store, image, host, imageFs: await unpackRootfs(image, store) };
}

async function run(fs: MountedFs, script: string): Promise<string[]> {
  const clock = createManualClock();
  const log = new ContainerLog({ clock });
  const r = startContainer({ containerId: 'c', imageConfig: {}, command: ['sh', '-c', script], fs, clock, log });
  if (!r.started || !('handle' in r)) throw new Error('did not start');
  await r.handle.exited;
  return log.lines().map((l) => `${l.stream === 'stderr' ? '! ' : ''}${l.text}`);
}

describe('hostPath volumes on the embedded node', () => {
  it('the node filesystem holds every blob of the image store by digest, and follows removals', async () => {
    const { store, image, host } = await setup();
    const names = host.fs.readdir(`${CONTENT_STORE}/blobs/sha256`);
    expect(names).toEqual(store.blobDigests().map((d) => d.slice('sha256:'.length)));
    const layer = image.layers[0]!.digest;
    expect(host.fs.readFile(`${CONTENT_STORE}/blobs/sha256/${layer.slice(7)}`)).toEqual(store.getBlob(layer));
    expect(host.fs.stat(`${CONTENT_STORE}/blobs/sha256/${layer.slice(7)}`).mode).toBe(0o444);
    // the overlayfs snapshotter's view: the layer unpacked at snapshots/1/fs
    expect(host.fs.readdir(`${SNAPSHOTTER}/snapshots`)).toEqual(['1']);
    expect(host.fs.readdir(`${SNAPSHOTTER}/snapshots/1/fs/bin`)).toContain('busybox');
    expect(host.fs.lstat(`${SNAPSHOTTER}/snapshots/1/fs/bin/sh`)).toMatchObject({ type: 'symlink', target: 'busybox' });
    store.removeImage(image.id);
    host.sync();
    expect(host.fs.readdir(`${CONTENT_STORE}/blobs/sha256`)).toEqual([]);
    expect(host.fs.readdir(`${SNAPSHOTTER}/snapshots`)).toEqual([]);
  });

  it('checks the hostPath type as the kubelet does, and creates what *OrCreate asks for', async () => {
    const { host } = await setup();
    const vol = (path: string, type?: string) => ({ volumes: [{ name: 'v', hostPath: { path, ...(type ? { type } : {}) } }] });
    expect(mountPodVolumes(vol('/var/lib/containerd', 'Directory'), host)).toHaveProperty('volumes');
    expect(mountPodVolumes(vol('/etc/hostname', 'Directory'), host)).toEqual({ failed: { volume: 'v', message: 'hostPath type check failed: /etc/hostname is not a directory' } });
    expect(mountPodVolumes(vol('/nope', 'File'), host)).toEqual({ failed: { volume: 'v', message: 'hostPath type check failed: /nope is not a file' } });
    expect(mountPodVolumes(vol('/run/containerd/containerd.sock', 'Socket'), host)).toMatchObject({
      failed: { message: 'hostPath type check failed: /run/containerd/containerd.sock is not a socket file' },
    });
    expect(mountPodVolumes(vol('/data/new', 'DirectoryOrCreate'), host)).toHaveProperty('volumes');
    expect(host.fs.stat('/data/new').type).toBe('dir');
    expect(mountPodVolumes(vol('/srv/plain'), host)).toHaveProperty('volumes');
    expect(host.fs.stat('/srv/plain').type).toBe('dir');
    expect(failedMountEvent('v', 'x').message).toBe('MountVolume.SetUp failed for volume "v" : x');
  });

  it('a container sees the mount, read-only where asked, and `..` never leaves the node', async () => {
    const { host, imageFs } = await setup();
    const mounted = mountPodVolumes(
      {
        volumes: [
          { name: 'c', hostPath: { path: '/var/lib/containerd' } },
          { name: 'scratch', emptyDir: {} },
        ],
      },
      host,
    );
    if (!('volumes' in mounted)) throw new Error('mount failed');
    const mounts = containerMounts(
      {
        volumeMounts: [
          { name: 'c', mountPath: '/host/containerd', readOnly: true },
          { name: 'scratch', mountPath: '/scratch' },
        ],
      },
      mounted.volumes,
    );
    const fs = new MountedFs(imageFs, mounts);
    const out = await run(fs, 'ls /; ls /host; ls /host/containerd; echo x > /host/containerd/f; cat /host/containerd/../../etc/hostname; ls /host/containerd/../../../..');
    expect(out).toEqual([
      'bin',
      'host',
      'scratch',
      'containerd',
      'io.containerd.content.v1.content',
      'io.containerd.snapshotter.v1.overlayfs',
      "! sh: can't create /host/containerd/f: Read-only file system",
      "! cat: can't open '/host/containerd/../../etc/hostname': No such file or directory",
      'bin',
      'host',
      'scratch',
    ]);
  });
});
