// Kyverno's own library policy `other/always-pull-images` (fidelity/kyverno/always-pull-images.yaml, as
// kyverno/policies ships it), run by the real Kyverno CLI v1.19.1 built from the Go module proxy: it sets `Always`
// on containers only, so Admin2's init and ephemeral containers keep `IfNotPresent`. The lab's scenario
// policy-containers-only expresses that rule as a VAP (cluster-configs/policies/gap-containers-only.yaml); on the
// embedded API server that VAP leaves the same gap: the main container is held to Always, an init container is not.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedLab, type EmbeddedLab } from '../src/embedded/lab.js';
import { ensureKyvernoCli } from './kyverno/cli.js';

const image = 'image-heist-registry:5000/secure/super-secret-image:1';
const admin2Pod = {
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'pod2', namespace: 'tenant-b' },
  spec: {
    initContainers: [{ name: 'init', image, imagePullPolicy: 'IfNotPresent' }],
    containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent' }],
    ephemeralContainers: [{ name: 'dbg', image, imagePullPolicy: 'IfNotPresent' }],
  },
};

type Spec = Record<'containers' | 'initContainers' | 'ephemeralContainers', { imagePullPolicy: string }[]>;

describe("Kyverno's library always-pull-images, by the real Kyverno CLI", () => {
  let cli: string;
  let dir: string;
  let lab: EmbeddedLab | undefined;

  beforeAll(async () => {
    cli = await ensureKyvernoCli();
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-kyverno-'));
  });
  afterAll(async () => {
    await lab?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('sets Always on containers only: init and ephemeral containers keep IfNotPresent', async () => {
    const resource = path.join(dir, 'pod2.yaml');
    await writeFile(resource, JSON.stringify(admin2Pod));
    const r = await execa(cli, ['apply', path.resolve('fidelity/kyverno/always-pull-images.yaml'), '--resource', resource], { reject: false, stdin: 'ignore' });
    expect(r.exitCode, r.stderr).toBe(0);
    expect(r.stdout).toContain('pass: 1, fail: 0, warn: 0, error: 0, skip: 0');
    // the mutated pod follows "policy always-pull-images applied to tenant-b/Pod/pod2:", up to the document end
    const mutated = /applied to tenant-b\/Pod\/pod2:\n([\s\S]*?)\n---/.exec(r.stdout)?.[1];
    expect(mutated, r.stdout).toBeDefined();
    const spec = (load(mutated!) as { spec: Spec }).spec;
    expect(spec.containers.map((c) => c.imagePullPolicy)).toEqual(['Always']);
    expect(spec.initContainers.map((c) => c.imagePullPolicy)).toEqual(['IfNotPresent']);
    expect(spec.ephemeralContainers.map((c) => c.imagePullPolicy)).toEqual(['IfNotPresent']);
  });

  it("the lab's equivalent VAP leaves the same gap on the embedded API server", async () => {
    lab = await startEmbeddedLab({ profile: 'none', dir: path.join(dir, 'lab') });
    const kubectl = (user: string, args: string[], input?: string) =>
      execa('kubectl', ['--kubeconfig', lab!.info.kubeconfig, '--context', user, '--cache-dir', path.join(dir, 'cache'), ...args], {
        reject: false,
        ...(input !== undefined ? { input } : {}),
      });
    expect((await kubectl('admin', ['apply', '-f', path.resolve('cluster-configs/policies/gap-containers-only.yaml')])).exitCode).toBe(0);
    const pod = (name: string, app: string, init: string) =>
      JSON.stringify({
        ...admin2Pod,
        metadata: { name, namespace: 'tenant-b' },
        spec: { containers: [{ name: 'app', image, imagePullPolicy: app }], initContainers: [{ name: 'init', image, imagePullPolicy: init }] },
      });
    // the main container is held to Always (Kyverno sets it; the VAP refuses anything else)
    const main = await kubectl('admin2', ['create', '--dry-run=server', '-f', '-'], pod('main', 'IfNotPresent', 'Always'));
    expect(main.stderr).toContain('denied request: imagePullPolicy must be Always');
    // an init container is not (Kyverno leaves it; the VAP admits it)
    const init = await kubectl('admin2', ['create', '--dry-run=server', '-f', '-'], pod('init', 'Always', 'IfNotPresent'));
    expect(init.stdout).toBe('pod/init created (server dry run)');
  });
});
