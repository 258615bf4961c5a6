// The admission chain, in upstream's fixed order (kube-apiserver AllOrderedPlugins,
// pkg/kubeapiserver/options/plugins.go): every mutating Admit first, then every Validate.
// Which plugins run is an explicit option of the API server; the lab sets it from the profile.
import { alwaysPullImages, type AdmissionAttributes } from '../../k8s/always-pull-images.js';
import { newForbidden, newNotFound } from '../../k8s/api-errors.js';
import { podSecurityPlugin } from './admission/pod-security.js';
import type { UserInfo } from './authn.js';
import { findResource } from './resources.js';
import type { KubeObject, ObjectStore } from './store.js';

export type { AdmissionAttributes };

export const admissionPluginOrder = ['NamespaceLifecycle', 'ServiceAccount', 'NodeRestriction', 'AlwaysPullImages', 'PodSecurity', 'DefaultTolerationSeconds'] as const;
export type AdmissionPluginName = (typeof admissionPluginOrder)[number];

/** kube-apiserver's default-on plugins that the lab models (DefaultOffAdmissionPlugins' complement). */
export const defaultAdmissionPlugins: readonly AdmissionPluginName[] = ['NamespaceLifecycle', 'ServiceAccount', 'PodSecurity', 'DefaultTolerationSeconds'];

/** The plugin set for `--enable-admission-plugins=<enabled>`: the defaults plus the enabled ones, in upstream order. */
export function admissionPluginsFor(enabled: readonly string[]): AdmissionPluginName[] {
  const wanted = new Set<string>([...defaultAdmissionPlugins, ...enabled]);
  for (const name of wanted) if (!(admissionPluginOrder as readonly string[]).includes(name)) throw new Error(`unknown admission plugin "${name}"`);
  return admissionPluginOrder.filter((p) => wanted.has(p));
}

export interface AdmissionContext {
  store: ObjectStore;
  user: UserInfo;
  /** Adds a warning the response carries (kubectl prints `Warning: <text>`). */
  warn?: (text: string) => void;
}

interface AdmissionPlugin {
  name: AdmissionPluginName;
  /** Mutating: returns the (possibly changed) object, or throws a StatusError. */
  admit?(a: AdmissionAttributes, ctx: AdmissionContext): unknown;
  /** Validating: returns the error that rejects the request. */
  validate?(a: AdmissionAttributes, ctx: AdmissionContext): Error | undefined;
}

const namespacesResource = findResource('', 'v1', 'namespaces')!;
const serviceAccountsResource = findResource('', 'v1', 'serviceaccounts')!;

// Namespaces that can never be deleted (plugin/pkg/admission/namespace/lifecycle/admission.go immortalNamespaces).
const immortalNamespaces = new Set(['default', 'kube-system', 'kube-public']);

