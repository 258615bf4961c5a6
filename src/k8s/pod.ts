// The parts of core/v1 objects that the image-pull semantics read, as plain JSON (the API server stores JSON).
// Field names follow k8s.io/api core/v1 types.go; unknown fields are kept, so a round trip loses nothing.

/** core/v1 PullPolicy (k8s.io/api core/v1 types.go). */
export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';
export const pullPolicies: readonly PullPolicy[] = ['Always', 'IfNotPresent', 'Never'];

export function isPullPolicy(v: unknown): v is PullPolicy {
  return typeof v === 'string' && (pullPolicies as readonly string[]).includes(v);
}

/** metav1.ObjectMeta as JSON: the fields the lab reads and writes (k8s.io/apimachinery pkg/apis/meta/v1 types.go). */
export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  [key: string]: unknown;
}

export interface Container {
  name: string;
  image?: string;
  /** Empty or absent until defaulting (SetDefaults_Container) fills it; any string may arrive from a client. */
  imagePullPolicy?: PullPolicy | '';
  [key: string]: unknown;
}

/** EphemeralContainer embeds EphemeralContainerCommon, which has the Container fields. */
export interface EphemeralContainer extends Container {
  targetContainerName?: string;
}

/** ImageVolumeSource (KEP-4639). */
export interface ImageVolumeSource {
  reference?: string;
  pullPolicy?: PullPolicy | '';
  [key: string]: unknown;
}

export interface Volume {
  name: string;
  image?: ImageVolumeSource;
  [key: string]: unknown;
}

export interface LocalObjectReference {
  name?: string;
}

export interface PodSpec {
  initContainers?: Container[];
  containers?: Container[];
  ephemeralContainers?: EphemeralContainer[];
  volumes?: Volume[];
  imagePullSecrets?: LocalObjectReference[];
  serviceAccountName?: string;
  nodeName?: string;
  [key: string]: unknown;
}

export interface Pod {
  apiVersion?: 'v1';
  kind?: 'Pod';
  metadata?: ObjectMeta;
  spec?: PodSpec;
  status?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Which list a visited container came from, in upstream's visit order. */
export type ContainerListField = 'initContainers' | 'containers' | 'ephemeralContainers';
const containerLists: readonly ContainerListField[] = ['initContainers', 'containers', 'ephemeralContainers'];

/**
 * pods.VisitContainersWithPath (pkg/apis/core/pods/helpers.go): init, regular, then ephemeral containers,
 * with paths like `spec.initContainers[0]`. The visitor returns false to stop; the result says whether all were visited.
 */
export function visitContainersWithPath(
  spec: PodSpec | undefined,
  visitor: (container: Container, path: string, list: ContainerListField, index: number) => boolean,
  specPath = 'spec',
): boolean {
  if (!spec) return true;
  for (const list of containerLists) {
    const containers = spec[list] ?? [];
    for (let i = 0; i < containers.length; i++) {
      const c = containers[i];
      if (c && !visitor(c, `${specPath}.${list}[${i}]`, list, i)) return false;
    }
  }
  return true;
}

/** Every container image string of the pod (init, regular, ephemeral), in visit order. */
export function podImages(spec: PodSpec | undefined): string[] {
  const images: string[] = [];
  visitContainersWithPath(spec, (c) => {
    images.push(c.image ?? '');
    return true;
  });
  return images;
}

/** A new pod whose containers (all three lists) are mapped by `fn`; other fields are shared, not copied. */
export function mapContainers(pod: Pod, fn: (c: Container, path: string) => Container): Pod {
  const spec = pod.spec;
  if (!spec) return { ...pod };
  const next: PodSpec = { ...spec };
  for (const list of containerLists) {
    const containers = spec[list];
    if (containers) next[list] = containers.map((c, i) => fn(c, `spec.${list}[${i}]`));
  }
  return { ...pod, spec: next };
}

/** A new pod whose image volumes are mapped by `fn`; volumes without `image` are kept as they are. */
export function mapImageVolumes(pod: Pod, fn: (image: ImageVolumeSource, path: string) => ImageVolumeSource): Pod {
  const volumes = pod.spec?.volumes;
  if (!pod.spec || !volumes) return pod;
  return {
    ...pod,
    spec: {
      ...pod.spec,
      volumes: volumes.map((v, i) => (v.image ? { ...v, image: fn(v.image, `spec.volumes[${i}].image`) } : v)),
    },
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * The JSON stand-in for Go's `obj.(*api.Pod)` type assertion: an object whose kind (if given) is Pod and
 * whose metadata, spec and container lists have the right JSON types.
 */
export function asPod(obj: unknown): Pod | undefined {
  if (!isRecord(obj)) return undefined;
  if (obj.kind !== undefined && obj.kind !== 'Pod') return undefined;
  if (obj.metadata !== undefined && !isRecord(obj.metadata)) return undefined;
  const spec = obj.spec;
  if (spec !== undefined) {
    if (!isRecord(spec)) return undefined;
    for (const list of [...containerLists, 'volumes'] as const) {
      const items = spec[list];
      if (items !== undefined && !(Array.isArray(items) && items.every(isRecord))) return undefined;
    }
  }
  return obj as Pod;
}
