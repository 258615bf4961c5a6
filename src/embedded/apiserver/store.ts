// The API server's object store: what etcd plus the registry's generic store do upstream
// (k8s.io/apiserver/pkg/registry/generic/registry/store.go): uid, one monotonic resourceVersion for
// all objects, 409 Conflict on a stale update, creationTimestamp, generation, and watch fan-out.
//
// In-process use (kubelets, scheduler, lab wiring) goes straight to this store, with no HTTP,
// no authentication and no admission — like a component with its own trusted client:
//   const stop = store.watch(podsResource, { namespace }, (event) => …)   // ADDED/MODIFIED/DELETED
//   store.mutate(podsResource, ns, name, (pod) => { pod.status = … })    // read-modify-write, no 409
//   store.create(eventsResource, event)                                   // e.g. a kubelet's event
// Objects handed out are deep copies; change them only through create/update/mutate/delete.
// Watch callbacks run synchronously inside the write that caused them: keep them short, and defer
// slow work (e.g. an image pull) with queueMicrotask/setImmediate.
import { randomUUID } from 'node:crypto';
import { newAlreadyExists, newConflict, newNotFound, StatusError } from '../../k8s/api-errors.js';
import type { ObjectMeta } from '../../k8s/pod.js';
import { groupVersion, type ResourceInfo } from './resources.js';

export type { ObjectMeta } from '../../k8s/pod.js';

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  [key: string]: unknown;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface WatchEvent {
  type: WatchEventType;
  object: KubeObject;
}

export interface WatchOptions {
  /** Only objects in this namespace (namespaced resources). */
  namespace?: string;
  /**
   * Replay events after this resourceVersion. Absent, "" or "0": start with a synthetic ADDED for
   * every current object (upstream's "any" semantics), then stream.
   */
  resourceVersion?: string;
  /** Only objects for which this holds (label and field selectors). */
  filter?: (object: KubeObject) => boolean;
}

interface HistoryEntry {
  rv: number;
  resourceKey: string;
  event: WatchEvent;
}

interface Watcher {
  resourceKey: string;
  options: WatchOptions;
  send: (event: WatchEvent) => void;
}

/** How many past events a watch can resume from; older resourceVersions get 410 Gone. */
const historyLimit = 10_000;

const resourceKey = (r: ResourceInfo): string => `${groupVersion(r)}/${r.resource}`;
const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;
const clone = <T>(value: T): T => structuredClone(value);
const qualified = (r: ResourceInfo): { group: string; resource: string } => ({ group: r.group, resource: r.resource });

/** Kinds whose spec changes bump metadata.generation (upstream: strategies with PrepareForUpdate). */
const generationKinds = new Set(['Pod', 'Node']);

