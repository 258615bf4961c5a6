// Merges a MAP ApplyConfiguration into the object as server-side apply's structured merge does
// (k8s.io/apiserver pkg/admission/plugin/policy/mutating/patch/smd.go ApplyStructuredMergeDiff, validatePatch):
// structs and maps merge field by field, `listType=map` lists merge item by key, `listType=set` lists union, and
// any atomic list or map in the apply configuration is refused. The list types are those of the core/v1 Pod
// schema (k8s.io/api/core/v1/types.go +listType markers); a list not in the table is atomic.

type Json = Record<string, unknown>;

/** `map:<keys>` for listType=map, `set` for listType=set. */
type ListType = { map: readonly string[] } | 'set';

const containerLists: Record<string, ListType> = {
  ports: { map: ['containerPort', 'protocol'] },
  env: { map: ['name'] },
  volumeMounts: { map: ['mountPath'] },
  volumeDevices: { map: ['devicePath'] },
  resizePolicy: { map: ['resourceName'] },
};

// Path patterns: `*` stands for one list item of a keyed list.
const LIST_TYPES: Record<string, ListType> = {
  '.metadata.finalizers': 'set',
  '.metadata.ownerReferences': { map: ['uid'] },
  '.spec.containers': { map: ['name'] },
  '.spec.initContainers': { map: ['name'] },
  '.spec.ephemeralContainers': { map: ['name'] },
  '.spec.volumes': { map: ['name'] },
  '.spec.imagePullSecrets': { map: ['name'] },
  '.spec.hostAliases': { map: ['ip'] },
  '.spec.topologySpreadConstraints': { map: ['topologyKey', 'whenUnsatisfiable'] },
  '.spec.schedulingGates': { map: ['name'] },
  '.spec.resourceClaims': { map: ['name'] },
  ...Object.fromEntries(['containers', 'initContainers', 'ephemeralContainers'].flatMap((c) => Object.entries(containerLists).map(([k, t]) => [`.spec.${c}.*.${k}`, t]))),
};

/** Maps whose items are replaced as a whole (+mapType=atomic). */
const ATOMIC_MAPS = new Set(['.spec.nodeSelector']);

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** findAtomics: the paths (".spec.tolerations", ".spec.containers[0].command") the apply configuration may not set. */
export function findAtomics(patch: unknown, pattern = '', path = ''): string[] {
  if (Array.isArray(patch)) {
    const type = LIST_TYPES[pattern];
    if (type === undefined) return [path];
    if (type === 'set') return [];
    return patch.flatMap((item, i) => findAtomics(item, `${pattern}.*`, `${path}[${i}]`));
  }
  if (isObject(patch)) {
    const own = ATOMIC_MAPS.has(pattern) ? [path] : [];
    return [...own, ...Object.entries(patch).flatMap(([k, v]) => findAtomics(v, `${pattern}.${k}`, `${path}.${k}`))];
  }
  return [];
}

const sameKey = (keys: readonly string[], a: Json, b: Json): boolean => keys.every((k) => (a[k] ?? defaultKey(k)) === (b[k] ?? defaultKey(k)));
// ports' protocol defaults to TCP, so {containerPort: 80} and {containerPort: 80, protocol: TCP} are one item.
const defaultKey = (k: string): unknown => (k === 'protocol' ? 'TCP' : undefined);

function merge(live: unknown, patch: unknown, pattern: string): unknown {
  if (patch === undefined) return live;
  if (Array.isArray(patch)) {
    const type = LIST_TYPES[pattern];
    const current = Array.isArray(live) ? [...live] : [];
    if (type === 'set') return [...current, ...patch.filter((p) => !current.includes(p))];
    if (type === undefined) return patch;
    for (const item of patch) {
      if (!isObject(item)) continue;
      const i = current.findIndex((x) => isObject(x) && sameKey(type.map, x, item));
      if (i >= 0) current[i] = merge(current[i], item, `${pattern}.*`);
      else current.push(merge(undefined, item, `${pattern}.*`));
    }
    return current;
  }
  if (isObject(patch)) {
    if (ATOMIC_MAPS.has(pattern)) return patch;
    const out: Json = isObject(live) ? { ...live } : {};
    for (const [k, v] of Object.entries(patch)) out[k] = merge(out[k], v, `${pattern}.${k}`);
    return out;
  }
  return patch;
}

/** ApplyStructuredMergeDiff: the merged object, or upstream's error text. */
export function applyConfiguration(object: Json, patch: Json): { object: Json } | { error: string } {
  const atomics = findAtomics(patch);
  if (atomics.length > 0) return { error: `invalid ApplyConfiguration: may not mutate atomic arrays, maps or structs: ${atomics.join(', ')}` };
  return { object: merge(object, patch, '') as Json };
}
