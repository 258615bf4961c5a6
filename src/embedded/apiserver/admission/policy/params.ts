// The params a binding evaluates its policy with (k8s.io/apiserver pkg/admission/plugin/policy/generic/
// policy_dispatcher.go CollectParams): none without paramKind or paramRef, one by name, or every object a selector
// picks; parameterNotFoundAction Deny turns "none found" into a configuration error.
import type { LabelSelector, ParamKind, ParamRef } from './types.js';

/** Where params come from: the API server's store, by kind. */
export interface ParamSource {
  /** Whether objects of this kind are namespaced; undefined when the kind is not served ("not known"). */
  scope(kind: ParamKind): 'Namespaced' | 'Cluster' | undefined;
  get(kind: ParamKind, namespace: string, name: string): Record<string, unknown> | undefined;
  list(kind: ParamKind, namespace: string, selector: LabelSelector): Record<string, unknown>[];
}

export type CollectedParams = { params: (Record<string, unknown> | null)[] } | { error: string };

/** ParamKind.String() as the generated Go code prints it. */
function paramKindString(k: ParamKind): string {
  return `&ParamKind{APIVersion:${k.apiVersion ?? ''},Kind:${k.kind ?? ''},}`;
}

/** CollectParams; `null` stands for "evaluate with params = null". */
export function collectParams(paramKind: ParamKind | undefined, paramRef: ParamRef | undefined, requestNamespace: string, source: ParamSource | undefined): CollectedParams {
  if (!paramKind) return { params: [null] };
  const scope = source?.scope(paramKind);
  let namespace = '';
  if (paramRef) {
    if (!source || scope === undefined) return { error: `paramKind kind \`${paramKindString(paramKind)}\` not known` };
    if (scope === 'Namespaced') {
      namespace = paramRef.namespace || requestNamespace;
      if (namespace === '') return { error: 'cannot use namespaced paramRef in policy binding that matches cluster-scoped resources' };
    }
  }
  if (!paramRef) return { params: [null] };
  let params: Record<string, unknown>[];
  if (paramRef.namespace && scope === 'Cluster') return { error: 'paramRef.namespace must not be provided for a cluster-scoped `paramKind`' };
  if (paramRef.name) {
    if (paramRef.selector) return { error: 'paramRef.name and paramRef.selector are mutually exclusive' };
    const found = source!.get(paramKind, namespace, paramRef.name);
    params = found ? [found] : [];
  } else if (paramRef.selector) {
    params = source!.list(paramKind, namespace, paramRef.selector);
  } else {
    return { error: 'one of name or selector must be provided' };
  }
  if (params.length === 0 && paramRef.parameterNotFoundAction === 'Deny') {
    return { error: 'no params found for policy binding with `Deny` parameterNotFoundAction' };
  }
  return { params };
}
