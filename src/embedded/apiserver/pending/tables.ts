// TEMPORARY stand-in until apiserver-pure's tables.ts lands. Not committed.
export function toTable(resource: string, objects: any[], _o: { wide: boolean; now: Date }): Record<string, unknown> {
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {}, columnDefinitions: [{ name: 'Name', type: 'string', format: 'name', description: resource, priority: 0 }], rows: objects.map((o) => ({ cells: [o.metadata.name], object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata } })) };
}
