// A PATCH that names no resourceVersion applies to whatever is current when it is written (patch.go applies it
// inside GuaranteedUpdate's tryUpdate, which runs again on the newer object): a kubelet's status write landing while
// the patch's body still arrives must not turn `kubectl debug` or `kubectl label` into a 409 Conflict.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admissionPluginsFor, startApiServer, type ApiServer } from '../src/embedded/apiserver/server.js';
import { rawClient, type RawClient } from './support/api-client.js';

let api: ApiServer;
let token: string;
let call: RawClient;

/** A request whose body arrives in two parts, `between` running after the first: the server has read the object by then. */
function sendInTwo(method: string, path: string, contentType: string, [first, rest]: [string, string], between: () => Promise<void>): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, api.url),
      { method, ca: api.caPem, headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType, 'Content-Length': String(Buffer.byteLength(first + rest)) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.flushHeaders();
    void (async () => {
      req.write(first);
      await new Promise((r) => setTimeout(r, 300));
      await between();
      req.end(rest);
    })();
  });
}

const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
const podPath = '/api/v1/namespaces/default/pods/p';

beforeAll(async () => {
  api = await startApiServer({ admissionPlugins: admissionPluginsFor([]) });
  token = api.users.find((u) => u.name === 'admin')!.token;
  call = rawClient(api.url, api.caPem, token);
  const created = await call('POST', '/api/v1/namespaces/default/pods', JSON.stringify(pod));
  expect(created.code).toBe(201);
});
afterAll(async () => {
  await api?.close();
});

describe('a PATCH racing another write', () => {
  let writes = 0;
  // a status write that changes something each time (a no-op write keeps the resourceVersion)
  const statusWrite = async () => {
    const r = await call('PATCH', `${podPath}/status`, JSON.stringify({ status: { message: `kubelet was here ${++writes}` } }), { 'Content-Type': 'application/merge-patch+json' });
    expect(r.code).toBe(200);
  };

  it('without a resourceVersion: applied to the newer object, both writes kept', async () => {
    const patch = JSON.stringify({ metadata: { labels: { debugged: 'yes' } } });
    const r = await sendInTwo('PATCH', podPath, 'application/strategic-merge-patch+json', [patch.slice(0, 10), patch.slice(10)], statusWrite);
    expect(r.code, r.body).toBe(200);
    const stored = JSON.parse(r.body) as { metadata: { labels?: Record<string, string> }; status?: { message?: string } };
    expect(stored.metadata.labels).toEqual({ debugged: 'yes' });
    expect(stored.status?.message).toBe('kubelet was here 1');
  });

  it('naming the resourceVersion it read: 409 Conflict, as upstream', async () => {
    const current = JSON.parse((await call('GET', podPath)).body) as { metadata: { resourceVersion: string } };
    const patch = JSON.stringify({ metadata: { resourceVersion: current.metadata.resourceVersion, labels: { again: 'yes' } } });
    const r = await sendInTwo('PATCH', podPath, 'application/merge-patch+json', [patch.slice(0, 10), patch.slice(10)], statusWrite);
    expect(r.code, r.body).toBe(409);
    expect((JSON.parse(r.body) as { reason: string }).reason).toBe('Conflict');
  });
});
