// skopeo (a client nobody here wrote) against the embedded registry, in both auth modes:
// refused without credentials, works with them, and copies the lab image to an OCI layout holding /flag.txt.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pushImage } from '../src/registry/client.js';
import { makeDockerConfigJson } from '../src/registry/docker-config.js';
import { buildPublicImage, buildSecretImage, createFlag, imageBlobs, type BuiltImage } from '../src/registry/image-builder.js';
import { readLayer } from '../src/registry/layer-reader.js';
import { startTestRegistry, type TestRegistry } from './support/registry.js';

const skopeo = (args: string[]) => execa('skopeo', args, { reject: false, timeout: 60_000 });

describe.each(['basic', 'token'] as const)('skopeo ↔ embedded registry (%s auth)', (mode) => {
  let lab: TestRegistry;
  let image: BuiltImage;
  let flag: string;
  let dir: string;
  const creds = (u: { username: string; password: string }) => `${u.username}:${u.password}`;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-skopeo-'));
    lab = await startTestRegistry(mode);
    flag = createFlag();
    image = await buildSecretImage({ flag });
    const pub = await buildPublicImage();
    await pushImage(
      `${lab.registry.host}/secure/app:1`,
      { manifestBytes: image.manifestBytes, mediaType: image.mediaType, blobs: imageBlobs(image) },
      { credentials: lab.users.pusher },
    );
    await pushImage(
      `${lab.registry.host}/public/hello:1`,
      { manifestBytes: pub.manifestBytes, mediaType: pub.mediaType, blobs: imageBlobs(pub) },
      { credentials: lab.users.pusher },
    );
  });
  afterAll(async () => {
    await lab?.registry.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses inspect and copy without credentials (unauthorized)', async () => {
    const inspect = await skopeo(['inspect', '--tls-verify=false', `docker://${lab.registry.host}/secure/app:1`]);
    expect(inspect.exitCode).not.toBe(0);
    expect(inspect.stderr).toMatch(/unauthorized|authentication required/);
    const copy = await skopeo(['copy', '--src-tls-verify=false', `docker://${lab.registry.host}/secure/app:1`, `oci:${path.join(dir, 'anon')}:1`]);
    expect(copy.exitCode).not.toBe(0);
    expect(copy.stderr).toMatch(/unauthorized|authentication required/);
  });

  it('refuses a wrong password', async () => {
    const r = await skopeo(['inspect', '--tls-verify=false', '--creds', `${lab.users.admin1.username}:wrong`, `docker://${lab.registry.host}/secure/app:1`]);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/unauthorized|invalid username or password/);
    expect(r.stderr).not.toContain(lab.users.admin1.password);
  });

  it('inspects with --creds and with an --authfile holding a .dockerconfigjson', async () => {
    const r = await skopeo(['inspect', '--tls-verify=false', '--creds', creds(lab.users.admin1), `docker://${lab.registry.host}/secure/app:1`]);
    expect(r.stderr).toBe('');
    expect((JSON.parse(r.stdout) as { Digest: string }).Digest).toBe(image.digest);
    const authfile = path.join(dir, 'auth.json');
    await writeFile(authfile, makeDockerConfigJson(lab.registry.host, lab.users.admin1.username, lab.users.admin1.password), { mode: 0o600 });
    const r2 = await skopeo(['inspect', '--tls-verify=false', '--authfile', authfile, `docker://${lab.registry.host}/secure/app:1`]);
    expect(r2.exitCode).toBe(0);
    expect((JSON.parse(r2.stdout) as { Digest: string }).Digest).toBe(image.digest);
  });

  it('copies the lab image to an OCI layout whose layer holds /flag.txt', async () => {
    const layout = path.join(dir, `oci-${mode}`);
    const r = await skopeo(['copy', '--src-tls-verify=false', '--src-creds', creds(lab.users.admin1), `docker://${lab.registry.host}/secure/app:1`, `oci:${layout}:1`]);
    expect(r.exitCode, r.stderr).toBe(0);
    const index = JSON.parse(await readFile(path.join(layout, 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
    const blob = (d: string) => readFile(path.join(layout, 'blobs', 'sha256', d.slice('sha256:'.length)));
    const manifest = JSON.parse((await blob(index.manifests[0]!.digest)).toString()) as { layers: Array<{ digest: string }> };
    const entries = (await Promise.all(manifest.layers.map(async (l) => readLayer(await blob(l.digest))))).flat();
    expect(
      entries
        .find((e) => e.path === 'flag.txt')
        ?.content?.toString()
        .trim(),
    ).toBe(flag);
  });

  it('pulls public/* anonymously', async () => {
    const r = await skopeo(['inspect', '--tls-verify=false', `docker://${lab.registry.host}/public/hello:1`]);
    expect(r.exitCode, r.stderr).toBe(0);
  });

  it('pushes as the lab pusher, and refuses pushes by Admin1 (denied)', async () => {
    const src = `docker://${lab.registry.host}/secure/app:1`;
    const ok = await skopeo([
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      '--src-creds',
      creds(lab.users.pusher),
      '--dest-creds',
      creds(lab.users.pusher),
      src,
      `docker://${lab.registry.host}/secure/copy:1`,
    ]);
    expect(ok.exitCode, ok.stderr).toBe(0);
    const denied = await skopeo([
      'copy',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      '--src-creds',
      creds(lab.users.admin1),
      '--dest-creds',
      creds(lab.users.admin1),
      src,
      `docker://${lab.registry.host}/secure/mine:1`,
    ]);
    expect(denied.exitCode).not.toBe(0);
    expect(denied.stderr).toMatch(/denied/);
  });
});
