import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pullImage } from './client.js';
import { parseDockerConfigJson } from './docker-config.js';
import { readLayer } from './layer-reader.js';
import { startLabRegistry, type LabRegistry } from './lab-registry.js';

describe('startLabRegistry', () => {
  let lab: LabRegistry;
  beforeAll(async () => {
    lab = await startLabRegistry();
  });
  afterAll(() => lab.close());

  it('serves SuperSecretImage1 to ImagePullSecret1 and not to anyone without it', async () => {
    const pulled = await pullImage(lab.secretImage, { dockerConfigs: [parseDockerConfigJson(lab.admin1DockerConfigJson)] });
    expect(pulled.digest).toBe(lab.secretDigest);
    const files = (await Promise.all(pulled.layers.map((l) => readLayer(l)))).flat();
    expect(files.find((f) => f.path === 'flag.txt')?.content?.toString().trim()).toBe(lab.flag);
    await expect(pullImage(lab.secretImage)).rejects.toMatchObject({ kind: 'unauthorized' });
  });

  it('serves the public image anonymously', async () => {
    expect((await pullImage(lab.publicImage)).digest).toBe(lab.publicDigest);
  });

  it('uses a non-latest tag and a fresh flag per lab', async () => {
    expect(lab.secretImage).toMatch(/^127\.0\.0\.1:\d+\/secure\/supersecretimage1:v1$/);
    const other = await startLabRegistry();
    try {
      expect(other.flag).not.toBe(lab.flag);
      expect(other.secretDigest).not.toBe(lab.secretDigest);
    } finally {
      await other.close();
    }
  });
});
