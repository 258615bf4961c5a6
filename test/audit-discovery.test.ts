// Policy discovery and kubelet configz through real HTTP on 127.0.0.1 — against a STUB API server, because nothing
// real can serve them here: the embedded API server serves neither admissionregistration.k8s.io nor
// nodes/proxy/configz, and fidelity's real kube-apiserver (with a kubelet) is an opt-in build. The stub answers
// with upstream's shapes (APIGroupList, APIResourceList, lists, configz) and nothing else.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../src/audit/findings.js';
import { KubeHttp } from '../src/audit/kube-http.js';
import { inferEphemeral } from '../src/audit/probes/ephemeral.js';
import { probeKubelets } from '../src/audit/probes/kubelet.js';
import { discoverPolicies } from '../src/audit/probes/policies.js';

const vap = {
  metadata: { name: 'require-always' },
  spec: {
    matchConstraints: { resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] }] },
    validations: [
      {
        expression:
          "object.spec.containers.all(c, c.imagePullPolicy == 'Always') && (!has(object.spec.initContainers) || object.spec.initContainers.all(c, c.imagePullPolicy == 'Always'))",
      },
    ],
  },
};
const kyverno = {
  metadata: { name: 'always-pull-images' },
  spec: {
    rules: [
      {
        name: 'r',
        match: { any: [{ resources: { kinds: ['Pod'] } }] },
        mutate: { patchStrategicMerge: { spec: { containers: [{ '(name)': '?*', imagePullPolicy: 'Always' }] } } },
      },
    ],
  },
};
const configz: Record<string, object> = {
  n1: { kubeletconfig: { imagePullCredentialsVerificationPolicy: 'AlwaysVerify' } },
  n2: { kubeletconfig: { imagePullCredentialsVerificationPolicy: 'NeverVerifyPreloadedImages' } },
};

function stub(options: { mayProxy: boolean; webhooksForbidden: boolean }) {
  const routes: Record<string, object> = {
    '/version': { gitVersion: 'v1.35.1' },
    '/apis': {
      kind: 'APIGroupList',
      groups: [
        {
          name: 'admissionregistration.k8s.io',
          versions: [{ groupVersion: 'admissionregistration.k8s.io/v1', version: 'v1' }],
          preferredVersion: { groupVersion: 'admissionregistration.k8s.io/v1', version: 'v1' },
        },
        { name: 'kyverno.io', versions: [{ groupVersion: 'kyverno.io/v1', version: 'v1' }], preferredVersion: { groupVersion: 'kyverno.io/v1', version: 'v1' } },
      ],
    },
    '/apis/admissionregistration.k8s.io/v1': {
      kind: 'APIResourceList',
      resources: [
        'validatingadmissionpolicies',
        'validatingadmissionpolicies/status',
        'validatingadmissionpolicybindings',
        'mutatingwebhookconfigurations',
        'validatingwebhookconfigurations',
      ].map((name) => ({ name })),
    },
    '/apis/kyverno.io/v1': { kind: 'APIResourceList', resources: [{ name: 'clusterpolicies' }, { name: 'policies' }] },
    '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies': { items: [vap] },
    '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations': { items: [] },
    '/apis/kyverno.io/v1/clusterpolicies': { items: [kyverno] },
    '/apis/kyverno.io/v1/policies': { items: [] },
    '/api/v1/nodes': { items: ['n1', 'n2'].map((name) => ({ metadata: { name }, status: { nodeInfo: { kubeletVersion: 'v1.35.1' } } })) },
    '/api/v1/nodes/n1/proxy/configz': configz['n1']!,
    '/api/v1/nodes/n2/proxy/configz': configz['n2']!,
  };
  if (!options.webhooksForbidden) routes['/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations'] = { items: [] };
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (code: number, body: object) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== 'Bearer stub-token') return json(401, { kind: 'Status', code: 401, message: 'Unauthorized' });
    if (req.method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const ra = (JSON.parse(body) as { spec: { resourceAttributes: { subresource?: string } } }).spec.resourceAttributes;
        json(201, { kind: 'SelfSubjectAccessReview', status: { allowed: ra.subresource === 'proxy' ? options.mayProxy : true } });
      });
      return;
    }
    const found = routes[url.pathname];
    if (found) return json(200, found);
    if (url.pathname.endsWith('mutatingwebhookconfigurations'))
      return json(403, {
        kind: 'Status',
        code: 403,
        reason: 'Forbidden',
        message: 'mutatingwebhookconfigurations.admissionregistration.k8s.io is forbidden: User "u" cannot list resource',
      });
    json(404, { kind: 'Status', code: 404, reason: 'NotFound', message: 'the server could not find the requested resource' });
  };
}

