// Reads survive a transient connection failure, as client-go's do; writes are not retried; a server that
// is gone stays an error after the retries. A real HTTPS server on 127.0.0.1 that drops connections.
import { createServer, type Server } from 'node:https';
import { generateServingCertificate } from '../embedded/apiserver/tls.js';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ClusterClient, isTransient, READ_RETRY } from './cluster-client.js';

const servers: Server[] = [];
const tls = await generateServingCertificate();
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** Drops the first `drops` connections without an answer, then answers every GET with a pod. */
async function flakyApiServer(drops: number): Promise<{ url: string; requests: () => { method: string; dropped: boolean }[] }> {
  const seen: { method: string; dropped: boolean }[] = [];
  const server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const dropped = seen.filter((r) => r.dropped).length < drops;
    seen.push({ method: req.method ?? '', dropped });
    if (dropped) return req.socket.destroy();
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pod1', namespace: 'tenant-a' }, spec: { containers: [{ name: 'app', image: 'x' }] } }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => seen };
}

const kubeconfig = (server: string) => `apiVersion: v1
kind: Config
clusters: [{name: lab, cluster: {server: "${server}", certificate-authority-data: "${Buffer.from(tls.caPem).toString('base64')}"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: c, context: {cluster: lab, user: u}}]
current-context: c
`;

describe('ClusterClient reads', () => {
  it('retries a read after a connection reset, and answers', async () => {
    READ_RETRY.waitMs = 10;
    const api = await flakyApiServer(2);
    const client = new ClusterClient(kubeconfig(api.url));
    const read = await client.readPod('tenant-a', 'pod1');
    client.close();
    expect(read.ok).toBe(true);
    expect(api.requests().map((r) => r.dropped)).toEqual([true, true, false]);
  });

  it('does not retry a write: a create is not idempotent', async () => {
    const api = await flakyApiServer(1);
    const client = new ClusterClient(kubeconfig(api.url));
    const created = await client.createPod('tenant-a', { metadata: { name: 'pod1' }, spec: { containers: [{ name: 'app', image: 'x' }] } });
    client.close();
    expect(created.ok).toBe(false);
    expect(api.requests()).toHaveLength(1);
  });

  it('tells a transient failure from an answer', () => {
    expect(isTransient({ code: 0, reason: 'ConnectionFailed', message: 'request to https://127.0.0.1:1/api/v1/namespaces/a/pods/pod1 failed, reason: read ECONNRESET' })).toBe(
      true,
    );
    expect(isTransient({ code: 0, reason: 'ConnectionFailed', message: 'socket hang up' })).toBe(true);
    expect(isTransient({ code: 404, reason: 'NotFound', message: 'pods "pod1" not found' })).toBe(false);
    expect(isTransient({ code: 0, reason: 'ConnectionFailed', message: 'connect ECONNREFUSED 127.0.0.1:1' })).toBe(false);
  });
});
