// The kubelet probe: each node's KEP-2535 settings through GET nodes/<n>/proxy/configz where RBAC allows it
// (GET only: the audit never writes through the node proxy), and the server's version for the defaults.
import type { KubeletObservation, NodeKubelet } from '../findings.js';
import { canI, statusMessage, type KubeHttp } from '../kube-http.js';
import { parseConfigz } from '../kubelet-config.js';

/** Enough nodes to see a mixed fleet, few enough to keep the audit quick on a large cluster. */
export const MAX_NODES_READ = 20;

export async function probeKubelets(http: KubeHttp): Promise<KubeletObservation> {
  const out: KubeletObservation = { nodes: [] };
  const version = await http.get('/version');
  if (version.status === 200) {
    const v = (version.body as { gitVersion?: unknown } | undefined)?.gitVersion;
    if (typeof v === 'string') out.serverVersion = v;
  }
  const list = await http.get(`/api/v1/nodes?limit=${MAX_NODES_READ}`);
  if (list.status !== 200) {
    out.nodesUnlisted = list.status === 403 ? `forbidden: ${statusMessage(list)}` : statusMessage(list);
    return out;
  }
  const items = ((list.body as { items?: unknown[] }).items ?? []) as { metadata?: { name?: string }; status?: { nodeInfo?: { kubeletVersion?: string } } }[];
  const mayProxy = await canI(http, { verb: 'get', resource: 'nodes', subresource: 'proxy' });
  for (const item of items) {
    const node = item.metadata?.name ?? '';
    const kubeletVersion = item.status?.nodeInfo?.kubeletVersion;
    const base = { node, ...(kubeletVersion ? { kubeletVersion } : {}) };
    out.nodes.push(mayProxy ? await readConfigz(http, base) : { ...base, read: false, reason: 'forbidden: get nodes/proxy is not granted' });
  }
  return out;
}

async function readConfigz(http: KubeHttp, base: { node: string; kubeletVersion?: string }): Promise<NodeKubelet> {
  const r = await http.get(`/api/v1/nodes/${encodeURIComponent(base.node)}/proxy/configz`);
  if (r.status === 404) return { ...base, read: false, reason: `the API server does not serve nodes/${base.node}/proxy/configz (404)` };
  if (r.status !== 200) return { ...base, read: false, reason: `nodes/proxy/configz answered ${r.status}: ${statusMessage(r)}` };
  const parsed = parseConfigz(r.body);
  if ('error' in parsed) return { ...base, read: false, reason: parsed.error };
  return { ...base, read: true, gate: parsed.gate, ...(parsed.policy ? { policy: parsed.policy } : {}), allowlist: parsed.allowlist };
}