describe('discovery and configz against a stub API server', () => {
  let dir: string;
  const servers: Server[] = [];
  const start = async (o: { mayProxy: boolean; webhooksForbidden: boolean }): Promise<KubeHttp> => {
    const server = createServer(stub(o));
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const kubeconfig = path.join(dir, `k${servers.length}`);
    await writeFile(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "http://127.0.0.1:${(server.address() as { port: number }).port}", insecure-skip-tls-verify: true}}]\nusers: [{name: u, user: {token: stub-token}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`,
    );
    return KubeHttp.load({ kubeconfig });
  };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'image-heist-audit-stub-'));
  });
  afterAll(async () => {
    for (const s of servers) await new Promise((r) => s.close(r));
    await rm(dir, { recursive: true, force: true });
  });

  it('finds served policy APIs, reads their objects, and says which are not served or forbidden', async () => {
    const http = await start({ mayProxy: true, webhooksForbidden: true });
    const sources = await discoverPolicies(http);
    const byApi = Object.fromEntries(sources.map((s) => [s.api, s.state]));
    expect(byApi).toEqual({
      ValidatingAdmissionPolicy: 'found',
      MutatingAdmissionPolicy: 'not-served',
      MutatingWebhookConfiguration: 'forbidden',
      ValidatingWebhookConfiguration: 'none',
      'Kyverno ClusterPolicy': 'found',
      'Kyverno Policy': 'none',
      'Kyverno ValidatingPolicy': 'not-served',
      'Kyverno MutatingPolicy': 'not-served',
      'Gatekeeper Assign': 'not-served',
      'Gatekeeper constraints': 'not-served',
    });
    expect(sources.flatMap((s) => s.objects)).toEqual([
      { api: 'ValidatingAdmissionPolicy', name: 'require-always', covers: { containers: 'yes', initContainers: 'yes', ephemeralContainers: 'no' } },
      { api: 'Kyverno ClusterPolicy', name: 'always-pull-images', covers: { containers: 'yes', initContainers: 'no', ephemeralContainers: 'no' } },
    ]);
    // a forbidden webhook list means the ephemeral path cannot be inferred
    expect(inferEphemeral('ns', sources, 'no pod').outcome.kind).toBe('inconclusive');
  });

  it("reads each node's configz: one AlwaysVerify, one with the 1.35 default", async () => {
    const http = await start({ mayProxy: true, webhooksForbidden: false });
    const kubelet = await probeKubelets(http);
    expect(kubelet).toEqual({
      serverVersion: 'v1.35.1',
      nodes: [
        { node: 'n1', kubeletVersion: 'v1.35.1', read: true, gate: true, policy: 'AlwaysVerify', allowlist: [] },
        { node: 'n2', kubeletVersion: 'v1.35.1', read: true, gate: true, policy: 'NeverVerifyPreloadedImages', allowlist: [] },
      ],
    });
    const f = evaluate({ admission: [], kubelet, policies: [] });
    expect(f.defences.find((d) => d.id === 'kubelet-ensure-secret-pulled-images')!.status).toBe('effective');
    // n2 does not verify preloaded images
    expect(f.gaps.find((g) => g.id === 'preloaded-images')!.kubelet).toBe('not-effective');
  });

  it('without get nodes/proxy it does not ask the node proxy and says why', async () => {
    const http = await start({ mayProxy: false, webhooksForbidden: false });
    const kubelet = await probeKubelets(http);
    expect(kubelet.nodes.map((n) => (n.read ? 'read' : n.reason))).toEqual(['forbidden: get nodes/proxy is not granted', 'forbidden: get nodes/proxy is not granted']);
  });
});
