// Defaulting the API server applies on decode, before admission (pkg/apis/core/v1/defaults.go and
// the strategies' PrepareForCreate). Pull policy defaulting is the shared pure one from src/k8s.
import { setPodDefaults } from '../../k8s/pull-policy.js';
import type { Pod } from '../../k8s/pod.js';
import type { KubeObject } from './store.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function defaultContainer(c: Json): void {
  // SetDefaults_Container
  c['terminationMessagePath'] ??= '/dev/termination-log';
  c['terminationMessagePolicy'] ??= 'File';
  c['resources'] ??= {};
}

/** SetDefaults_PodSpec, SetDefaults_Pod, SetDefaults_Container, plus pull policy (setPodDefaults). */
export function defaultPod(input: KubeObject): KubeObject {
  const pod = setPodDefaults(input as unknown as Pod) as unknown as KubeObject;
  const spec = isObject(pod['spec']) ? pod['spec'] : (pod['spec'] = {});
  spec['restartPolicy'] ??= 'Always';
  spec['terminationGracePeriodSeconds'] ??= 30;
  spec['dnsPolicy'] ??= 'ClusterFirst';
  spec['securityContext'] ??= {};
  spec['schedulerName'] ??= 'default-scheduler';
  spec['enableServiceLinks'] ??= true;
  // Priority admission sets these from the (absent) PriorityClass.
  spec['priority'] ??= 0;
  spec['preemptionPolicy'] ??= 'PreemptLowerPriority';
  for (const list of ['initContainers', 'containers', 'ephemeralContainers']) {
    const containers = spec[list];
    if (Array.isArray(containers)) for (const c of containers) if (isObject(c)) defaultContainer(c);
  }
  return pod;
}

/** A new pod's status (pod strategy PrepareForCreate): Pending, with the QoS class computed from resources. */
export function initialPodStatus(pod: KubeObject): Json {
  return { phase: 'Pending', qosClass: qosClass(pod) };
}

/** GetPodQOS (pkg/apis/core/helper/qos/qos.go), reduced to what the lab's pods use: requests/limits on cpu and memory. */
export function qosClass(pod: KubeObject): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  const spec = isObject(pod['spec']) ? pod['spec'] : {};
  const containers = [...asArray(spec['containers']), ...asArray(spec['initContainers'])];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const resources = isObject(c['resources']) ? c['resources'] : {};
    const requests = isObject(resources['requests']) ? resources['requests'] : {};
    const limits = isObject(resources['limits']) ? resources['limits'] : {};
    if (Object.keys(requests).length > 0 || Object.keys(limits).length > 0) any = true;
    for (const r of ['cpu', 'memory']) {
      if (limits[r] === undefined) guaranteed = false;
      else if (requests[r] !== undefined && requests[r] !== limits[r]) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function asArray(v: unknown): Json[] {
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/** Namespace strategy PrepareForCreate + the kubernetes.io/metadata.name label (NamespaceDefaultLabelName). */
export function defaultNamespace(ns: KubeObject): KubeObject {
  const name = ns.metadata.name ?? '';
  ns.metadata.labels = { ...(ns.metadata.labels ?? {}), 'kubernetes.io/metadata.name': name };
  ns['spec'] = { finalizers: ['kubernetes'] };
  ns['status'] = { phase: 'Active' };
  return ns;
}

/**
 * SetDefaults_Secret: type Opaque. And v1 → internal conversion (pkg/apis/core/v1/conversion.go
 * Convert_v1_Secret_To_core_Secret): `stringData` is merged over `data` and never stored, so a read shows `data`
 * only (which is why a second `kubectl apply` of a stringData manifest says "configured", as on a real cluster).
 */
export function defaultSecret(secret: KubeObject): KubeObject {
  const stringData = secret['stringData'];
  if (stringData !== undefined && stringData !== null) {
    if (typeof stringData === 'object' && !Array.isArray(stringData)) {
      const data: Record<string, unknown> = isObject(secret['data']) ? { ...(secret['data'] as Record<string, unknown>) } : {};
      for (const [key, value] of Object.entries(stringData)) data[key] = Buffer.from(String(value), 'utf8').toString('base64');
      secret['data'] = data;
    }
    delete secret['stringData'];
  }
  if (!secret['type']) secret['type'] = 'Opaque';
  return secret;
}

/** SetDefaults_RoleBinding/ClusterRoleBinding and SetDefaults_Subject (pkg/apis/rbac/v1/defaults.go). */
export function defaultRoleBinding(binding: KubeObject): KubeObject {
  const ref = binding['roleRef'];
  if (isObject(ref) && (ref['apiGroup'] === undefined || ref['apiGroup'] === '')) ref['apiGroup'] = 'rbac.authorization.k8s.io';
  const subjects = binding['subjects'];
  if (Array.isArray(subjects)) {
    for (const s of subjects) {
      if (isObject(s) && (s['apiGroup'] === undefined || s['apiGroup'] === '') && (s['kind'] === 'User' || s['kind'] === 'Group')) s['apiGroup'] = 'rbac.authorization.k8s.io';
    }
  }
  return binding;
}
