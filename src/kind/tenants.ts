// The lab's identities on a kind cluster: ServiceAccounts (src/lab/stage.ts) whose tokens come from the
// TokenRequest API, so Admin2 really is forbidden in tenant-a, and the kubeconfig made of them.
import { AuthenticationV1TokenRequest, CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { renderKubeconfig } from '../embedded/apiserver/kubeconfig.js';
import type { LabUser } from '../lab/backend.js';
import { LAB_NAMESPACE, TENANT_A, TENANT_B } from '../lab/names.js';

/** Tokens outlive a long workshop day; each run mints new ones. */
export const TOKEN_SECONDS = 12 * 60 * 60;

/** A bound token for one lab identity (TokenRequest, authentication.k8s.io/v1). */
export async function requestToken(adminKubeconfig: string, user: LabUser, expirationSeconds = TOKEN_SECONDS): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromString(adminKubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  const body = new AuthenticationV1TokenRequest();
  body.spec = { audiences: [], expirationSeconds };
  const answer = await core.createNamespacedServiceAccountToken({ name: user, namespace: LAB_NAMESPACE, body });
  const token = answer.status?.token;
  if (!token) throw new Error(`the API server issued no token for ${user}`);
  return token;
}

/** The API server URL and CA from kind's own kubeconfig (`kind get kubeconfig`). */
export function clusterEndpoint(kindKubeconfig: string): { server: string; caPem: string } {
  const config = parseYaml(kindKubeconfig) as { clusters?: { cluster?: { server?: string; 'certificate-authority-data'?: string } }[] };
  const cluster = config.clusters?.[0]?.cluster;
  if (!cluster?.server || !cluster['certificate-authority-data']) throw new Error('the kind kubeconfig names no server or CA');
  return { server: cluster.server, caPem: Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8') };
}

/** The lab's kubeconfig: contexts admin, admin1 (tenant-a) and admin2 (tenant-b), each a ServiceAccount token; admin current. */
export function labKubeconfig(endpoint: { server: string; caPem: string }, tokens: Record<LabUser, string>, clusterName: string): string {
  return renderKubeconfig({
    server: endpoint.server,
    caPem: endpoint.caPem,
    clusterName,
    currentContext: 'admin',
    users: [
      { name: 'admin', token: tokens.admin },
      { name: 'admin1', token: tokens.admin1, namespace: TENANT_A },
      { name: 'admin2', token: tokens.admin2, namespace: TENANT_B },
    ],
  });
}

/** The same kubeconfig with another context current, for client-node. */
export function withCurrentContext(kubeconfig: string, user: LabUser): string {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  if (!kc.getContextObject(user)) throw new Error(`the lab kubeconfig has no context ${user}`);
  kc.setCurrentContext(user);
  return kc.exportConfig();
}
