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
import { jsonEqual } from './json-equal.js';
import { objectText } from './object-text.js';
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
  /**
   * Hand out the stored event objects themselves (no copy per watcher): for consumers that only serialize
   * them, such as an HTTP watch. They must not be changed.
   */
  shared?: boolean;
}

interface HistoryEntry {
  rv: number;
  resourceKey: string;
  /** Shares the stored object: stored objects are never changed in place. */
  event: WatchEvent;
  bytes: number;
  /** When it was recorded (ms, the store's clock), for compaction. */
  at: number;
}

interface Watcher {
  resourceKey: string;
  options: WatchOptions;
  send: (event: WatchEvent) => void;
}

/** How many past events a watch can resume from; older resourceVersions get 410 Gone. */
const historyLimit = 10_000;

export interface StoreLimits {
  /** etcd's --max-request-bytes (1.5 MiB): a larger object is refused as etcd refuses it. */
  maxObjectBytes: number;
  /** etcd's --quota-backend-bytes, sized for a lab: writes past it are refused until objects are deleted. */
  quotaBytes: number;
  /** Watch history kept at most (bytes); older events are compacted away. */
  historyBytes: number;
  /** kube-apiserver compacts etcd every 5 minutes (--etcd-compaction-interval): history older than that goes. */
  compactionIntervalMs: number;
  /** kube-apiserver --event-ttl (1 h): events expire this long after their last write. */
  eventTtlMs: number;
}

export const defaultStoreLimits: StoreLimits = {
  maxObjectBytes: 1.5 * 1024 * 1024,
  quotaBytes: 128 * 1024 * 1024,
  historyBytes: 32 * 1024 * 1024,
  compactionIntervalMs: 5 * 60_000,
  eventTtlMs: 60 * 60_000,
};

/** What etcd answers and kube-apiserver passes on as a 500 without a reason (kubernetes/kubernetes#112152). */
export function etcdError(message: string): StatusError {
  return new StatusError({ code: 500, message });
}

const resourceKey = (r: ResourceInfo): string => `${groupVersion(r)}/${r.resource}`;
const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;
const clone = <T>(value: T): T => structuredClone(value);
const qualified = (r: ResourceInfo): { group: string; resource: string } => ({ group: r.group, resource: r.resource });

