// The kind backend's registry side against the real distribution registry (Debian's docker-registry, the program
// inside registry:3's lineage) with the htpasswd file the kind backend copies into its registry container: the lab
// pusher pushes SuperSecretImage1 with the project's client, ImagePullSecret1's exact content pulls it, and an
// anonymous pull is refused — what containerd on a kind node will meet. (The anonymous public registry is not
// covered here: the helper always configures htpasswd.)
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullImage, RegistryClientError } from '../src/registry/client.js';
import { parseDockerConfigJson } from '../src/registry/docker-config.js';
import { buildBaseLayer, defaultPath } from '../src/registry/image-builder.js';
import { createRegistryUsers } from '../src/registry/lab-users.js';
import { readLayer } from '../src/registry/layer-reader.js';
import { buildKindLabImages, pushKindSecretImage, SECRET_REPOSITORY, IMAGE_TAG } from '../src/kind/images.js';
import { renderHtpasswd } from '../src/kind/registry-container.js';
import { pullSecretManifest } from '../src/lab/stage.js';
import { startDistribution, type DistributionRegistry } from './support/docker-registry.js';

const users = createRegistryUsers();
let secure: DistributionRegistry;

beforeAll(async () => {
  secure = await startDistribution(renderHtpasswd([users.admin1, users.pusher]).trimEnd().split('\n'));
});

afterAll(async () => {
  await secure?.stop();
});

describe('kind registry side with distribution', () => {
  it('the pusher pushes (after testcontainers is loaded), ImagePullSecret1 pulls the flag, anonymous is refused', async () => {
    const base = { layers: [await buildBaseLayer()], env: [defaultPath], architecture: 'amd64', os: 'linux' };
    const images = await buildKindLabImages(base, 'FLAG{kind-registry}');
    const port = (host: string) => Number(host.slice(host.lastIndexOf(':') + 1));
    // registry-container.ts is imported above (renderHtpasswd): loading testcontainers must not break these pushes
    const { loadTestcontainers } = await import('../src/kind/registry-container.js');
    await loadTestcontainers();
    await pushKindSecretImage(images.secret, port(secure.host), users.pusher);

    // ImagePullSecret1 exactly as the kind backend applies it, with the registry host rewritten to where it runs here
    const secret = pullSecretManifest(secure.host, users.admin1.username, users.admin1.password) as unknown as { data: Record<string, string> };
    const config = parseDockerConfigJson(Buffer.from(secret.data['.dockerconfigjson']!, 'base64'));
    const pulled = await pullImage(`${secure.host}/${SECRET_REPOSITORY}:${IMAGE_TAG}`, { dockerConfigs: [config] });
    expect(pulled.manifestDigest).toBe(images.secret.digest);
    const flagLayer = await readLayer(pulled.layers.at(-1)!);
    expect(flagLayer[0]?.content?.toString()).toBe('FLAG{kind-registry}\n');

    const refused = await pullImage(`${secure.host}/${SECRET_REPOSITORY}:${IMAGE_TAG}`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(RegistryClientError);
    expect((refused as RegistryClientError).kind).toBe('unauthorized');

    // admin1 may pull (htpasswd grants every user every repository: distribution has no per-repository rules)
    expect((await pullImage(`${secure.host}/${SECRET_REPOSITORY}:${IMAGE_TAG}`, { credentials: users.admin1 })).manifestDigest).toBe(images.secret.digest);
  });

  it('loading testcontainers first in a fresh process leaves Node fetch working for the project client', async () => {
    // testcontainers' undici 7 would become Node's global dispatcher and refuse Content-Length headers
    const result = await execa(process.execPath, ['--import', 'tsx', 'test/support/fetch-after-testcontainers.ts'], { reject: false, stdin: 'ignore' });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim()).toBe('status 202');
  });
});
