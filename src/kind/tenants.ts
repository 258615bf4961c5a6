// The stage on a kind cluster, as the embedded lab sets it: namespaces tenant-a and tenant-b, a Role with the tenant
// admin's rights (src/lab/tenant-role.ts) in its own namespace, ImagePullSecret1 in tenant-a — and real, limited identities:
// ServiceAccounts whose tokens come from the TokenRequest API, so Admin2 really is forbidden in tenant-a.
import { AuthenticationV1TokenRequest, CoreV1Api, KubeConfig, KubernetesObjectApi, PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { renderKubeconfig } from '../embedded/apiserver/kubeconfig.js';
import type { LabUser } from '../lab/backend.js';
import { TENANT_ADMIN_RULES } from '../lab/tenant-role.js';
import { makeDockerConfigJson } from '../registry/docker-config.js';
import { LAB_NAMESPACE } from './names.js';

export const TENANT_A = 'tenant-a';
export const TENANT_B = 'tenant-b';
export const PULL_SECRET_NAME = 'image-pull-secret-1';
export const LAB_USERS: readonly LabUser[] = ['admin', 'admin1', 'admin2'];
/** Tokens outlive a long workshop day; each run mints new ones. */
export const TOKEN_SECONDS = 12 * 60 * 60;

const rbac = 'rbac.authorization.k8s.io';
const sa = (name: string) => ({ kind: 'ServiceAccount', name, namespace: LAB_NAMESPACE });

/** Everything the stage needs except ImagePullSecret1, as manifests (the dry run prints these). */
export function stageManifests(tenantNamespaceLabels: Readonly<Record<string, string>> = {}): KubernetesObject[] {
  const labels = Object.keys(tenantNamespaceLabels).length > 0 ? { labels: { ...tenantNamespaceLabels } } : {};
  const tenant = (user: 'admin1' | 'admin2', namespace: string): KubernetesObject[] => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, ...labels } },
    // the same rule the embedded lab seeds (src/embedded/apiserver/lab-rbac.ts seedTenant)
    { apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: 'tenant-admin', namespace }, rules: structuredClone([...TENANT_ADMIN_RULES]) } as KubernetesObject,
    {
      apiVersion: `${rbac}/v1`,
      kind: 'RoleBinding',
      metadata: { name: `${user}-tenant-admin`, namespace },
      roleRef: { apiGroup: rbac, kind: 'Role', name: 'tenant-admin' },
      subjects: [sa(user)],
    } as KubernetesObject,
  ];
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LAB_NAMESPACE } },
    ...LAB_USERS.map((user): KubernetesObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: user, namespace: LAB_NAMESPACE } })),
    {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'image-heist-admin' },
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [sa('admin')],
    } as KubernetesObject,
    ...tenant('admin1', TENANT_A),
    ...tenant('admin2', TENANT_B),
  ];
}

/** ImagePullSecret1: Admin1's registry login, as `kubectl create secret docker-registry` writes it, for the in-network host. */
export function pullSecretManifest(registryHost: string, username: string, password: string): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: PULL_SECRET_NAME, namespace: TENANT_A },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(makeDockerConfigJson(registryHost, username, password)).toString('base64') },
  } as KubernetesObject;
}

/** Server-side apply as the cluster's kind admin: creates or updates, so a kept cluster is set again without errors. */
export async function applyManifests(adminKubeconfig: string, objects: readonly KubernetesObject[]): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromString(adminKubeconfig);
  const api = KubernetesObjectApi.makeApiClient(kc);
  for (const object of objects) await api.patch(object, undefined, undefined, 'image-heist', true, PatchStrategy.ServerSideApply);
}

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