/** Kinds whose spec changes bump metadata.generation (upstream: strategies with PrepareForUpdate). */
const generationKinds = new Set(['Pod', 'Node', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionPolicyBinding', 'MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding']);

export class ObjectStore {
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private history: HistoryEntry[] = [];
  private historyStart = 0;
  private historyBytes = 0;
  private readonly watchers = new Set<Watcher>();
  private rv = 100;
  /** Bytes of every stored object (their JSON), as etcd's database size counts them. */
  private usedBytes = 0;
  private readonly sizes = new WeakMap<KubeObject, number>();
  /** Events in the order they expire: [expiry, resourceKey, object key, uid]. */
  private readonly expiries: { at: number; key: string; objectKey: string; uid: string }[] = [];
  readonly limits: StoreLimits;
  private readonly now: () => number;

  constructor(options: { limits?: Partial<StoreLimits>; now?: () => number } = {}) {
    this.limits = { ...defaultStoreLimits, ...options.limits };
    this.now = options.now ?? Date.now;
  }

  /** Bytes held by stored objects (what the quota counts). */
  bytesUsed(): number {
    return this.usedBytes;
  }

  /**
   * Refuses an object etcd would refuse: too large, or past the quota (deletes are always allowed). The object
   * is measured with the resourceVersion it will be stored with, and that JSON text is kept (see `encoded`).
   */
  private admitSize(object: KubeObject, replacing: KubeObject | undefined): number {
    const meta = object.metadata;
    const before = meta.resourceVersion;
    meta.resourceVersion = String(this.rv + 1);
    const text = objectText(object);
    const bytes = text.length;
    const previous = replacing ? (this.sizes.get(replacing) ?? 0) : 0;
    const refusal =
      bytes > this.limits.maxObjectBytes
        ? 'etcdserver: request is too large'
        : this.usedBytes - previous + bytes > this.limits.quotaBytes
          ? 'etcdserver: mvcc: database space exceeded'
          : undefined;
    if (refusal) {
      if (before === undefined) delete meta.resourceVersion;
      else meta.resourceVersion = before;
      throw etcdError(refusal);
    }
    this.rv++;
    this.texts.set(object, text);
    return bytes;
  }

  /**
   * The JSON text of a stored object (stored objects never change in place), or undefined for any other object:
   * a large object is serialized once, when it is stored, not again for each answer or watcher.
   */
  encoded(object: unknown): string | undefined {
    return typeof object === 'object' && object !== null ? this.texts.get(object as KubeObject) : undefined;
  }
  private readonly texts = new WeakMap<KubeObject, string>();

  private account(object: KubeObject, bytes: number, replacing: KubeObject | undefined): void {
    this.usedBytes += bytes - (replacing ? (this.sizes.get(replacing) ?? 0) : 0);
    this.sizes.set(object, bytes);
  }

  private release(object: KubeObject): void {
    this.usedBytes -= this.sizes.get(object) ?? 0;
  }

  /** Removes events past their TTL (lazily, on every write and read of events). */
  private expireEvents(): void {
    const now = this.now();
    while (this.expiries.length > 0 && this.expiries[0]!.at <= now) {
      const due = this.expiries.shift()!;
      const bucket = this.objects.get(due.key);
      const current = bucket?.get(due.objectKey);
      if (!bucket || !current || current.metadata.uid !== due.uid) continue;
      // A later write of the same event moved its expiry (it has a newer entry in the queue).
      const expiresAt = this.eventExpiry.get(current) ?? 0;
      if (expiresAt > now) continue;
      bucket.delete(due.objectKey);
      this.release(current);
      const gone = clone(current);
      gone.metadata.resourceVersion = String(++this.rv);
      this.emitKey(due.key, { type: 'DELETED', object: gone });
    }
  }
  private readonly eventExpiry = new WeakMap<KubeObject, number>();

  private scheduleExpiry(r: ResourceInfo, object: KubeObject): void {
    if (r.kind !== 'Event' || r.group !== '') return;
    const at = this.now() + this.limits.eventTtlMs;
    this.eventExpiry.set(object, at);
    this.expiries.push({ at, key: resourceKey(r), objectKey: objectKey(object.metadata.namespace, object.metadata.name ?? ''), uid: object.metadata.uid ?? '' });
  }

  /** The newest resourceVersion handed out, as a string (what list metadata carries). */
  resourceVersion(): string {
    return String(this.rv);
  }

  private bucket(r: ResourceInfo): Map<string, KubeObject> {
    if (this.expiries.length > 0) this.expireEvents();
    const key = resourceKey(r);
    let map = this.objects.get(key);
    if (!map) {
      map = new Map();
      this.objects.set(key, map);
    }
    return map;
  }

  /** A copy of the object; with `shared`, the stored object itself, for callers that only read it (never change it). */
  get(r: ResourceInfo, namespace: string | undefined, name: string, options: { shared?: boolean } = {}): KubeObject | undefined {
    const found = this.bucket(r).get(objectKey(r.namespaced ? namespace : undefined, name));
    return found ? (options.shared ? found : clone(found)) : undefined;
  }

  /** Like get, but a missing object is upstream's NotFound. */
  mustGet(r: ResourceInfo, namespace: string | undefined, name: string, options: { shared?: boolean } = {}): KubeObject {
    const found = this.get(r, namespace, name, options);
    if (!found) throw newNotFound(qualified(r), name);
    return found;
  }

  /** Objects in name order (namespace, then name); `filter` sees the stored object and must not change it. */
  list(r: ResourceInfo, namespace?: string, filter?: (object: KubeObject) => boolean, options: { shared?: boolean } = {}): { items: KubeObject[]; resourceVersion: string } {
    const items: KubeObject[] = [];
    for (const object of this.bucket(r).values()) {
      if (namespace !== undefined && r.namespaced && object.metadata.namespace !== namespace) continue;
      if (filter && !filter(object)) continue;
      items.push(options.shared ? object : clone(object));
    }
    items.sort((a, b) => objectKey(a.metadata.namespace, a.metadata.name ?? '').localeCompare(objectKey(b.metadata.namespace, b.metadata.name ?? '')));
    return { items, resourceVersion: this.resourceVersion() };
  }

  /** Stores a new object; fills uid, resourceVersion, creationTimestamp, generation. With dryRun, returns what would be stored. */
  /**
   * `owned`: the caller hands the input over and never touches it again (no copy is made). `shared`: the answer
   * is the stored object itself, for callers that only serialize it.
   */
  create(r: ResourceInfo, input: KubeObject, options: { dryRun?: boolean; owned?: boolean; shared?: boolean } = {}): KubeObject {
    const object = options.owned ? input : clone(input);
    const meta = object.metadata;
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
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
    const bytes = this.admitSize(object, undefined); // sets the resourceVersion
    bucket.set(key, object);
    this.account(object, bytes, undefined);
    this.scheduleExpiry(r, object);
    this.emit(r, { type: 'ADDED', object }, bytes);
    return options.shared ? object : clone(object);
  }

  /**
   * Replaces an existing object. A resourceVersion in the input that is not the stored one is
   * upstream's 409 Conflict; an absent one means "unconditional" (as upstream allows for most kinds).
   */
  update(r: ResourceInfo, input: KubeObject, options: { dryRun?: boolean; owned?: boolean; shared?: boolean } = {}): KubeObject {
    const object = options.owned ? input : clone(input);
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
      const specChanged = !jsonEqual(object['spec'], current['spec']);
      meta.generation = (current.metadata.generation ?? 1) + (specChanged ? 1 : 0);
    }
    if (jsonEqual(withoutRv(object), withoutRv(current))) {
      // A no-op update keeps the resourceVersion and sends no watch event (as etcd3's GuaranteedUpdate).
      return options.shared ? current : clone(current);
    }
    if (options.dryRun) {
      meta.resourceVersion = current.metadata.resourceVersion;
      return object;
    }
    const bytes = this.admitSize(object, current); // sets the resourceVersion
    bucket.set(key, object);
    this.account(object, bytes, current);
    this.scheduleExpiry(r, object);
    this.emit(r, { type: 'MODIFIED', object }, bytes);
    return options.shared ? object : clone(object);
  }

  /**
   * Read-modify-write without a conflict check: for trusted in-process writers (kubelet status, events). `change`
   * gets a copy that shares what it does not write: it may set any field of the object and of its metadata and
   * spec, and change status as deeply as it likes; anything deeper in metadata or spec it replaces, never edits,
   * and an object it puts there (outside status) becomes the store's: the caller must not edit it afterwards.
   * So a status write costs the status, not the object (a tenant's pod with 1.4 MiB of labels included), and the
   * no-op check finds the shared parts equal at once. The answer is the stored object: read it, never change it.
   */
  mutate(r: ResourceInfo, namespace: string | undefined, name: string, change: (object: KubeObject) => void): KubeObject {
    const stored = this.mustGet(r, namespace, name, { shared: true });
    const object: KubeObject = { ...stored, metadata: { ...stored.metadata } };
    if (isRecord(stored['spec'])) object['spec'] = { ...stored['spec'] };
    if (stored['status'] !== undefined) object['status'] = clone(stored['status']);
    change(object);
    // and what change put in status may still be the caller's (a kubelet's container records): the store keeps its own
    if (object['status'] !== undefined) object['status'] = clone(object['status']);
    object.metadata.resourceVersion = undefined;
    delete object.metadata.resourceVersion;
    return this.update(r, object, { owned: true, shared: true });
  }

  /** `shared`: the answer shares all but its metadata with the stored (immutable) object, for callers that only serialize it. */
  delete(r: ResourceInfo, namespace: string | undefined, name: string, options: { dryRun?: boolean; resourceVersion?: string; uid?: string; shared?: boolean } = {}): KubeObject {
    const bucket = this.bucket(r);
    const key = objectKey(r.namespaced ? namespace : undefined, name);
    const current = bucket.get(key);
    if (!current) throw newNotFound(qualified(r), name);
    if (options.resourceVersion && options.resourceVersion !== current.metadata.resourceVersion) {
      throw newConflict(
        qualified(r),
        name,
        `Precondition failed: ResourceVersion in precondition: ${options.resourceVersion}, ResourceVersion in object meta: ${current.metadata.resourceVersion}`,
      );
    }
    if (options.uid && options.uid !== current.metadata.uid) {
      throw newConflict(qualified(r), name, `Precondition failed: UID in precondition: ${options.uid}, UID in object meta: ${current.metadata.uid}`);
    }
    if (options.dryRun) return clone(current);
    bucket.delete(key);
    this.release(current);
    // The DELETED event carries the last state with a new resourceVersion; everything but metadata is shared.
    const object: KubeObject = { ...current, metadata: { ...current.metadata, resourceVersion: String(++this.rv) } };
    this.emit(r, { type: 'DELETED', object }, this.sizes.get(current) ?? 0);
    return options.shared ? { ...object, metadata: { ...object.metadata } } : clone(object);
  }

  /**
   * Streams changes to `send` until the returned function is called. Throws 410 Gone when asked to
   * resume from a resourceVersion older than the kept history.
   */
  watch(r: ResourceInfo, options: WatchOptions, send: (event: WatchEvent) => void): () => void {
    const key = resourceKey(r);
    const matches = (object: KubeObject): boolean =>
      (options.namespace === undefined || !r.namespaced || object.metadata.namespace === options.namespace) && (options.filter === undefined || options.filter(object));
    const from = options.resourceVersion;
    const backlog: WatchEvent[] = [];
    if (from === undefined || from === '' || from === '0') {
      for (const object of this.list(r, options.namespace, matches).items) backlog.push({ type: 'ADDED', object });
    } else {
      const since = Number(from);
      if (!Number.isInteger(since) || since < 0) throw tooOldResourceVersion(`too old resource version: ${from} (${this.rv})`);
      this.compact();
      const oldest = this.history[this.historyStart]?.rv ?? this.rv + 1;
      if (since < oldest - 1 && since < this.rv) throw tooOldResourceVersion(`too old resource version: ${from} (${oldest - 1})`);
      for (let i = this.historyStart; i < this.history.length; i++) {
        const entry = this.history[i]!;
        if (entry.rv > since && entry.resourceKey === key && matches(entry.event.object)) backlog.push(options.shared ? entry.event : clone(entry.event));
      }
    }
    const watcher: Watcher = {
      resourceKey: key,
      options,
      send: (event) => {
        if (matches(event.object)) send(options.shared ? event : clone(event));
      },
    };
    for (const event of backlog) send(event);
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }

  private emit(r: ResourceInfo, event: WatchEvent, bytes: number): void {
    this.emitKey(resourceKey(r), event, bytes);
  }

  /**
   * Drops history as etcd compaction does: past the entry and byte limits, and everything older than the
   * compaction interval. A watch from a compacted resourceVersion then gets 410 Expired.
   */
  private compact(): void {
    const cutoff = this.now() - this.limits.compactionIntervalMs;
    while (
      this.historyStart < this.history.length &&
      (this.history.length - this.historyStart > historyLimit || this.historyBytes > this.limits.historyBytes || this.history[this.historyStart]!.at < cutoff)
    ) {
      this.historyBytes -= this.history[this.historyStart]!.bytes;
      // Let the dropped entry (and an object only it holds) be collected now, not when the array is cut.
      this.history[this.historyStart] = undefined as unknown as HistoryEntry;
      this.historyStart++;
    }
    if (this.historyStart > 1024 && this.historyStart * 2 > this.history.length) {
      this.history = this.history.slice(this.historyStart);
      this.historyStart = 0;
    }
  }

  private emitKey(key: string, event: WatchEvent, bytes = 0): void {
    this.history.push({ rv: this.rv, resourceKey: key, event, bytes, at: this.now() });
    this.historyBytes += bytes;
    this.compact();
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

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function withoutRv(object: KubeObject): KubeObject {
  const { resourceVersion: _rv, ...metadata } = object.metadata;
  return { ...object, metadata };
}

// names.SimpleNameGenerator (apiserver/pkg/storage/names): up to 58 characters of the base, then 5 from an
// alphabet without vowels or look-alikes.
const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
export function generateName(base: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) suffix += alphabet[Math.floor(Math.random() * alphabet.length)];
  return `${base.length > 58 ? base.slice(0, 58) : base}${suffix}`;
}

/** NewResourceExpired (apimachinery errors.go), 410 Expired: what etcd3's watch answers for a compacted revision. */
function tooOldResourceVersion(message: string): StatusError {
  return new StatusError({ code: 410, reason: 'Expired', message });
}