export class ObjectStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private readonly history: HistoryEntry[] = [];
  private readonly watchers = new Set<Watcher>();
  private rv = 100;

  /** The newest resourceVersion handed out, as a string (what list metadata carries). */
  resourceVersion(): string {
    return String(this.rv);
  }

  private bucket(r: ResourceInfo): Map<string, KubeObject> {
    const key = resourceKey(r);
    let map = this.objects.get(key);
    if (!map) {
      map = new Map();
      this.objects.set(key, map);
    }
    return map;
  }

  get(r: ResourceInfo, namespace: string | undefined, name: string): KubeObject | undefined {
    const found = this.bucket(r).get(objectKey(r.namespaced ? namespace : undefined, name));
    return found ? clone(found) : undefined;
  }

  /** Like get, but a missing object is upstream's NotFound. */
  mustGet(r: ResourceInfo, namespace: string | undefined, name: string): KubeObject {
    const found = this.get(r, namespace, name);
    if (!found) throw newNotFound(qualified(r), name);
    return found;
  }

  /** Objects in name order (namespace, then name); `filter` sees the stored object and must not change it. */
  list(r: ResourceInfo, namespace?: string, filter?: (object: KubeObject) => boolean): { items: KubeObject[]; resourceVersion: string } {
    const items: KubeObject[] = [];
    for (const object of this.bucket(r).values()) {
      if (namespace !== undefined && r.namespaced && object.metadata.namespace !== namespace) continue;
      if (filter && !filter(object)) continue;
      items.push(clone(object));
    }
    items.sort((a, b) =>
      objectKey(a.metadata.namespace, a.metadata.name ?? '').localeCompare(objectKey(b.metadata.namespace, b.metadata.name ?? '')),
    );
    return { items, resourceVersion: this.resourceVersion() };
  }

  /** Stores a new object; fills uid, resourceVersion, creationTimestamp, generation. With dryRun, returns what would be stored. */
  create(r: ResourceInfo, input: KubeObject, options: { dryRun?: boolean } = {}): KubeObject {
    const object = clone(input);
    const meta = object.metadata;
    if (!meta.name && meta.generateName) meta.name = meta.generateName + randomSuffix();
    const name = meta.name ?? '';
    if (r.namespaced) meta.namespace = meta.namespace ?? 'default';
    else delete meta.namespace;
    const key = objectKey(meta.namespace, name);
    const bucket = this.bucket(r);
    if (bucket.has(key)) throw newAlreadyExists(qualified(r), name);
    object.apiVersion = groupVersion(r);
    object.kind = r.kind;
    meta.uid = randomUUID();
    meta.creationTimestamp = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    delete meta.resourceVersion;
    delete meta.deletionTimestamp;
    delete meta['deletionGracePeriodSeconds'];
    if (generationKinds.has(r.kind)) meta.generation = 1;
    else delete meta.generation;
    if (options.dryRun) {
      meta.resourceVersion = undefined;
      delete meta.resourceVersion;
      return object;
    }
    meta.resourceVersion = String(++this.rv);
    bucket.set(key, object);
    this.emit(r, { type: 'ADDED', object });
    return clone(object);
  }

  /**
   * Replaces an existing object. A resourceVersion in the input that is not the stored one is
   * upstream's 409 Conflict; an absent one means "unconditional" (as upstream allows for most kinds).
   */
  update(r: ResourceInfo, input: KubeObject, options: { dryRun?: boolean } = {}): KubeObject {
    const object = clone(input);
    const meta = object.metadata;
    const name = meta.name ?? '';
    const namespace = r.namespaced ? meta.namespace : undefined;
    const bucket = this.bucket(r);
    const key = objectKey(namespace, name);
    const current = bucket.get(key);
    if (!current) throw newNotFound(qualified(r), name);
    if (meta.resourceVersion !== undefined && meta.resourceVersion !== '' && meta.resourceVersion !== current.metadata.resourceVersion) {
      throw newConflict(qualified(r), name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    object.apiVersion = groupVersion(r);
    object.kind = r.kind;
    // Identity and bookkeeping belong to the server (upstream: rest.FillObjectMetaSystemFields on create only).
    meta.uid = current.metadata.uid;
    meta.creationTimestamp = current.metadata.creationTimestamp;
    if (r.namespaced) meta.namespace = current.metadata.namespace;
    // Once set, deletionTimestamp stays; only the server's delete path sets it (input from clients is reset by the strategy).
    if (current.metadata.deletionTimestamp && !meta.deletionTimestamp) meta.deletionTimestamp = current.metadata.deletionTimestamp;
    if (generationKinds.has(r.kind)) {
      const specChanged = canonicalJson(object['spec']) !== canonicalJson(current['spec']);
      meta.generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    }
    if (canonicalJson(withoutRv(object)) === canonicalJson(withoutRv(current))) {
      // A no-op update keeps the resourceVersion and sends no watch event (as etcd3's GuaranteedUpdate).
      return clone(current);
    }
    if (options.dryRun) {
      meta.resourceVersion = current.metadata.resourceVersion;
      return object;
    }
    meta.resourceVersion = String(++this.rv);
    bucket.set(key, object);
    this.emit(r, { type: 'MODIFIED', object });
    return clone(object);
  }

  /** Read-modify-write without a conflict check: for trusted in-process writers (kubelet status, events). */
  mutate(r: ResourceInfo, namespace: string | undefined, name: string, change: (object: KubeObject) => void): KubeObject {
    const object = this.mustGet(r, namespace, name);
    change(object);
    object.metadata.resourceVersion = undefined;
    delete object.metadata.resourceVersion;
    return this.update(r, object);
  }

  delete(r: ResourceInfo, namespace: string | undefined, name: string, options: { dryRun?: boolean; resourceVersion?: string; uid?: string } = {}): KubeObject {
    const bucket = this.bucket(r);
    const key = objectKey(r.namespaced ? namespace : undefined, name);
    const current = bucket.get(key);
    if (!current) throw newNotFound(qualified(r), name);
    if (options.resourceVersion && options.resourceVersion !== current.metadata.resourceVersion) {
      throw newConflict(qualified(r), name, `Precondition failed: ResourceVersion in precondition: ${options.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`);
    }
    if (options.uid && options.uid !== current.metadata.uid) {
      throw newConflict(qualified(r), name, `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (options.dryRun) return clone(current);
    bucket.delete(key);
    const object = clone(current);
    object.metadata.resourceVersion = String(++this.rv);
    this.emit(r, { type: 'DELETED', object });
    return clone(object);
  }

  /**
   * Streams changes to `send` until the returned function is called. Throws 410 Gone when asked to
   * resume from a resourceVersion older than the kept history.
   */
  watch(r: ResourceInfo, options: WatchOptions, send: (event: WatchEvent) => void): () => void {
    const key = resourceKey(r);
    const matches = (object: KubeObject): boolean =>
      (options.namespace === undefined || !r.namespaced || object.metadata.namespace === options.namespace) &&
      (options.filter === undefined || options.filter(object));
    const from = options.resourceVersion;
    const backlog: WatchEvent[] = [];
    if (from === undefined || from === '' || from === '0') {
      for (const object of this.list(r, options.namespace, matches).items) backlog.push({ type: 'ADDED', object });
    } else {
      const since = Number(from);
      if (!Number.isInteger(since) || since < 0) throw tooOldResourceVersion(`too old resource version: ${from} (${this.rv})`);
      const oldest = this.history[0]?.rv ?? this.rv + 1;
      if (since < oldest - 1 && since < this.rv) throw tooOldResourceVersion(`too old resource version: ${from} (${oldest - 1})`);
      for (const entry of this.history) {
        if (entry.rv > since && entry.resourceKey === key && matches(entry.event.object)) backlog.push(clone(entry.event));
      }
    }
    const watcher: Watcher = {
      resourceKey: key,
      options,
      send: (event) => {
        if (matches(event.object)) send(clone(event));
      },
    };
    for (const event of backlog) send(event);
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private emit(r: ResourceInfo, event: WatchEvent): void {
    const key = resourceKey(r);
    this.history.push({ rv: this.rv, resourceKey: key, event: clone(event) });
    if (this.history.length > historyLimit) this.history.splice(0, this.history.length - historyLimit);
    for (const watcher of [...this.watchers]) {
      if (watcher.resourceKey !== key) continue;
      try {
        watcher.send(event);
      } catch {
        // A broken watcher must not stop the write or the other watchers.
        this.watchers.delete(watcher);
      }
    }
  }
}

/** JSON with object keys sorted: a client that re-serializes an object in another key order changes nothing
 *  (upstream compares decoded objects, e.g. apiequality.Semantic.DeepEqual for the pod generation). */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

function withoutRv(object: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return { ...object, metadata };
}

// Upstream names.SimpleNameGenerator: 5 characters from an alphabet without vowels or look-alikes.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
function randomSuffix(): string {
  let out = '';
  for (let i = 0; i < 5; i++) out += alphabet[Math.floor(Math.random() * alphabet.length)];
  return out;
}

/** NewResourceExpired (apimachinery errors.go), 410 Expired: what etcd3's watch answers for a compacted revision. */
function tooOldResourceVersion(message: string): StatusError {
  return new StatusError({ code: 410, reason: 'Expired', message });
}
