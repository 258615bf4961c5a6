// `npm run test:fidelity`: the differential suite only (a real kube-apiserver and etcd per profile), with room
// for the first build (go build of kube-apiserver: tens of minutes on 2 shared cores) and real start-up times.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['fidelity/**/*.test.ts'],
    testTimeout: 10 * 60_000,
    hookTimeout: 90 * 60_000,
    fileParallelism: false,
  },
});
