// The admission chain, in upstream's fixed order (kube-apiserver AllOrderedPlugins,
// pkg/kubeapiserver/options/plugins.go): every mutating Admit first, then every Validate.
// Which plugins run is an explicit option of the API server; the lab sets it from the profile.
import { alwaysPullImages, type AdmissionAttributes } from '../../k8s/always-pull-images.js';
import { newForbidden, newNotFound } from '../../k8s/api-errors.js';
import { podSecurityPlugin } from './admission/pod-security.js';
import { liveMutatingPolicies, liveValidatingPolicies, policyLookups, servedVersion, type ServerAuthorize } from './admission/policy-lookups.js';
import type { PolicyAttributes } from './admission/policy/evaluate.js';
import { MutatingReinvocation, mutatePolicies } from './admission/policy/mutating.js';
import { validatePolicies } from './admission/policy/validating.js';
import type { UserInfo } from './authn.js';
import { strategyFor } from './registry/index.js';
import { findResource } from './resources.js';
import type { KubeObject, ObjectStore } from './store.js';

export type { AdmissionAttributes };

export const admissionPluginOrder = [
  'NamespaceLifecycle',
  'ServiceAccount',
  'NodeRestriction',
  'AlwaysPullImages',
  'PodSecurity',
  'DefaultTolerationSeconds',
  'MutatingAdmissionPolicy',
  'ValidatingAdmissionPolicy',
] as const;
export type AdmissionPluginName = (typeof admissionPluginOrder)[number];

/** kube-apiserver's default-on plugins that the lab models (DefaultOffAdmissionPlugins' complement). */
export const defaultAdmissionPlugins: readonly AdmissionPluginName[] = [
  'NamespaceLifecycle',
  'ServiceAccount',
  'PodSecurity',
  'DefaultTolerationSeconds',
  // On by default since their GA (VAP 1.30, MAP 1.36).
  'MutatingAdmissionPolicy',
  'ValidatingAdmissionPolicy',
];

/** The plugin set for `--enable-admission-plugins=<enabled>`: the defaults plus the enabled ones, in upstream order. */
export function admissionPluginsFor(enabled: readonly string[]): AdmissionPluginName[] {
  const wanted = new Set<string>([...defaultAdmissionPlugins, ...enabled]);
  for (const name of wanted) if (!(admissionPluginOrder as readonly string[]).includes(name)) throw new Error(`unknown admission plugin "${name}"`);
  return admissionPluginOrder.filter((p) => wanted.has(p));
}

export interface AdmissionContext {
  store: ObjectStore;
  user: UserInfo;
  /** The request's dryRun and its Create/Update/DeleteOptions (the policies' `request.dryRun`/`options`). */
  dryRun?: boolean;
  options?: Record<string, unknown>;
  /** The server's authorizer, for `authorizer` checks in policy expressions. */
  authorize?: ServerAuthorize;
  /** Warnings for the response's Warning headers (ValidatingAdmissionPolicy's Warn action). */
  warnings?: string[];
}

/** One pass of the mutating plugins; the second pass is the reinvocation (k8s.io/apiserver pkg/admission/reinvocation.go). */
interface MutatingPass {
  reinvocation: MutatingReinvocation;
  isReinvoke: boolean;
}

interface AdmissionPlugin {
  name: AdmissionPluginName;
  /** Mutating: returns the (possibly changed) object, or throws a StatusError. */
  admit?(a: AdmissionAttributes, ctx: AdmissionContext, pass: MutatingPass): unknown;
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
      throw newForbidden({ group: a.group, resource: a.resource }, a.name, `unable to create new content in namespace ${a.namespace} because it is being terminated`);
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
      tolerations.some((t) => (t['key'] === key || (!t['key'] && t['operator'] === 'Exists')) && (t['effect'] === 'NoExecute' || !t['effect']));
    const added = ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']
      .filter((key) => !tolerates(key))
      .map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }));
    if (added.length > 0) spec['tolerations'] = [...tolerations, ...added];
    return pod;
  },
};

/** The admission policy engine's view of a request (PolicyAttributes: the attributes plus version, user, dryRun, options). */
function policyAttributes(a: AdmissionAttributes, ctx: AdmissionContext): PolicyAttributes {
  return {
    operation: a.operation as PolicyAttributes['operation'],
    group: a.group,
    version: servedVersion(a.group, a.resource),
    resource: a.resource,
    subresource: a.subresource,
    name: a.name,
    namespace: a.namespace,
    kind: a.kind,
    object: a.object,
    oldObject: a.oldObject,
    userInfo: { username: ctx.user.name, groups: ctx.user.groups },
    dryRun: ctx.dryRun ?? false,
    ...(ctx.options ? { options: ctx.options } : {}),
  };
}

/**
 * MutatingAdmissionPolicy (k8s.io/apiserver pkg/admission/plugin/policy/mutating): every live MAP × binding on the
 * object, defaulted after each mutation; when one changed the object the chain runs its mutating plugins once more.
 */
const mutatingAdmissionPolicy: AdmissionPlugin = {
  name: 'MutatingAdmissionPolicy',
  admit(a, ctx, pass) {
    const { policies, bindings } = liveMutatingPolicies(ctx.store);
    if (policies.length === 0 || bindings.length === 0) return a.object;
    const defaults = strategyFor(a).defaults;
    const result = mutatePolicies(policyAttributes(a, ctx), policies, bindings, policyLookups(ctx.store, ctx.authorize), {
      reinvocation: pass.reinvocation,
      isReinvoke: pass.isReinvoke,
      ...(defaults ? { defaultObject: (o: Record<string, unknown>) => defaults(o as KubeObject) } : {}),
    });
    if (result.denied) throw result.denied;
    return result.object;
  },
};

/**
 * ValidatingAdmissionPolicy (k8s.io/apiserver pkg/admission/plugin/policy/validating): every live VAP × binding
 * on the admitted object; Deny rejects with the policy's status, Warn adds a Warning header.
 */
const validatingAdmissionPolicy: AdmissionPlugin = {
  name: 'ValidatingAdmissionPolicy',
  validate(a, ctx) {
    const { policies, bindings } = liveValidatingPolicies(ctx.store);
    if (policies.length === 0 || bindings.length === 0) return undefined;
    const result = validatePolicies(policyAttributes(a, ctx), policies, bindings, policyLookups(ctx.store, ctx.authorize));
    ctx.warnings?.push(...result.warnings);
    return result.denied;
  },
};

const plugins: Record<AdmissionPluginName, AdmissionPlugin> = {
  MutatingAdmissionPolicy: mutatingAdmissionPolicy,
  ValidatingAdmissionPolicy: validatingAdmissionPolicy,
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

  /**
   * Mutating phase: every enabled plugin's Admit, in order; returns the admitted object or throws. When a
   * MutatingAdmissionPolicy changed the object, the whole chain runs once more (reinvocation.go).
   */
  admit(a: AdmissionAttributes, ctx: AdmissionContext): KubeObject {
    const reinvocation = new MutatingReinvocation();
    const runPass = (attrs: AdmissionAttributes, isReinvoke: boolean): AdmissionAttributes => {
      for (const name of this.enabled) {
        const plugin = plugins[name];
        if (plugin.admit) attrs = { ...attrs, object: plugin.admit(attrs, ctx, { reinvocation, isReinvoke }) };
      }
      return attrs;
    };
    let attrs = runPass(a, false);
    if (reinvocation.shouldReinvoke) attrs = runPass(attrs, true);
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
