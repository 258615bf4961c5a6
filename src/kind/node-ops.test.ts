import { describe, expect, it } from 'vitest';
import { labClusters } from './cleanup.js';
import { orderNodes } from './cluster.js';
import { clearPullRecords, formatCommand, importImage, writeHostsToml } from './commands.js';
import { imagesOnHosts, parseCrictlImages } from './node-ops.js';

describe('node images', () => {
  // the shape of `crictl images -o json` (cri-tools cmd/crictl/image.go: the CRI ListImagesResponse)
  const json = JSON.stringify({
    images: [
      {
        id: 'sha256:aaa',
        repoTags: ['image-heist-registry:5000/secure/super-secret-image:1'],
        repoDigests: ['image-heist-registry:5000/secure/super-secret-image@sha256:111'],
        size: '1',
      },
      { id: 'sha256:bbb', repoTags: [], repoDigests: ['image-heist-public-registry:5000/public/hello@sha256:222'], size: '1' },
      { id: 'sha256:ccc', repoTags: ['docker.io/kindest/kindnetd:v20260528-9350166c'], repoDigests: null, size: '1' },
      { id: 'sha256:ddd', repoTags: ['image-heist-registry:50000/other:1'], repoDigests: [], size: '1' },
    ],
  });

  it('picks only images from the lab registries, by tag or digest', () => {
    const ours = imagesOnHosts(parseCrictlImages(json), ['image-heist-registry:5000', 'image-heist-public-registry:5000']);
    expect(ours.map((i) => i.id)).toEqual(['sha256:aaa', 'sha256:bbb']);
    expect(parseCrictlImages('{}')).toEqual([]);
  });
});

describe('node commands', () => {
  it('side-loads with ctr into the CRI namespace from stdin, as kind load does', () => {
    expect(formatCommand(importImage('n1', 'overlayfs'))).toBe('docker exec -i n1 ctr --namespace=k8s.io images import --all-platforms --digests --snapshotter=overlayfs -');
  });

  it('writes hosts.toml through stdin into the host directory', () => {
    const spec = writeHostsToml('n1', 'image-heist-registry:5000', 'server = "x"\n');
    expect(spec.args.slice(0, 3)).toEqual(['exec', '-i', 'n1']);
    expect(spec.args.at(-1)).toBe("mkdir -p '/etc/containerd/certs.d/image-heist-registry:5000' && cat > '/etc/containerd/certs.d/image-heist-registry:5000/hosts.toml'");
    expect(spec.input).toBe('server = "x"\n');
  });

  it('clears only the records that name the lab registries, and restarts the kubelet only then', () => {
    const script = clearPullRecords('n1', ['image-heist-registry:5000']).args.at(-1)!;
    expect(script).toContain("grep -l 'image-heist-registry:5000' /var/lib/kubelet/image_manager/pulled/* /var/lib/kubelet/image_manager/pulling/*");
    expect(script).toMatch(/if \[ -n "\$files" \]; then rm -f \$files && systemctl restart kubelet/);
    expect(script).toContain('127.0.0.1:10248/healthz');
  });
});

describe('names', () => {
  it('orders workers first (worker, worker2, …), then the control plane', () => {
    expect(orderNodes('image-heist-none', ['image-heist-none-control-plane', 'image-heist-none-worker2', 'image-heist-none-worker10', 'image-heist-none-worker'])).toEqual([
      'image-heist-none-worker',
      'image-heist-none-worker2',
      'image-heist-none-worker10',
      'image-heist-none-control-plane',
    ]);
  });

  it('down matches the lab clusters exactly, never a user cluster that merely looks similar', () => {
    expect(labClusters(['kind', 'image-heist-none', 'image-heist-mine', 'image-heist-kubelet-default', 'x-image-heist-none'])).toEqual([
      'image-heist-none',
      'image-heist-kubelet-default',
    ]);
  });
});

describe('snapshotter from containerd config dump', () => {
  it('reads the CRI images snapshotter (config version 3) and the version-2 path, and refuses a dump without one', async () => {
    const { parseSnapshotter } = await import('./node-ops.js');
    const v3 = [
      'version = 3',
      '',
      "[plugins.'io.containerd.cri.v1.images']",
      '  discard_unpacked_layers = true',
      "  snapshotter = 'overlayfs'",
      '',
      "[plugins.'io.containerd.cri.v1.images'.registry]",
      "  config_path = '/etc/containerd/certs.d'",
    ].join('\n');
    expect(parseSnapshotter(v3)).toBe('overlayfs');
    const v2 = ['version = 2', '[plugins."io.containerd.grpc.v1.cri".containerd]', '  discard_unpacked_layers = true', '  snapshotter = "fuse-overlayfs"'].join('\n');
    expect(parseSnapshotter(v2)).toBe('fuse-overlayfs');
    // a snapshotter key in another section does not count
    expect(() => parseSnapshotter("[plugins.'io.containerd.cri.v1.images']\n[other]\n  snapshotter = 'x'\n")).toThrow(/snapshotter/);
  });
});

describe('snapshotter from a real containerd config dump', () => {
  it('reads overlayfs from containerd v2.1.4 dumping kind v0.32.0 base config with the lab patch (written by node-check.sh)', async () => {
    const { readFile } = await import('node:fs/promises');
    const { parseSnapshotter } = await import('./node-ops.js');
    const dump = await readFile(new URL('../../test/fixtures/kind/containerd-config-dump.toml', import.meta.url), 'utf8');
    expect(parseSnapshotter(dump)).toBe('overlayfs');
    expect(dump).toMatch(/\[plugins\.'io\.containerd\.cri\.v1\.images'\.registry\]\n\s+config_path = '\/etc\/containerd\/certs\.d'/);
  });
});
