// A PATCH that names no resourceVersion applies to whatever is current when it is written (patch.go applies it
// inside GuaranteedUpdate's tryUpdate, which runs again on the newer object): a kubelet's status write landing while
// the patch's body still arrives must not turn `kubectl debug` or `kubectl label` into a 409 Conflict.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionPluginsFor, startApiServer, type ApiServer } from '../src/embedded/apiserver/server.js';

let api: ApiServer;
let token: string;

function send(method: string, path: string, contentType: string, parts: string[], between?: () => Promise<void>): Promise<{ code: number; body: string }> {
  const body = parts.join('');
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, api.url),
      { method, ca: api.caPem, headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(body)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.flushHeaders();
    void (async () => {
      req.write(parts[0]);
      await new Promise((r) => setTimeout(r, 300));
      await between?.();
      for (const p of parts.slice(1)) req.write(p);
      req.end();
    })();
  });
}

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
const podPath = '/api/v1/namespaces/default/pods/p';

beforeAll(async () => {
  api = await startApiServer({ admissionPlugins: admissionPluginsFor([]) });
  token = api.users.find((u) => u.name === 'admin')!.token;
  const created = await send('POST', '/api/v1/namespaces/default/pods', 'application/json', [JSON.stringify(pod)]);
  expect(created.code).toBe(201);
});
afterAll(async () => {
  await api?.close();
});

describe('a PATCH racing another write', () => {
  let writes = 0;
  // a status write that changes something each time (a no-op write keeps the resourceVersion)
  const statusWrite = async () => {
    const r = await send('PATCH', `${podPath}/status`, 'application/merge-patch+json', [JSON.stringify({ status: { message: `kubelet was here ${++writes}` } })]);
    expect(r.code).toBe(200);
  };

  it('without a resourceVersion: applied to the newer object, both writes kept', async () => {
    const patch = JSON.stringify({ metadata: { labels: { debugged: 'yes' } } });
    const r = await send('PATCH', podPath, 'application/strategic-merge-patch+json', [patch.slice(0, 10), patch.slice(10)], statusWrite);
    expect(r.code, r.body).toBe(200);
    const stored = JSON.parse(r.body) as { metadata: { labels?: Record<string, string> }; status?: { message?: string } };
    expect(stored.metadata.labels).toEqual({ debugged: 'yes' });
    expect(stored.status?.message).toBe('kubelet was here 1');
  });

  it('naming the resourceVersion it read: 409 Conflict, as upstream', async () => {
    const current = JSON.parse((await send('GET', podPath, 'application/json', [''])).body) as { metadata: { resourceVersion: string } };
    const patch = JSON.stringify({ metadata: { resourceVersion: current.metadata.resourceVersion, labels: { again: 'yes' } } });
    const r = await send('PATCH', podPath, 'application/merge-patch+json', [patch.slice(0, 10), patch.slice(10)], statusWrite);
    expect(r.code, r.body).toBe(409);
    expect((JSON.parse(r.body) as { reason: string }).reason).toBe('Conflict');
  });
});
