import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendUnavailableError, ExitCode } from '../errors.js';
import { createKindCluster } from './cluster.js';

const oldPath = process.env.PATH;
let dir: string | undefined;
afterEach(async () => {
  process.env.PATH = oldPath;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('createKindCluster', () => {
  it("a failed `kind create` is the backend unavailable (exit 3) with kind's ERROR line (a stand-in kind script: kind is not installed here)", async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-kind-stub-'));
    const kind = path.join(dir, 'kind');
    await writeFile(kind, '#!/bin/sh\ncat >/dev/null\necho "ERROR: failed to create cluster: failed to init node with kubeadm" >&2\necho "runtime/asm_amd64.s:1771" >&2\nexit 1\n');
    await chmod(kind, 0o755);
    process.env.PATH = `${dir}:${oldPath}`;
    const error = await createKindCluster('image-heist-none', 'kind: Cluster\n', path.join(dir, 'kubeconfig')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as BackendUnavailableError).exitCode).toBe(ExitCode.backendUnavailable);
    expect((error as Error).message).toMatch(/failed: ERROR: failed to create cluster: failed to init node with kubeadm$/);
  });
});
