// Run in a fresh process by test/kind-registry.test.ts: loads testcontainers the way the kind backend does, before
// any fetch, then POSTs with a Content-Length header as the project's registry client does. Prints the status.
import { htpasswdLine } from '../../src/registry/htpasswd.js';
import { loadTestcontainers } from '../../src/kind/registry-container.js';
import { startDistribution } from './docker-registry.js';

await loadTestcontainers();
const registry = await startDistribution([htpasswdLine('u', 'p')]);
try {
  const res = await fetch(`${registry.url}/v2/x/blobs/uploads/`, {
    method: 'POST',
    headers: { 'Content-Length': '0', Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
  });
  await res.body?.cancel();
  process.stdout.write(`status ${res.status}\n`);
} catch (error) {
  process.stdout.write(`error ${String((error as Error).cause ?? error)}\n`);
} finally {
  await registry.stop();
}