/** NamespaceLifecycle (plugin/pkg/admission/namespace/lifecycle/admission.go). */
const namespaceLifecycle: AdmissionPlugin = {
  name: 'NamespaceLifecycle',
  admit(a, { store }) {
    if (a.kind === 'Namespace' && a.resource === 'namespaces') {
      if (a.operation === 'DELETE' && immortalNamespaces.has(a.name)) {
        throw newForbidden({ group: '', resource: 'namespaces' }, a.name, 'this namespace may not be deleted');
      }
      return a.object;
    }
    if (a.namespace === '' || a.operation !== 'CREATE') return a.object;
    const ns = store.get(namespacesResource, undefined, a.namespace);
    if (!ns) throw newNotFound({ group: '', resource: 'namespaces' }, a.namespace);
    if ((ns['status'] as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw newForbidden(
        { group: a.group, resource: a.resource },
        a.name,
        `unable to create new content in namespace ${a.namespace} because it is being terminated`,
      );
    }
    return a.object;
  },
};

type PodLike = { metadata?: { name?: string; generateName?: string; annotations?: Record<string, string> }; spec?: Record<string, unknown> };

/** A copy of the pod whose spec (the only part these plugins change) is its own; the rest is shared, never changed. */
function withOwnSpec(object: unknown): PodLike {
  const pod = { ...(object as PodLike) };
  if (pod.spec && typeof pod.spec === 'object') pod.spec = { ...pod.spec };
  return pod;
}

/**
 * ServiceAccount (plugin/pkg/admission/serviceaccount/admission.go), on pod CREATE only: defaults
 * spec.serviceAccountName to "default", requires the account to exist, and copies its
 * imagePullSecrets when the pod names none. (The projected token volume is not modelled.)
 */
const serviceAccount: AdmissionPlugin = {
  name: 'ServiceAccount',
  admit(a, { store }) {
    if (a.resource !== 'pods' || a.group !== '' || a.subresource !== '' || a.operation !== 'CREATE') return a.object;
    const pod = withOwnSpec(a.object);
    // Mirror pods (kubelet static pods) are left alone.
    if (pod.metadata?.annotations?.['kubernetes.io/config.mirror'] !== undefined) return pod;
    const spec = (pod.spec ??= {});
    if (typeof spec['serviceAccountName'] !== 'string' || spec['serviceAccountName'] === '') spec['serviceAccountName'] = 'default';
    const accountName = spec['serviceAccountName'] as string;
    const account = store.get(serviceAccountsResource, a.namespace, accountName);
    if (!account) {
      const name = a.name || pod.metadata?.name || pod.metadata?.generateName || 'Unknown';
      throw newForbidden(
        { group: a.group, resource: a.resource },
        name,
        `error looking up service account ${a.namespace}/${accountName}: serviceaccount "${accountName}" not found`,
      );
    }
    const podSecrets = spec['imagePullSecrets'];
    const accountSecrets = account['imagePullSecrets'];
    if ((!Array.isArray(podSecrets) || podSecrets.length === 0) && Array.isArray(accountSecrets) && accountSecrets.length > 0) {
      spec['imagePullSecrets'] = structuredClone(accountSecrets);
    }
    return pod;
  },
};

/**
 * NodeRestriction (plugin/pkg/admission/noderestriction/admission.go) only limits requests from
 * node identities (system:node:<name>). The embedded kubelets write through the in-process store,
 * so no HTTP request has such an identity and the plugin has nothing to reject.
 */
const nodeRestriction: AdmissionPlugin = { name: 'NodeRestriction' };

const alwaysPull: AdmissionPlugin = {
  name: 'AlwaysPullImages',
  admit: (a) => (alwaysPullImages.handles(a.operation) ? alwaysPullImages.admit(a) : a.object),
  validate: (a) => (alwaysPullImages.handles(a.operation) ? alwaysPullImages.validate(a) : undefined),
};

/**
 * DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds/admission.go), on pod CREATE:
 * tolerate not-ready and unreachable nodes for 300 s unless the pod already tolerates them.
 */
const defaultTolerationSeconds: AdmissionPlugin = {
  name: 'DefaultTolerationSeconds',
  admit(a) {
    if (a.resource !== 'pods' || a.group !== '' || a.subresource !== '' || a.operation !== 'CREATE') return a.object;
    const pod = withOwnSpec(a.object);
    const spec = (pod.spec ??= {});
    const tolerations = Array.isArray(spec['tolerations']) ? (spec['tolerations'] as Record<string, unknown>[]) : [];
    const tolerates = (key: string): boolean =>
      tolerations.some(
        (t) => (t['key'] === key || (!t['key'] && t['operator'] === 'Exists')) && (t['effect'] === 'NoExecute' || !t['effect']),
      );
    const added = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']
      .filter((key) => !tolerates(key))
      .map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }));
    if (added.length > 0) spec['tolerations'] = [...tolerations, ...added];
    return pod;
  },
};

const plugins: Record<AdmissionPluginName, AdmissionPlugin> = {
  DefaultTolerationSeconds: defaultTolerationSeconds,
  NamespaceLifecycle: namespaceLifecycle,
  ServiceAccount: serviceAccount,
  NodeRestriction: nodeRestriction,
  AlwaysPullImages: alwaysPull,
  PodSecurity: podSecurityPlugin(),
};

export class AdmissionChain {
  readonly enabled: readonly AdmissionPluginName[];

  constructor(enabled: readonly AdmissionPluginName[]) {
    this.enabled = admissionPluginOrder.filter((p) => enabled.includes(p));
  }

  /** Mutating phase: every enabled plugin's Admit, in order; returns the admitted object or throws. */
  admit(a: AdmissionAttributes, ctx: AdmissionContext): KubeObject {
    let attrs = a;
    for (const name of this.enabled) {
      const plugin = plugins[name];
      if (plugin.admit) attrs = { ...attrs, object: plugin.admit(attrs, ctx) };
    }
    return attrs.object as KubeObject;
  }

  /** Validating phase, after the strategy's own validation: the first plugin error rejects the request. */
  validate(a: AdmissionAttributes, ctx: AdmissionContext): void {
    for (const name of this.enabled) {
      const err = plugins[name].validate?.(a, ctx);
      if (err) throw err;
    }
  }
}
