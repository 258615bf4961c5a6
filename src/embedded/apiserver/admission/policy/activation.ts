// The variables a policy expression sees (k8s.io/apiserver pkg/admission/plugin/cel/condition.go
// CreateAdmissionRequest and CreateNamespaceObject, composition.go for `variables`): built once per request and
// policy evaluation, with `variables` evaluated lazily, each at most once, its cost added to the evaluation.
import { celMap, type CelValue } from '@bufbuild/cel';
import { authorizerValue, type Authorize } from './cel-authz.js';
import type { CompiledExpression } from './cel-compiler.js';
import { toCelInput } from './cel-values.js';
import type { EquivalentResource, RequestResource } from './matching.js';

export interface UserInfo {
  username: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
}

/** admission.Attributes as the policy engine needs them. `group` is "" for the core group. */
export interface PolicyAttributes extends RequestResource {
  kind: string;
  userInfo: UserInfo;
  dryRun?: boolean;
  /** CreateOptions / UpdateOptions / DeleteOptions of the request, as JSON. */
  options?: Record<string, unknown>;
}

/**
 * CreateAdmissionRequest: `request` as CEL sees it; kind/resource are the matched (equivalent) ones. The request is
 * converted to unstructured first, so an empty `omitempty` field is absent, not "": `request.subResource` on a
 * plain pod create is "no such key" (as a real kube-apiserver v1.36.3 answers), `has()` tells.
 */
export function admissionRequest(a: PolicyAttributes, matched: EquivalentResource): Record<string, unknown> {
  return {
    ...omitEmpty({
      kind: { group: matched.group, version: matched.version, kind: a.kind },
      resource: { group: matched.group, version: matched.version, resource: matched.resource },
      subResource: a.subresource,
      requestKind: { group: a.group, version: a.version, kind: a.kind },
      requestResource: { group: a.group, version: a.version, resource: a.resource },
      requestSubResource: a.subresource,
      name: a.name,
      namespace: a.namespace,
      operation: a.operation,
      dryRun: a.dryRun ?? false,
      options: a.options,
    }),
    // userInfo itself has no omitempty; its fields do
    userInfo: omitEmpty({ username: a.userInfo.username, uid: a.userInfo.uid, groups: a.userInfo.groups, extra: a.userInfo.extra }),
  };
}

/** What an `omitempty` JSON field leaves out: undefined, null, "", an empty list or map (one level: nested values stay). */
function omitEmpty(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in fields) {
    const v = fields[key];
    if (v === undefined || v === null || v === '' || (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && Object.keys(v).length === 0)) continue;
    out[key] = v;
  }
  return out;
}

const NAMESPACE_META_FIELDS = [
  'name',
  'generateName',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'finalizers',
] as const;

/** CreateNamespaceObject: a namespace with only the metadata fields above, its spec and status. */
export function namespaceObject(ns: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (!ns) return null;
  const meta = (ns['metadata'] ?? {}) as Record<string, unknown>;
  const metadata = Object.fromEntries(NAMESPACE_META_FIELDS.filter((f) => meta[f] !== undefined).map((f) => [f, meta[f]]));
  return { apiVersion: 'v1', kind: 'Namespace', metadata, spec: ns['spec'] ?? {}, status: ns['status'] ?? {} };
}

/** The bindings shared by every expression of one policy evaluation, already converted for CEL. */
export interface Activation {
  bindings: Record<string, unknown>;
  /** The authorizer `authorizer.…check()` asks (the API server's RBAC); unset: checks answer an error decision. */
  authorize?: Authorize;
  /** Cost spent by lazily evaluated variables since the last call (composition.go GetAndResetCost). */
  takeVariableCost(): number;
}

/**
 * The parts of an activation that are the same for every policy × binding one request invokes, each converted for
 * CEL once, on first use: `request` per matched resource, `namespaceObject`, `authorizer`, and each param object.
 */
export class RequestBindings {
  private readonly requests = new Map<string, unknown>();
  private readonly params = new WeakMap<object, unknown>();
  private namespaceCel: { value: unknown } | undefined;
  private authorizerCel: { value: unknown } | undefined;

  constructor(
    readonly attributes: PolicyAttributes,
    private readonly namespace: Record<string, unknown> | undefined,
  ) {}

  request(matched: EquivalentResource): unknown {
    const key = `${matched.group}/${matched.version}/${matched.resource}`;
    let value = this.requests.get(key);
    if (value === undefined) {
      value = toCelInput(admissionRequest(this.attributes, matched));
      this.requests.set(key, value);
    }
    return value;
  }

  namespaceObject(): unknown {
    return (this.namespaceCel ??= { value: toCelInput(namespaceObject(this.namespace)) }).value;
  }

  authorizer(): unknown {
    return (this.authorizerCel ??= { value: toCelInput(authorizerValue(this.attributes.userInfo, this.attributes)) }).value;
  }

  param(param: Record<string, unknown> | null): unknown {
    if (param === null) return null;
    let value = this.params.get(param);
    if (value === undefined) {
      value = toCelInput(param);
      this.params.set(param, value);
    }
    return value;
  }
}

/** What an activation binds, every value already converted for CEL (toCelInput or RequestBindings). */
export interface ActivationInput {
  object: unknown;
  oldObject: unknown;
  request: unknown;
  namespaceObject: unknown;
  params: unknown;
  authorizer: unknown;
}

/**
 * Builds the activation. `variables` is a map whose entries evaluate on first read (composition.go lazy map); a
 * failing variable fails only the expressions that read it:
 * `composited variable "x" fails to evaluate: <err>` / `… fails to compile: <err>`.
 */
export function buildActivation(input: ActivationInput, variables: readonly { name: string; compiled: CompiledExpression }[], limit: number, authorize?: Authorize): Activation {
  let variableCost = 0;
  const bindings: Record<string, unknown> = { ...input };
  const values = new Map<string, CelValue | Error>();
  const byName = new Map(variables.map((v) => [v.name, v.compiled]));
  const lazy = {
    get size(): number {
      return byName.size;
    },
    get(key: unknown): CelValue | undefined {
      if (typeof key !== 'string') return undefined;
      const compiled = byName.get(key);
      if (!compiled) return undefined;
      let value = values.get(key);
      if (value === undefined) {
        if (compiled.error !== undefined) {
          value = new Error(`composited variable "${key}" fails to compile: ${compiled.error}`);
        } else {
          const outcome = compiled.evaluate(bindings, limit);
          variableCost += outcome.cost;
          value = outcome.ok ? (outcome.value as CelValue) : new Error(`composited variable "${key}" fails to evaluate: ${outcome.error}`);
        }
        values.set(key, value);
      }
      // @bufbuild/cel turns an exception thrown while reading a value into that expression's error.
      if (value instanceof Error) throw value;
      return value;
    },
    has(key: unknown): boolean {
      return typeof key === 'string' && byName.has(key);
    },
    keys: () => byName.keys(),
    *entries(): IterableIterator<[string, CelValue]> {
      for (const k of byName.keys()) yield [k, lazy.get(k)!];
    },
    *values(): IterableIterator<CelValue> {
      for (const k of byName.keys()) yield lazy.get(k)!;
    },
    forEach(cb: (v: CelValue, k: string) => void): void {
      for (const k of byName.keys()) cb(lazy.get(k)!, k);
    },
    [Symbol.iterator]() {
      return lazy.entries();
    },
  };
  bindings['variables'] = celMap(lazy as unknown as Map<string, CelValue>);
  return {
    bindings,
    ...(authorize ? { authorize } : {}),
    takeVariableCost() {
      const c = variableCost;
      variableCost = 0;
      return c;
    },
  };
}
