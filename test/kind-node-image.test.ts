// The offline kind node image's own parts, without building it: the pod network script run by bash against
// stand-ins for kubectl and ip (they print what a real cluster would and record the routes asked for), the node
// scripts' syntax, and the `docker save` layout the builder writes — loaded into a real engine where one answers.
import { chmod, mkdir, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, describe, expect, it } from 'vitest';
import { engineImageId, fileSha256, loadDockerArchive, writeDockerArchive, writeLayerTar } from '../fidelity/kind-node/images.js';
import { contentHash } from '../fidelity/kind-node/steps.js';

const files = path.resolve('fidelity/kind-node/files');
let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

describe('the node scripts', () => {
  it.each(['usr/local/bin/entrypoint', 'kind/bin/pod-network.sh', 'kind/bin/kubelet-cgroup-v2.sh'])('%s is executable bash that parses', async (script) => {
    const file = path.join(files, script);
    expect((await execa('bash', ['-n', file], { reject: false })).exitCode).toBe(0);
    expect((await execa('test', ['-x', file], { reject: false })).exitCode).toBe(0);
  });
});

describe('pod-network.sh', () => {
  async function run(nodes: string): Promise<{ conflist: string; routes: string[]; applied: string[] }> {
    dir = await mkdtemp(path.join(tmpdir(), 'ih-podnet-'));
    const bin = path.join(dir, 'bin');
    await mkdir(bin);
    // kubectl as the kubelet's credentials would see the cluster; ip records what it is asked
    await writeFile(path.join(dir, 'nodes.txt'), nodes);
    // `get node NAME` (its own) answers its podCIDR, `get nodes` the listing, `apply` is recorded
    await writeFile(
      path.join(bin, 'kubectl'),
      `#!/bin/bash\ncase " $* " in\n  *" get nodes "*) cat '${dir}/nodes.txt' ;;\n  *" get node node-a "*) grep '^node-a|' '${dir}/nodes.txt' | cut -d'|' -f2 | tr -d '\\n' ;;\n  *" apply "*) echo "$*" >> '${dir}/apply.log' ;;\nesac\n`,
    );
    await writeFile(path.join(bin, 'ip'), `#!/bin/bash\necho "$*" >> '${dir}/ip.log'\n`);
    await writeFile(path.join(bin, 'hostname'), '#!/bin/bash\necho node-a\n');
    for (const f of ['kubectl', 'ip', 'hostname']) await chmod(path.join(bin, f), 0o755);
    await writeFile(path.join(dir, 'kubelet.conf'), 'apiVersion: v1\n');
    await writeFile(path.join(dir, 'admin.conf'), 'apiVersion: v1\n');
    // it loops for ever (a service): stop it once it had time for a pass
    await execa('timeout', ['3', path.join(files, 'kind/bin/pod-network.sh')], {
      reject: false,
      env: {
        PATH: `${bin}:${process.env.PATH}`,
        POD_NETWORK_KUBECONFIG: path.join(dir, 'kubelet.conf'),
        POD_NETWORK_CNI_DIR: path.join(dir, 'net.d'),
        POD_NETWORK_ADMIN_KUBECONFIG: path.join(dir, 'admin.conf'),
      },
    });
    const conflist = await readFile(path.join(dir, 'net.d/10-image-heist.conflist'), 'utf8').catch(() => '');
    const routes = (await readFile(path.join(dir, 'ip.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    const applied = (await readFile(path.join(dir, 'apply.log'), 'utf8').catch(() => '')).split('\n').filter(Boolean);
    return { conflist, routes, applied };
  }

  it('writes a ptp + host-local config for its own podCIDR and routes the others via their InternalIP', async () => {
    const { conflist, routes, applied } = await run('node-a|10.244.0.0/24|172.18.0.3\nnode-b|10.244.1.0/24|172.18.0.2\nnode-c||172.18.0.4\n');
    // with an admin kubeconfig (the control plane), the nodes' right to list nodes is applied once
    expect(applied).toHaveLength(1);
    expect(applied[0]).toContain('/kind/manifests/pod-network-rbac.yaml');
    const config = JSON.parse(conflist);
    expect(config.plugins[0]).toMatchObject({ type: 'ptp', ipMasq: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.244.0.0/24' }]] } });
    expect(config.plugins[1]).toMatchObject({ type: 'portmap' });
    // node-c has no podCIDR yet: no route for it; no route to itself
    expect(new Set(routes)).toEqual(new Set(['route replace 10.244.1.0/24 via 172.18.0.2']));
  });

  it('writes nothing while its own node has no podCIDR (the kubelet stays NotReady until it has)', async () => {
    const { conflist } = await run('node-a||172.18.0.3\n');
    expect(conflist).toBe('');
  });
});

describe('docker archives', () => {
  it('writes the `docker save` layout with a content-derived image ID', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ih-archive-'));
    const layer = path.join(dir, 'layer.tar');
    await writeLayerTar(layer, [
      { path: 'bin', type: 'directory' },
      { path: 'bin/hello', type: 'file', content: '#!/bin/sh\necho hello\n', mode: 0o755 },
    ]);
    const config = { env: ['PATH=/bin'], cmd: ['/bin/hello'], labels: { 'dev.image-heist.test': 'yes' } };
    const a = await writeDockerArchive(path.join(dir, 'a'), 'image-heist/archive-test:1', [layer], config);
    const b = await writeDockerArchive(path.join(dir, 'b'), 'image-heist/archive-test:1', [layer], config);
    expect(a.id).toBe(b.id);
    const manifest = JSON.parse(await readFile(path.join(a.dir, 'manifest.json'), 'utf8'));
    expect(manifest[0].RepoTags).toEqual(['image-heist/archive-test:1']);
    expect(await readlink(path.join(a.dir, manifest[0].Layers[0]))).toBe(layer);
    const imageConfig = JSON.parse(await readFile(path.join(a.dir, manifest[0].Config), 'utf8'));
    expect(imageConfig.rootfs.diff_ids).toEqual([await fileSha256(layer)]);
    expect(imageConfig.config.Labels).toEqual({ 'dev.image-heist.test': 'yes' });
    expect(contentHash(['a', 'b'])).not.toBe(contentHash(['ab']));

    const engine = await execa('docker', ['version', '--format', '{{.Server.Version}}'], { reject: false, timeout: 5000 });
    if (engine.exitCode !== 0) return; // no engine here: the layout is checked above, the load by the live suite
    await loadDockerArchive(a);
    try {
      expect(await engineImageId(a.ref)).toBe(a.id);
      const labels = await execa('docker', ['image', 'inspect', '--format', '{{json .Config.Labels}}', a.ref]);
      expect(JSON.parse(labels.stdout)).toEqual({ 'dev.image-heist.test': 'yes' });
    } finally {
      await execa('docker', ['rmi', a.ref], { reject: false });
    }
  });
});
