// The kubelet's volume manager, for the volumes the lab models: hostPath (a directory or file of the node's
// own filesystem, after upstream's type check) and emptyDir; other volume types mount nothing. Mounting is
// per pod, before any container starts (kubelet SyncPod: WaitForAttachAndMount); each container then sees its
// volumeMounts bind-mounted into its image's filesystem, read-only where the mount says so.
import { isObject, listField, stringField } from '../../k8s/json-fields.js';
import type { NodeFilesystem } from '../node/host-fs.js';
import { emptyDir, normalizePath, type Mount } from '../node/mounts.js';
import { FsError, type RootFs } from '../node/rootfs.js';

/** A mounted pod volume: where its content lives. */
export interface PodVolume {
  source: RootFs;
  path: string;
}

export type MountResult = { volumes: Map<string, PodVolume> } | { failed: { volume: string; message: string } };

/** pkg/kubelet/events/event.go FailedMountVolume, and operation_generator.go's SetUp failure message. */
export function failedMountEvent(volume: string, message: string): { type: 'Warning'; reason: 'FailedMount'; message: string } {
  return { type: 'Warning', reason: 'FailedMount', message: `MountVolume.SetUp failed for volume "${volume}" : ${message}` };
}

// pkg/volume/hostpath/host_path.go checkType: what each HostPathType requires of the path.
const typeCheck: Record<string, { kind: 'dir' | 'file' | 'other'; what: string; create: boolean } | undefined> = {
  DirectoryOrCreate: { kind: 'dir', what: 'a directory', create: true },
  Directory: { kind: 'dir', what: 'a directory', create: false },
  FileOrCreate: { kind: 'file', what: 'a file', create: true },
  File: { kind: 'file', what: 'a file', create: false },
  Socket: { kind: 'other', what: 'a socket file', create: false },
  CharDevice: { kind: 'other', what: 'a character device', create: false },
  BlockDevice: { kind: 'other', what: 'a block device', create: false },
};

/** Sets up the pod's volumes on this node; the first failure stops it (the kubelet retries later). */
export function mountPodVolumes(spec: Record<string, unknown>, host: NodeFilesystem): MountResult {
  const volumes = new Map<string, PodVolume>();
  for (const v of listField(spec['volumes']).filter(isObject)) {
    const name = stringField(v['name']);
    if (isObject(v['emptyDir'])) {
      volumes.set(name, { source: emptyDir(), path: '/' });
      continue;
    }
    if (!isObject(v['hostPath'])) continue;
    const path = normalizePath(stringField(v['hostPath']['path']));
    const type = stringField(v['hostPath']['type']);
    const check = typeCheck[type];
    let entry;
    try {
      entry = host.fs.stat(path);
    } catch (err) {
      if (!(err instanceof FsError)) throw err;
    }
    if (check) {
      if (!entry && check.create && check.kind === 'dir') host.mkdirAll(path);
      else if (!entry && check.create && check.kind === 'file') {
        const parent = host.fs.parentOf(path, true);
        parent?.dir.children.set(parent.name, { type: 'file', mode: 0o644, content: new Uint8Array() });
      } else if (!entry || check.kind === 'other' || entry.type !== check.kind) {
        return { failed: { volume: name, message: `hostPath type check failed: ${path} is not ${check.what}` } };
      }
    } else if (!entry) host.mkdirAll(path); // containerd creates a missing bind-mount source as a directory
    volumes.set(name, { source: host.fs, path });
  }
  return { volumes };
}

/** The container's mounts from its volumeMounts (subPath inside the volume; readOnly as asked). */
export function containerMounts(container: Record<string, unknown>, volumes: ReadonlyMap<string, PodVolume>): Mount[] {
  return listField(container['volumeMounts'])
    .filter(isObject)
    .flatMap((m) => {
      const volume = volumes.get(stringField(m['name']));
      if (!volume) return [];
      const subPath = stringField(m['subPath']);
      return [
        {
          mountPath: stringField(m['mountPath']),
          source: volume.source,
          sourcePath: normalizePath(`${volume.path}/${subPath}`),
          readOnly: m['readOnly'] === true,
        },
      ];
    });
}
