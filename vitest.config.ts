import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The live kind suite needs a Docker engine and the internet: `npm run test:kind` runs it (and says why it skipped).
    exclude: [...configDefaults.exclude, 'test/kind/*.test.ts', 'fidelity/**'],
    // Interop tests start real servers and real programs (kubectl, skopeo, docker-registry): give them room on 2 cores.
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
