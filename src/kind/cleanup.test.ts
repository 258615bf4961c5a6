import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROFILE_NAMES } from '../lab/profiles.js';
import { labClusters, leftoverWorkdirs } from './cleanup.js';

describe('what down removes', () => {
  it('finds the backend folders a killed run left (kubeconfigs with tokens), and nothing else', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'down-'));
    try {
      await mkdir(path.join(dir, 'image-heist-kind-Ab12Cd'));
      await writeFile(path.join(dir, 'image-heist-kind-Ab12Cd', 'kubeconfig'), 'token');
      await mkdir(path.join(dir, 'image-heist-kubelet-x'));
      await mkdir(path.join(dir, 'my-kind-notes'));
      expect(await leftoverWorkdirs(dir)).toEqual([path.join(dir, 'image-heist-kind-Ab12Cd')]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("only the lab's own cluster names", () => {
    expect(labClusters(['image-heist-none', 'image-heist-mine', 'kind', ...PROFILE_NAMES.map((p) => `image-heist-${p}`)])).toEqual([
      'image-heist-none',
      ...PROFILE_NAMES.map((p) => `image-heist-${p}`),
    ]);
  });
});
