// The PodSecurity admission plugin (plugin/pkg/admission/security/podsecurity/admission.go): a validating
// plugin for pods (and their evaluated subresources) and namespaces, delegating to the pure decisions in
// src/k8s/pod-security.ts with the namespace read from the store, as upstream reads it from its informer.
import type { AdmissionAttributes } from '../../../k8s/always-pull-images.js';
import { newForbidden, newInvalid, StatusError } from '../../../k8s/api-errors.js';
import { defaultPodSecurityConfiguration, validateNamespace, validatePod, type PodSecurityConfiguration, type PodSecurityResponse } from '../../../k8s/pod-security.js';
import type { UserInfo } from '../authn.js';
import { findResource } from '../resources.js';
import type { ObjectStore } from '../store.js';

const namespacesResource = findResource('', 'v1', 'namespaces')!;
const podsResource = findResource('', 'v1', 'pods')!;

export const PodSecurityPluginName = 'PodSecurity' as const;

/** Plugin.Validate: the refusal starts as admission.NewForbidden and takes the library's message, reason and code. */
function toError(a: AdmissionAttributes, response: PodSecurityResponse): StatusError | undefined {
  if (response.allowed) return undefined;
  // Plugin.Validate replaces the whole Status with the library's: for invalid namespace labels that is
  // apierrors.NewInvalid(Namespace, name, errs) (pod-security-admission/admission/response.go invalidResponse).
  if (response.status.fieldErrors) return newInvalid({ group: a.group, kind: a.kind }, a.name, response.status.fieldErrors);
  const err = newForbidden({ group: a.group, resource: a.resource }, a.name, 'Not allowed by PodSecurity');
  const { code, reason, message } = response.status;
  // the library's refusal is itself apierrors.NewForbidden(resource, name, `violates PodSecurity …`)
  const text = reason === 'Forbidden' ? newForbidden({ group: a.group, resource: a.resource }, a.name, message).message : message;
  return new StatusError({ code, reason, message: text, ...(err.status.details ? { details: err.status.details } : {}) });
}

export function podSecurityPlugin(config: PodSecurityConfiguration = defaultPodSecurityConfiguration) {
  return {
    name: PodSecurityPluginName,
    validate(a: AdmissionAttributes, ctx: { store: ObjectStore; user: UserInfo; warnings?: string[] }): Error | undefined {
      if (a.group !== '' || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return undefined;
      const attrs = { operation: a.operation, subresource: a.subresource, namespace: a.namespace, name: a.name, username: ctx.user.name, object: a.object, oldObject: a.oldObject };
      let response: PodSecurityResponse;
      if (a.resource === 'pods') {
        const namespace = ctx.store.get(namespacesResource, undefined, a.namespace);
        if (!namespace) return new StatusError({ code: 500, reason: 'InternalError', message: `failed to lookup namespace ${a.namespace}` });
        response = validatePod(attrs, { namespaceLabels: namespace.metadata.labels, config });
      } else if (a.resource === 'namespaces') {
        response = validateNamespace(attrs, { config, podsInNamespace: () => ctx.store.list(podsResource, a.name).items });
      } else return undefined;
      ctx.warnings?.push(...response.warnings);
      return toError(a, response);
    },
  };
}
