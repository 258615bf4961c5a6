// The OpenAPI v3 documents kubectl needs to choose server-side field validation (research §1.5):
// per group-version, one PATCH operation per Kind tagged with x-kubernetes-group-version-kind and a
// `fieldValidation` query parameter. Deliberately no schemas and no strategic-merge requestBody:
// without them kubectl computes strategic merge patches from its compiled-in Go types, which carry
// the real patch merge keys (research §2.3). `kubectl explain` therefore has nothing to show.
import { createHash } from 'node:crypto';
import { groupVersion, groupVersions, resources, type ResourceInfo } from './resources.js';

export interface OpenApiDocuments {
  /** GET /openapi/v3 */
  root: Record<string, unknown>;
  /** GET /openapi/v3/<key>, key "api/v1" or "apis/<group>/<version>". */
  byPath: Map<string, { hash: string; body: string }>;
}

function pathKey(gv: { group: string; version: string }): string {
  return gv.group === '' ? `api/${gv.version}` : `apis/${gv.group}/${gv.version}`;
}

function itemPath(r: ResourceInfo): string {
  const prefix = `/${pathKey(r)}`;
  return r.namespaced ? `${prefix}/namespaces/{namespace}/${r.resource}/{name}` : `${prefix}/${r.resource}/{name}`;
}

function patchOperation(r: ResourceInfo, gitVersion: string): Record<string, unknown> {
  return {
    patch: {
      description: `partially update the specified ${r.kind}`,
      operationId: `patch${r.kind}`,
      'x-kubernetes-action': 'patch',
      'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
      parameters: [
        { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
        { name: 'force', in: 'query', schema: { type: 'boolean', uniqueItems: true } },
      ],
      responses: { '200': { description: 'OK' } },
      tags: [gitVersion],
    },
  };
}

export function buildOpenApi(gitVersion: string): OpenApiDocuments {
  const byPath = new Map<string, { hash: string; body: string }>();
  const rootPaths: Record<string, { serverRelativeURL: string }> = {};
  for (const gv of groupVersions()) {
    const paths: Record<string, unknown> = {};
    for (const r of resources) {
      if (groupVersion(r) !== groupVersion(gv) || !r.verbs.includes('patch')) continue;
      paths[itemPath(r)] = patchOperation(r, gitVersion);
    }
    if (Object.keys(paths).length === 0) continue;
    const body = JSON.stringify({ openapi: '3.0.0', info: { title: 'Kubernetes', version: gitVersion }, paths });
    // Upstream hashes each document (sha512, upper-case hex) so clients can cache it forever.
    const hash = createHash('sha512').update(body).digest('hex').toUpperCase();
    const key = pathKey(gv);
    byPath.set(key, { hash, body });
    rootPaths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${hash}` };
  }
  return { root: { paths: rootPaths }, byPath };
}
