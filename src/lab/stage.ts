// The stage every lab starts from, and the reset back to it, once for every backend and done through the
// Kubernetes API (client-node): namespaces tenant-a and tenant-b, a tenant-admin Role and RoleBinding in each,
// ImagePullSecret1 in tenant-a, and the lab's image names. Backends keep only what the API cannot do (node caches,
// pull records, the registry); they say how a lab user appears to RBAC (a ServiceAccount on kind, a token user
// on the embedded API server).
import { CoreV1Api, KubeConfig, KubernetesObjectApi, type KubernetesObject, type V1Secret } from '@kubernetes/client-node';
import { isConnectionReset } from '../k8s/api-errors.js';
import { makeDockerConfigJson } from '../registry/docker-config.js';
import type { LabUser } from './backend.js';
import { LAB_NAMESPACE, LAB_USERS, PULL_SECRET_NAME, TENANT_A, TENANT_B } from './names.js';
import { POLICY_FILE_KINDS, SCENARIO_APPLIED_LABEL, policyManifests } from './admission-policies.js';
import { PROFILES, type ProfileName } from './profiles.js';
import { TENANT_ADMIN_RULES } from './tenant-role.js';

export { IMAGE_TAG, LAB_NAMESPACE, PUBLIC_REPOSITORY, PULL_SECRET_NAME, SECRET_REPOSITORY, TENANT_A, TENANT_B } from './names.js';

/** Namespaces a cluster has before any scenario (kind adds local-path-storage): reset keeps these and the tenants'. */
export const SYSTEM_NAMESPACES: readonly string[] = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage', LAB_NAMESPACE];
/** Namespaces whose pods, extra secrets and service accounts a reset removes. */
export const TENANT_NAMESPACES: readonly string[] = [TENANT_A, TENANT_B, 'default'];

/** Pods are removed at once (DeleteOptions gracePeriodSeconds 0, as `kubectl delete --now --force` asks); the node side waits for their containers. */
export const RESET_GRACE_PERIOD_SECONDS = 0;

const rbac = 'rbac.authorization.k8s.io';

/** An RBAC subject for a lab user: how the backend's API server knows it. */
export type SubjectFor = (user: LabUser) => Record<string, string>;

export const serviceAccountSubject: SubjectFor = (user) => ({ kind: 'ServiceAccount', name: user, namespace: LAB_NAMESPACE });
export const userSubject: SubjectFor = (user) => ({ apiGroup: rbac, kind: 'User', name: user });

/** The tenants' namespaces and each tenant admin's Role and RoleBinding (the same rule the embedded API server seeded). */
export function tenantManifests(profile: ProfileName, subjectFor: SubjectFor): KubernetesObject[] {
  const labels = PROFILES[profile].tenantNamespaceLabels;
  const tenant = (user: 'admin1' | 'admin2', namespace: string): KubernetesObject[] => [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, ...(Object.keys(labels).length > 0 ? { labels: { ...labels } } : {}) } },
    { apiVersion: `${rbac}/v1`, kind: 'Role', metadata: { name: 'tenant-admin', namespace }, rules: structuredClone([...TENANT_ADMIN_RULES]) } as KubernetesObject,
    {
      apiVersion: `${rbac}/v1`,
      kind: 'RoleBinding',
      metadata: { name: `${user}-tenant-admin`, namespace },
      roleRef: { apiGroup: rbac, kind: 'Role', name: 'tenant-admin' },
      subjects: [subjectFor(user)],
    } as KubernetesObject,
  ];
  return [...tenant('admin1', TENANT_A), ...tenant('admin2', TENANT_B)];
}

/** The profile's admission policies and their bindings (cluster-configs/policies/), applied by the cluster admin. */
export function admissionPolicyManifests(profile: ProfileName): KubernetesObject[] {
  return PROFILES[profile].admissionPolicies.flatMap((file) => policyManifests(file));
}

/**
 * Waits until the profile's policies are in force: kube-apiserver enforces a policy once its informer has seen it,
 * so a dry run (dryRun=All: admission runs, nothing is stored) of an IfNotPresent pod in tenant-b must come back
 * refused (a VAP) or with Always (a MAP). The embedded API server answers so at once.
 */
