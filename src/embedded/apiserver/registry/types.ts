// A resource's strategy, as upstream's registry strategies (k8s.io/apiserver/pkg/registry/rest, pkg/registry/*/strategy.go):
// what the resource is (discovery), how a body is defaulted, prepared and validated, and how its delete answers.
// One file per resource in this folder, listed once in index.ts: a new kind is a new file, not a case in six switches.
import type { FieldError } from '../../../k8s/api-errors.js';
import type { RequestContext } from '../handlers/context.js';
import type { ResourceInfo, Verb } from '../resources.js';
import type { KubeObject } from '../store.js';

export interface ResourceStrategy {
  info: ResourceInfo;
  /** SetDefaults_<Kind> and the v1 conversion, on decode (before admission). */
  defaults?(object: KubeObject): KubeObject;
  /** PrepareForCreate, after mutating admission: what the server sets on a new object (status, labels). */
  prepareForCreate?(object: KubeObject): KubeObject;
  /** PrepareForUpdate of the main resource: what an update keeps from the stored object. */
  prepareForUpdate?(next: KubeObject, old: KubeObject): KubeObject;
  /** PrepareForUpdate of a subresource other than status (e.g. pods/ephemeralcontainers). */
  prepareSubresourceUpdate?(subresource: string, object: KubeObject, old: KubeObject): KubeObject | undefined;
  /** Validate on create. */
  validate(object: KubeObject): FieldError[];
  /** ValidateUpdate (per subresource where they differ). */
  validateUpdate(object: KubeObject, old: KubeObject, subresource: string): FieldError[];
  /** What is stored beyond the request (the v1 conversion's mirrored fields). */
  prepareForStorage?(object: KubeObject): KubeObject;
  /** Delete answers the deleted object (registry store ReturnDeletedObject) instead of a Status. */
  returnDeletedObject?: boolean;
  /** A resource that is not stored (reviews): its own handler per verb. */
  handlers?: Partial<Record<Verb, (ctx: RequestContext) => Promise<void> | void>>;
  /** Subresources served by their own handler (pods/log). */
  subresourceHandlers?: Record<string, Partial<Record<Verb, (ctx: RequestContext) => Promise<void> | void>>>;
}

const crud: Verb[] = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** A core/v1 resource with every verb unless told otherwise. */
export function coreResource(resource: string, singular: string, kind: string, namespaced: boolean, extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return { group: '', version: 'v1', resource, singular, kind, namespaced, verbs: crud, shortNames: [], categories: [], subresources: [], ...extra };
}

/** A rbac.authorization.k8s.io/v1 resource. */
export function rbacResource(resource: string, singular: string, kind: string, namespaced: boolean): ResourceInfo {
  return { group: 'rbac.authorization.k8s.io', version: 'v1', resource, singular, kind, namespaced, verbs: crud, shortNames: [], categories: [], subresources: [] };
}

/** An admissionregistration.k8s.io/v1 resource (cluster-scoped: the admission policies and their bindings). */
export function admissionRegistrationResource(resource: string, singular: string, kind: string, extra: Partial<ResourceInfo> = {}): ResourceInfo {
  return {
    group: 'admissionregistration.k8s.io',
    version: 'v1',
    resource,
    singular,
    kind,
    namespaced: false,
    verbs: crud,
    shortNames: [],
    categories: ['api-extensions'],
    subresources: [],
    ...extra,
  };
}
