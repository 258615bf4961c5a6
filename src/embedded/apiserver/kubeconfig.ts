// Renders the lab's kubeconfig: one cluster (the embedded API server, CA embedded so clients verify
// TLS), one user and one context per bearer-token user; `admin` is the current context.
import { stringify } from 'yaml';

export interface KubeconfigUser {
  name: string;
  token: string;
  /** Default namespace of this user's context (e.g. tenant-a for admin1). */
  namespace?: string;
}

export function renderKubeconfig(options: { server: string; caPem: string; users: readonly KubeconfigUser[]; clusterName?: string; currentContext?: string }): string {
  const cluster = options.clusterName ?? 'image-heist';
  const current = options.currentContext ?? options.users[0]?.name ?? '';
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: cluster, cluster: { server: options.server, 'certificate-authority-data': Buffer.from(options.caPem).toString('base64') } }],
    users: options.users.map((u) => ({ name: u.name, user: { token: u.token } })),
    contexts: options.users.map((u) => ({
      name: u.name,
      context: { cluster, user: u.name, ...(u.namespace ? { namespace: u.namespace } : {}) },
    })),
    'current-context': current,
  });
}