export async function waitForAdmissionPolicies(adminKubeconfig: string, profile: ProfileName, image: string, timeoutMs = 60_000): Promise<void> {
  if (PROFILES[profile].admissionPolicies.length === 0) return;
  const core = client(adminKubeconfig).makeApiClient(CoreV1Api);
  const body = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'image-heist-policy-check' }, spec: { containers: [{ name: 'app', image, imagePullPolicy: 'IfNotPresent' }] } };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const enforced = await core.createNamespacedPod({ namespace: TENANT_B, dryRun: 'All', body }).then(
      (pod) => pod.spec?.containers[0]?.imagePullPolicy === 'Always',
      (error: unknown) => (error as { code?: number }).code === 403 || (error as { code?: number }).code === 422,
    );
    if (enforced) return;
    if (Date.now() > deadline) throw new Error(`the ${profile} profile's admission policies were not in force after ${Math.round(timeoutMs / 1000)} s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The lab's identities as ServiceAccounts with a cluster-admin binding for `admin` (backends whose users are tokens of these). */
export function serviceAccountManifests(): KubernetesObject[] {
  return [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: LAB_NAMESPACE } },
    ...LAB_USERS.map((user): KubernetesObject => ({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: user, namespace: LAB_NAMESPACE } })),
    {
      apiVersion: `${rbac}/v1`,
      kind: 'ClusterRoleBinding',
      metadata: { name: 'image-heist-admin' },
      roleRef: { apiGroup: rbac, kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [serviceAccountSubject('admin')],
    } as KubernetesObject,
  ];
}

/** ImagePullSecret1: Admin1's registry login, as `kubectl create secret docker-registry` writes it. */
export function pullSecretManifest(registryHost: string, username: string, password: string): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: PULL_SECRET_NAME, namespace: TENANT_A },
    type: 'kubernetes.io/dockerconfigjson',
    data: { '.dockerconfigjson': Buffer.from(makeDockerConfigJson(registryHost, username, password)).toString('base64') },
  } as KubernetesObject;
}

function client(adminKubeconfig: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(adminKubeconfig);
  return kc;
}

const isNotFound = (error: unknown): boolean => (error as { code?: number }).code === 404;

/** Creates each object, or updates it to this content when it exists (a kept cluster is set again without errors). */
export async function applyManifests(adminKubeconfig: string, objects: readonly KubernetesObject[]): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(client(adminKubeconfig));
  for (const object of objects) {
    let current: KubernetesObject | undefined;
    try {
      current = await api.read({ apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata!.name!, namespace: object.metadata?.namespace } } as never);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
    if (!current) await api.create(object);
    else await api.replace({ ...object, metadata: { ...object.metadata, resourceVersion: current.metadata?.resourceVersion } });
  }
}

export interface ResetOptions {
  /** The lab's profile: its tenant namespace labels are restored. */
  profile: ProfileName;
  /** ImagePullSecret1 as the stage made it. */
  pullSecret: KubernetesObject;
  deadlineMs?: number;
}

const RESET_ATTEMPTS = 5;

/**
 * Back to the stage through the API: scenario namespaces go (their objects first, so a server without a namespace
 * controller leaves nothing behind), tenants' pods go at once and the reset waits until they are gone, extra
 * secrets and service accounts go, the default ServiceAccount loses added pull secrets, ImagePullSecret1 is restored,
 * the policies and RBAC a scenario applied go, and the tenant namespaces get the profile's labels back.
 * Events are cleared by clearEvents, after the node side (whose container stops still report events).
 * The reset is idempotent: one cut short by a lost connection runs again (a few attempts, further apart each time).
 */
export async function resetStage(adminKubeconfig: string, options: ResetOptions): Promise<void> {
  return againIfConnectionLost(() => resetOnce(adminKubeconfig, options));
}

/** Runs an idempotent piece of the reset again when the connection was lost: reset, or refused while the API server
 *  restarts (a kind control plane starved of CPU does) — a few attempts, further apart each time. */
async function againIfConnectionLost<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const text = error instanceof Error ? `${(error as { code?: string }).code ?? ''} ${error.message}` : '';
      const lost = isConnectionReset(text) || text.includes('ECONNREFUSED');
      if (attempt >= RESET_ATTEMPTS || !lost) throw error;
      await new Promise((r) => setTimeout(r, 2_000 * attempt));
    }
  }
}

async function resetOnce(adminKubeconfig: string, options: ResetOptions): Promise<void> {
  const core = client(adminKubeconfig).makeApiClient(CoreV1Api);
  const keep = new Set([...SYSTEM_NAMESPACES, ...TENANT_NAMESPACES]);
  // one list per kind, side by side: a reset of a clean lab costs four requests
  const [namespaces, pods, secrets, serviceAccounts] = await Promise.all([
    core.listNamespace(),
    core.listPodForAllNamespaces(),
    core.listSecretForAllNamespaces(),
    core.listServiceAccountForAllNamespaces(),
  ]);
  const scenarioNamespaces = namespaces.items.map((n) => n.metadata?.name ?? '').filter((n) => n !== '' && !keep.has(n));
  const cleared = new Set([...TENANT_NAMESPACES, ...scenarioNamespaces]);
  const inCleared = (o: { metadata?: { namespace?: string } }) => cleared.has(o.metadata?.namespace ?? '');
  const deadline = Date.now() + (options.deadlineMs ?? 120_000);
  const seconds = Math.round((options.deadlineMs ?? 120_000) / 1000);
  const podNamespaces = [...new Set(pods.items.filter(inCleared).map((p) => p.metadata!.namespace!))];
  await Promise.all(
    podNamespaces.map(async (namespace) => {
      await core.deleteCollectionNamespacedPod({ namespace, gracePeriodSeconds: RESET_GRACE_PERIOD_SECONDS });
      while ((await core.listNamespacedPod({ namespace })).items.length > 0) {
        if (Date.now() > deadline) throw new Error(`pods in ${namespace} were not gone after ${seconds} s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }),
  );
  const pullSecretName = options.pullSecret.metadata?.name;
  const isStageSecret = (o: { metadata?: { name?: string; namespace?: string } }) => o.metadata?.namespace === TENANT_A && o.metadata?.name === pullSecretName;
  await Promise.all([
    ...secrets.items
      .filter((o) => inCleared(o) && !isStageSecret(o))
      .map((o) => core.deleteNamespacedSecret({ name: o.metadata!.name!, namespace: o.metadata!.namespace! }).catch(ignoreNotFound)),
    ...serviceAccounts.items
      .filter(inCleared)
      .map((sa) =>
        sa.metadata?.name !== 'default'
          ? core.deleteNamespacedServiceAccount({ name: sa.metadata!.name!, namespace: sa.metadata!.namespace! }).catch(ignoreNotFound)
          : sa.imagePullSecrets?.length
            ? core.replaceNamespacedServiceAccount({ name: 'default', namespace: sa.metadata!.namespace!, body: { ...sa, imagePullSecrets: [] } })
            : undefined,
      ),
    restorePullSecret(core, adminKubeconfig, options.pullSecret, secrets.items.find(isStageSecret)),
    ...scenarioNamespaces.map((name) => core.deleteNamespace({ name }).catch(ignoreNotFound)),
    removeScenarioApplied(adminKubeconfig),
    ...[TENANT_A, TENANT_B].map((name) => restoreNamespaceLabels(core, name, PROFILES[options.profile].tenantNamespaceLabels)),
  ]);
  for (const name of scenarioNamespaces) {
    while (
      await core.readNamespace({ name }).then(
        () => true,
        (e: unknown) => !isNotFound(e),
      )
    ) {
      if (Date.now() > deadline) throw new Error(`namespace ${name} was not gone after ${seconds} s`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}

/** ImagePullSecret1 as the stage made it; a secret's type is immutable (core/v1 validation), so another type means delete and create. */
async function restorePullSecret(core: CoreV1Api, adminKubeconfig: string, pullSecret: KubernetesObject, current: V1Secret | undefined): Promise<void> {
  const wanted = pullSecret as KubernetesObject & { type?: string; data?: Record<string, string> };
  if (current && current.type === wanted.type && JSON.stringify(current.data ?? {}) === JSON.stringify(wanted.data ?? {})) return;
  if (current && current.type !== wanted.type) await core.deleteNamespacedSecret({ name: current.metadata!.name!, namespace: current.metadata!.namespace! }).catch(ignoreNotFound);
  await applyManifests(adminKubeconfig, [pullSecret]);
}

/** The objects scenario steps applied (labelled SCENARIO_APPLIED_LABEL): a gap's policy must not leak into the next scenario. */
async function removeScenarioApplied(adminKubeconfig: string): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(client(adminKubeconfig));
  await Promise.all(
    POLICY_FILE_KINDS.map(async ({ apiVersion, kind }) => {
      const list = await api.list(apiVersion, kind, undefined, undefined, undefined, undefined, undefined, `${SCENARIO_APPLIED_LABEL}=true`);
      await Promise.all(list.items.map((o) => api.delete({ apiVersion, kind, metadata: { name: o.metadata!.name! } }).catch(ignoreNotFound)));
    }),
  );
}

/** A tenant namespace's labels as the stage set them (a scenario may have relabelled it); the name label stays (the server sets it). */
async function restoreNamespaceLabels(core: CoreV1Api, name: string, labels: Readonly<Record<string, string>>): Promise<void> {
  const namespace = await core.readNamespace({ name });
  const wanted = { ...labels, 'kubernetes.io/metadata.name': name };
  const current = namespace.metadata?.labels ?? {};
  const same = Object.keys(current).length === Object.keys(wanted).length && Object.entries(wanted).every(([k, v]) => current[k] === v);
  if (!same) await core.replaceNamespace({ name, body: { ...namespace, metadata: { ...namespace.metadata, labels: wanted } } });
}

/** Old events in the tenants' namespaces go, so the next scenario reads only its own. */
export async function clearEvents(adminKubeconfig: string): Promise<void> {
  return againIfConnectionLost(() => clearEventsOnce(adminKubeconfig));
}

async function clearEventsOnce(adminKubeconfig: string): Promise<void> {
  const core = client(adminKubeconfig).makeApiClient(CoreV1Api);
  const events = await core.listEventForAllNamespaces();
  const namespaces = new Set(events.items.map((e) => e.metadata?.namespace ?? '').filter((n) => TENANT_NAMESPACES.includes(n)));
  await Promise.all([...namespaces].map((namespace) => core.deleteCollectionNamespacedEvent({ namespace })));
}

function ignoreNotFound(error: unknown): void {
  if (!isNotFound(error)) throw error;
}
