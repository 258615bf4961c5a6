// The resource table: every REST resource the embedded API server serves, in discovery's own terms
// (each defined with its strategy in registry/).
import { strategies } from './registry/index.js';
// Shapes follow k8s.io/apimachinery/pkg/apis/meta/v1 APIResource and apidiscovery.k8s.io/v2.

export type Verb = 'create' | 'delete' | 'deletecollection' | 'get' | 'list' | 'patch' | 'update' | 'watch';

export interface Subresource {
  name: string;
  kind: string;
  /** Group/version of the subresource's kind when it differs from the parent (e.g. policy/v1 Eviction). */
  verbs: Verb[];
}

export interface ResourceInfo {
  group: string;
  version: string;
  /** Plural, lower case: the path segment ("pods"). */
  resource: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  verbs: Verb[];
  shortNames: string[];
  categories: string[];
  subresources: Subresource[];
}

/** Every served resource, from its strategy in registry/ (one file per resource). */
export const resources: readonly ResourceInfo[] = strategies.map((s) => s.info);

export function groupVersion(r: Pick<ResourceInfo, 'group' | 'version'>): string {
  return r.group === '' ? r.version : `${r.group}/${r.version}`;
}

/** The group-versions served, core first, in discovery order. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Map<string, { group: string; version: string }>();
  for (const r of resources) seen.set(groupVersion(r), { group: r.group, version: r.version });
  return [...seen.values()];
}

export function findResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return resources.find((r) => r.group === group && r.version === version && r.resource === resource);
}

export function findKind(apiVersion: string, kind: string): ResourceInfo | undefined {
  return resources.find((r) => groupVersion(r) === apiVersion && r.kind === kind);
}

/** Every kind this server stores; strict field validation has a schema for each (field-schema.ts). */
export function servedKinds(): string[] {
  return [...new Set(resources.map((r) => r.kind))].sort();
}
