// The mirror's round trip with real parts: an OCI archive as containerd's import/export reads and writes it (the
// project's writer), read back, pushed with the project's client into a real registry, pulled back unchanged.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullImage } from '../registry/client.js';
import { buildPublicImage } from '../registry/image-builder.js';
import { builtImageContent, ociArchive } from '../registry/oci-layout.js';
import { startRegistry, type RunningRegistry } from '../registry/server.js';
import { pushToMirror, readOciArchive } from './system-images.js';

describe('system images into the mirror', () => {
  let registry: RunningRegistry;
  beforeAll(async () => {
    // anonymous like the lab's public registry
    registry = await startRegistry({ access: [{ repository: '*', actions: ['pull', 'push'], who: 'anyone' }], auth: 'basic' });
  });
  afterAll(async () => {
    await registry?.close();
  });

  it('reads an exported image by its containerd name and pushes it under the same path and tag', async () => {
    const image = await buildPublicImage();
    const archive = await ociArchive(builtImageContent(image), 'registry.k8s.io/kube-proxy:v1.36.3');
    const [read, ...rest] = await readOciArchive(archive, { os: 'linux', architecture: 'amd64' });
    expect(rest).toEqual([]);
    expect(read!.reference).toBe('registry.k8s.io/kube-proxy:v1.36.3');
    expect(read!.manifestBytes.equals(image.manifestBytes)).toBe(true);

    const port = Number(registry.host.split(':')[1]);
    await pushToMirror([read!], port);
    // what containerd asks the mirror for: /v2/kube-proxy/manifests/v1.36.3 (?ns=registry.k8s.io)
    const pulled = await pullImage(`${registry.host}/kube-proxy:v1.36.3`);
    expect(pulled.manifestDigest).toBe(image.digest);
  });

  it('refuses an archive that is not an OCI layout', async () => {
    await expect(
      readOciArchive(await ociArchive(builtImageContent(await buildPublicImage()), 'x:1').then((b) => b.subarray(0, 512)), { os: 'linux', architecture: 'amd64' }),
    ).rejects.toThrow();
  });
});
