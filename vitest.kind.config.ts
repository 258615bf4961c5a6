// `npm run test:kind`: the live kind suite only, with real-cluster timeouts. The default `npm test` shows it as
// skipped with the reason; this config sets IMAGE_HEIST_KIND_LIVE=1 so it runs wherever Docker and kind are.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/kind/**/*.test.ts'],
    env: { IMAGE_HEIST_KIND_LIVE: '1' },
    testTimeout: 90 * 60_000,
    hookTimeout: 10 * 60_000,
    fileParallelism: false,
  },
});
