// An attendee's lab read in this process, for the board: the pods straight from the lab's store and their logs from
// its kubelets, into the same LabSnapshot the tutorial builds over HTTPS (src/tutorial/lab-snapshot.ts), so the
// tutorial's checks judge both alike. A poll of the room then costs no TLS handshake, HTTP request or JSON. Only the
// dry-run probes of chapter 6 still go through the API server (its admission chain, as each tenant), and only while
// the attendee has a ValidatingAdmissionPolicy.
import type { V1Pod } from '@kubernetes/client-node';
import type { EmbeddedLab } from '../embedded/lab.js';
import type { KubeObject } from '../embedded/apiserver/store.js';
import { findResource } from '../embedded/apiserver/resources.js';
import { policyProbes } from '../tutorial/policy-probe.js';
import { AuditRefusals, snapshotOf, type LabReader } from '../tutorial/lab-snapshot.js';
import type { LabSnapshot } from '../tutorial/tasks.js';

const podsResource = findResource('', 'v1', 'pods')!;
const policiesResource = findResource('admissionregistration.k8s.io', 'v1', 'validatingadmissionpolicies')!;
const LOG_OPTIONS = { follow: false, previous: false, timestamps: false };

/** A reader kept for one lab's life: its audit log is read on from where the last poll stopped. */
export function inProcessSnapshots(lab: EmbeddedLab, dir: string): () => Promise<LabSnapshot> {
  const store = lab.api.store;
  const nodes = new Map(lab.nodes.map((n) => [n.name, n]));
  // stored objects are the JSON the API answers; the snapshot only reads them (shared: no copy)
  const asPod = (object: unknown): V1Pod => object as V1Pod;
  const reader: LabReader = {
    pods: async (namespace) => store.list(podsResource, namespace, undefined, { shared: true }).items.map(asPod),
    async podLog(pod, container) {
      const node = nodes.get(pod.spec?.nodeName ?? '');
      if (!node) return '';
      const abort = new AbortController();
      let text = '';
      try {
        for await (const chunk of node.kubelet.containerLogs(pod as unknown as KubeObject, container, LOG_OPTIONS, abort.signal)) text += chunk;
      } catch {
        return ''; // what the HTTPS reader makes of an error answer
      } finally {
        abort.abort();
      }
      return text;
    },
    async policyEvidence(admin2Pods) {
      const policies = store.list(policiesResource, undefined, undefined, { shared: true }).items.map((p) => ({
        uid: p.metadata.uid ?? '',
        name: p.metadata.name ?? '',
        created: p.metadata.creationTimestamp ? new Date(p.metadata.creationTimestamp).getTime() : 0,
      }));
      if (policies.length === 0) return { policies };
      return { policies, probes: await policyProbes(lab.info, admin2Pods) };
    },
  };
  const refusals = lab.info.auditLog ? new AuditRefusals(lab.info.auditLog) : undefined;
  return () => snapshotOf(lab.info, dir, reader, refusals);
}
