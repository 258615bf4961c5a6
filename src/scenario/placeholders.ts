// `{{ … }}` placeholders in scenario manifests, filled from the running lab: the same scenario file works on
// every backend, whatever the registry's port, the node names or the digest of this lab's image.

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** Names a scenario may use, and what they stand for (docs/scenario-format.md lists them). */
const KNOWN = [
  /^images\.(secret|public)$/, // image references with tag
  /^images\.(secret|public)Digest$/, // the same images by digest (name@sha256:…)
  /^registry$/, // host:port of the lab's registry
  /^pullSecret$/, // the name of Admin1's ImagePullSecret1
  /^namespace$/, // the acting tenant's namespace
  /^namespaces\.(admin1|admin2)$/,
  /^nodes\.\d$/, // the lab's worker nodes, in order
  /^nodeOf\.[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, // the node a pod was scheduled to (the attacker targets the cache)
];

export function isKnownPlaceholder(name: string): boolean {
  return KNOWN.some((re) => re.test(name));
}

export interface PlaceholderUse {
  /** Where in the value the string holding it sits (object keys and array indexes). */
  path: (string | number)[];
  name: string;
}

/** Every placeholder used in a JSON-like value, with where it is. */
export function findPlaceholders(value: unknown, path: (string | number)[] = []): PlaceholderUse[] {
  if (typeof value === 'string') return [...value.matchAll(PLACEHOLDER)].map((m) => ({ path, name: m[1]! }));
  if (Array.isArray(value)) return value.flatMap((v, i) => findPlaceholders(v, [...path, i]));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => findPlaceholders(v, [...path, k]));
  }
  return [];
}

export type PlaceholderValues = (name: string) => string | undefined;

/** A copy of the value with every placeholder replaced; an unknown or unresolved one is an error naming it. */
export function fillPlaceholders<T>(value: T, lookup: PlaceholderValues): T {
  const fill = (v: unknown): unknown => {
    if (typeof v === 'string') {
      return v.replace(PLACEHOLDER, (_, name: string) => {
        const filled = lookup(name);
        if (filled === undefined) throw new Error(`placeholder {{ ${name} }} has no value in this lab`);
        return filled;
      });
    }
    if (Array.isArray(v)) return v.map(fill);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fill(x)]));
    return v;
  };
  return fill(value) as T;
}

/** What the lab tells a placeholder: the parts of LabInfo scenarios may name, and where pods went. */
export interface PlaceholderLab {
  info: {
    images: { secret: string; public: string };
    registry: { host: string };
    tenants: { admin1: { namespace: string; pullSecret: string }; admin2: { namespace: string } };
    nodes: readonly string[];
  };
  /** The images' digests, when known. */
  imageDigests?: { secret: string; public: string };
  /** The node a pod was scheduled to, when known. */
  nodeOf: (pod: string) => string | undefined;
}

/** The namespace an actor works in: its tenant's, or `default` for the cluster admin. */
export function namespaceOf(info: PlaceholderLab['info'], actor: 'admin' | 'admin1' | 'admin2'): string {
  return actor === 'admin1' ? info.tenants.admin1.namespace : actor === 'admin2' ? info.tenants.admin2.namespace : 'default';
}

/** The value of each placeholder name for a step of `actor` on this lab (docs/scenario-format.md lists them). */
export function labPlaceholders(lab: PlaceholderLab, actor: 'admin' | 'admin1' | 'admin2'): PlaceholderValues {
  const { info, imageDigests } = lab;
  return (name) => {
    const [head, tail] = name.split('.', 2) as [string, string | undefined];
    switch (head) {
      case 'images':
        if (tail === 'secret' || tail === 'public') return info.images[tail];
        if (tail === 'secretDigest' && imageDigests) return byDigest(info.images.secret, imageDigests.secret);
        if (tail === 'publicDigest' && imageDigests) return byDigest(info.images.public, imageDigests.public);
        return undefined;
      case 'registry':
        return info.registry.host;
      case 'pullSecret':
        return info.tenants.admin1.pullSecret;
      case 'namespace':
        return namespaceOf(info, actor);
      case 'namespaces':
        return tail === 'admin1' || tail === 'admin2' ? namespaceOf(info, tail) : undefined;
      case 'nodes':
        return info.nodes[Number(tail)];
      case 'nodeOf':
        return tail === undefined ? undefined : lab.nodeOf(tail);
      default:
        return undefined;
    }
  };
}

/** `host/repo:tag` → `host/repo@sha256:…`. */
function byDigest(reference: string, digest: string): string {
  const name = reference.replace(/@.*$/, '').replace(/:[^/:]+$/, '');
  return `${name}@${digest}`;
}
