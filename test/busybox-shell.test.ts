// The lab runtime's shell and applets against real busybox (Debian's package): the same scripts over the same
// containerd content store — real gzip layers and JSON blobs, laid out at io.containerd.content.v1.content/blobs/
// sha256/<hex> — once through a hostPath mount in the embedded runtime, once with busybox on a real directory.
// stdout, stderr and the exit code must be the same.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { createManualClock } from '../src/embedded/clock.js';
import { ContainerLog } from '../src/embedded/node/container-logs.js';
import { CONTENT_STORE, NodeFilesystem } from '../src/embedded/node/host-fs.js';
import { ImageStore } from '../src/embedded/node/image-store.js';
import { MountedFs } from '../src/embedded/node/mounts.js';
import { unpackRootfs, type FsEntry, type RootFs } from '../src/embedded/node/rootfs.js';
import { startContainer } from '../src/embedded/node/runtime.js';
import { buildImage, buildLayer, busyboxEntries } from './support/node-images.js';

const busybox = (() => {
  try {
    execFileSync('busybox', ['true']);
    return true;
  } catch {
    return false;
  }
})();

const MOUNT = '/host/containerd';

/** Writes a lab filesystem tree to disk (files, directories, symlinks). */
function writeTree(entry: FsEntry, at: string): void {
  if (entry.type === 'dir') {
    mkdirSync(at, { recursive: true });
    for (const [name, child] of entry.children) writeTree(child, path.join(at, name));
  } else if (entry.type === 'file') writeFileSync(at, entry.content);
  else symlinkSync(entry.target, at);
}

describe.skipIf(!busybox)('the lab shell matches busybox over a containerd content store', () => {
  let dir: string;
  let node: NodeFilesystem;
  let imageFs: RootFs;

  beforeAll(async () => {
    const store = new ImageStore();
    const base = await buildLayer([...busyboxEntries(), { type: 'dir', path: 'etc/' }, { type: 'file', path: 'etc/motd', content: 'welcome\n' }]);
    const flag = await buildLayer([{ type: 'file', path: 'flag.txt', content: 'FLAG{0123456789abcdef}\n' }]);
    store.addImage('127.0.0.1:5000/secure/super-secret-image:1', buildImage([base, flag], { Cmd: ['sh'] }));
    const publicImage = store.addImage('127.0.0.1:5000/public/hello:1', buildImage([base], { Cmd: ['sh'] }));
    node = new NodeFilesystem(store, 'worker');
    imageFs = await unpackRootfs(publicImage, store);
    // the same tree on disk: the node's /var/lib/containerd, file for file
    dir = mkdtempSync(path.join(tmpdir(), 'image-heist-busybox-'));
    writeTree(node.fs.stat('/var/lib/containerd'), path.join(dir, 'var/lib/containerd'));
    // busybox's applets on PATH, not the host's GNU tools (ash runs PATH programs before its applets)
    const bin = path.join(dir, 'bin');
    mkdirSync(bin);
    const busyboxPath = execFileSync('sh', ['-c', 'command -v busybox'], { encoding: 'utf8' }).trim();
    for (const applet of ['sh', 'cat', 'echo', 'find', 'grep', 'gunzip', 'head', 'ls', 'sleep', 'tar', 'wc', 'zcat']) symlinkSync(busyboxPath, path.join(bin, applet));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function lab(script: string): Promise<{ stdout: string; stderr: string; code: number }> {
    const clock = createManualClock();
    const log = new ContainerLog({ clock });
    const fs = new MountedFs(imageFs, [{ mountPath: MOUNT, source: node.fs, sourcePath: '/var/lib/containerd', readOnly: true }]);
    const r = startContainer({ containerId: 'c', imageConfig: {}, command: ['sh', '-c', script], fs, clock, log });
    if (!r.started || !('handle' in r)) throw new Error('did not start');
    const exit = await r.handle.exited;
    const lines = log.lines();
    const text = (stream: string): string =>
      lines
        .filter((l) => l.stream === stream)
        .map((l) => `${l.text}\n`)
        .join('');
    return { stdout: text('stdout'), stderr: text('stderr'), code: exit.exitCode };
  }

  function real(script: string): { stdout: string; stderr: string; code: number } {
    const onDisk = script.replaceAll(MOUNT, path.join(dir, 'var/lib/containerd'));
    const r = spawnSync(path.join(dir, 'bin/sh'), ['-c', onDisk], { encoding: 'utf8', env: { PATH: path.join(dir, 'bin') } });
    const back = (s: string): string => s.replaceAll(path.join(dir, 'var/lib/containerd'), MOUNT);
    return { stdout: back(r.stdout), stderr: back(r.stderr), code: r.status ?? -1 };
  }

  const blobs = `${MOUNT}/io.containerd.content.v1.content/blobs/sha256`;
  const scenario = parseYaml(readFileSync(new URL('../scenarios/node-access.yaml', import.meta.url), 'utf8')) as {
    steps: { action: { createPod?: { manifest: { spec: { containers: { command: string[] }[] } } } } }[];
  };
  const nodeAccessCommand = scenario.steps[1]!.action.createPod!.manifest.spec.containers[0]!.command[2]!;
  it.each([
    // the scenario's command, as node-access.yaml has it
    nodeAccessCommand,
    `for blob in ${blobs}/*; do tar -tzf "$blob" 2>/dev/null | grep -q '^flag.txt$' && tar -xzOf "$blob" flag.txt; done; true`,
    `ls ${MOUNT}/io.containerd.snapshotter.v1.overlayfs/snapshots; ls ${MOUNT}/io.containerd.snapshotter.v1.overlayfs/snapshots/3/fs`,
    `for b in ${blobs}/*; do tar xzOf $b 2>/dev/null | grep FLAG; done`,
    `for b in ${blobs}/*; do tar -tzf $b; done`,
    `for b in ${blobs}/*; do tar -xzOf $b flag.txt; echo "status $?"; done`,
    `ls ${MOUNT}/io.containerd.content.v1.content; ls ${MOUNT}/nope; echo $?`,
    `cat ${blobs}/nothing*; echo $?`,
    `for b in ${blobs}/*; do if tar -tzf "$b" >/dev/null 2>&1; then echo layer; else echo other; fi; done`,
    `grep -c schemaVersion ${blobs}/*; echo $?`,
    `grep -l -E 'schema(Version)?' ${blobs}/* | grep -c .`,
    `echo a b | grep -v a; echo "$?"; ! false && echo negated`,
    `x=1; while [ "$x" != 111 ]; do x="\${x}1"; done; echo $x`,
    `echo start > /dev/null; echo err 1>&2 2>/dev/null; echo out 2>&1`,
    `for b in ${blobs}/*; do zcat $b 2>/dev/null | grep -a 'FLAG{'; done; zcat ${blobs}/nope; echo $?`,
    `for b in ${blobs}/*; do gunzip -c "$b" | wc -c; done 2>&1 | head -n 3; wc -l ${MOUNT}/../containerd/io.containerd.content.v1.content/blobs/sha256/* | wc -l`,
    `find ${MOUNT}/io.containerd.snapshotter.v1.overlayfs -name flag.txt -type f; find ${MOUNT}/nope; echo $?`,
  ])('%s', async (script) => {
    const [mine, theirs] = [await lab(script), real(script)];
    expect(mine).toEqual(theirs);
  });

  it('lays the content store out as containerd does', () => {
    expect(node.fs.readdir(`${CONTENT_STORE}/blobs/sha256`).length).toBeGreaterThan(4);
    expect(node.fs.readdir(CONTENT_STORE)).toEqual(['blobs', 'ingest']);
  });
});
