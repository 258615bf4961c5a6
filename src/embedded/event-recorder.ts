// Writes core/v1 Events for the lab's components (kubelets, scheduler) into the API server's store, and
// aggregates repeats the way client-go's EventCorrelator does (tools/record/events_cache.go eventLogger):
// the same object, reason, message and source bump `count` and `lastTimestamp` instead of adding an event.
import { randomBytes } from 'node:crypto';
import { findResource } from './apiserver/resources.js';
import type { KubeObject, ObjectStore } from './apiserver/store.js';

const eventsResource = findResource('', 'v1', 'events')!;

export interface InvolvedObject {
  kind: string;
  apiVersion: string;
  namespace?: string;
  name: string;
  uid: string;
  resourceVersion?: string;
  /** e.g. `spec.containers{app}` for container events (kubecontainer.GenerateContainerRef). */
  fieldPath?: string;
}

export interface EventSource {
  component: string;
  host?: string;
}

/** metav1.Time: RFC 3339 with second precision. */
export function metaTime(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class EventRecorder {
  readonly #known = new Map<string, { namespace: string; name: string }>();

  constructor(
    private readonly store: ObjectStore,
    private readonly source: EventSource,
  ) {}

  /** Records one event; never throws (an event that cannot be written is dropped, as client-go's broadcaster does). */
  record(object: InvolvedObject, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const namespace = object.namespace ?? 'default';
    const key = JSON.stringify([object.uid, object.fieldPath ?? '', type, reason, message]);
    const now = metaTime();
    try {
      const known = this.#known.get(key);
      if (known && this.store.get(eventsResource, known.namespace, known.name)) {
        this.store.mutate(eventsResource, known.namespace, known.name, (event) => {
          event['count'] = Number(event['count'] ?? 1) + 1;
          event['lastTimestamp'] = now;
        });
        return;
      }
      // makeEvent (tools/record/event.go): name is <object>.<unique hex>.
      const name = `${object.name}.${randomBytes(8).toString('hex')}`;
      const event: KubeObject = {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name, namespace },
        involvedObject: { ...object },
        reason,
        message,
        source: { ...this.source },
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
        type,
        eventTime: null,
        reportingComponent: this.source.component,
        reportingInstance: this.source.host ?? '',
      };
      this.store.create(eventsResource, event);
      this.#known.set(key, { namespace, name });
    } catch {
      // the namespace may be gone with its pod; nothing to record then
    }
  }

  /** Forget aggregation state (lab reset). */
  clear(): void {
    this.#known.clear();
  }
}
