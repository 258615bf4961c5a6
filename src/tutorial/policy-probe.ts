// Chapter 6's evidence: the learner's ValidatingAdmissionPolicies (as the cluster admin lists them) and what the
// lab's API server answers, right now, to server-side dry runs (dryRun=All: admission runs, nothing is stored) of
// the three ways Admin2 reaches the cached image (a container, an init container, a `kubectl debug` container)
// and of Admin1's compliant pod. A policy that exists but does not hold leaves the probes allowed.
import { AdmissionregistrationV1Api, ApiException, CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import type { LabInfo } from '../lab/backend.js';

export interface PolicyFacts {
  uid: string;
  name: string;
  /** metadata.creationTimestamp in ms since the epoch (whole seconds). */
  created: number;
}

/** The API server's answer to one dry run: admitted, or refused with its message. */
export interface ProbeOutcome {
  allowed: boolean;
  message: string;
}

export interface PolicyProbes {
  admin2Container: ProbeOutcome;
  admin2InitContainer: ProbeOutcome;
  /** Undefined while Admin2 has no pod to attach a debug container to. */
  admin2EphemeralContainer: ProbeOutcome | undefined;
  admin1Always: ProbeOutcome;
}

const DRY_RUN = 'All';
const PROBE = 'image-heist-policy-probe';

function as(kubeconfig: string, context: string): KubeConfig {
  const config = new KubeConfig();
  config.loadFromFile(kubeconfig);
  config.setCurrentContext(context);
  return config;
}

async function outcome(call: () => Promise<unknown>): Promise<ProbeOutcome> {
  try {
    await call();
    return { allowed: true, message: '' };
  } catch (error) {
    if (!(error instanceof ApiException)) throw error;
    const body = (typeof error.body === 'string' ? safeJson(error.body) : error.body) as { message?: string } | undefined;
    return { allowed: false, message: body?.message ?? String(error.body) };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}

/** The lab's VAPs, and the probes when there is at least one (no policy: nothing to probe, no requests). */
export async function readPolicyEvidence(info: LabInfo, admin2Pods: readonly V1Pod[]): Promise<{ policies: PolicyFacts[]; probes?: PolicyProbes }> {
  const list = await as(info.kubeconfig, 'admin').makeApiClient(AdmissionregistrationV1Api).listValidatingAdmissionPolicy();
  const policies = list.items.map((p) => ({
    uid: p.metadata?.uid ?? '',
    name: p.metadata?.name ?? '',
    created: p.metadata?.creationTimestamp ? new Date(p.metadata.creationTimestamp).getTime() : 0,
  }));
  if (policies.length === 0) return { policies };
  return { policies, probes: await policyProbes(info, admin2Pods) };
}

/** The dry runs, as Admin2 and Admin1 through the lab's API server (its admission chain decides). */
export async function policyProbes(info: LabInfo, admin2Pods: readonly V1Pod[]): Promise<PolicyProbes> {
  const admin1 = as(info.kubeconfig, 'admin1').makeApiClient(CoreV1Api);
  const admin2 = as(info.kubeconfig, 'admin2').makeApiClient(CoreV1Api);
  const secret = info.images.secret;
  const ns2 = info.tenants.admin2.namespace;
  const ns1 = info.tenants.admin1.namespace;
  const pod = (name: string, spec: V1Pod['spec']): V1Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec });
  const target = admin2Pods.find((p) => p.metadata?.name && !p.metadata.deletionTimestamp);
  const [admin2Container, admin2InitContainer, admin2EphemeralContainer, admin1Always] = await Promise.all([
    outcome(() =>
      admin2.createNamespacedPod({ namespace: ns2, dryRun: DRY_RUN, body: pod(PROBE, { containers: [{ name: 'app', image: secret, imagePullPolicy: 'IfNotPresent' }] }) }),
    ),
    outcome(() =>
      admin2.createNamespacedPod({
        namespace: ns2,
        dryRun: DRY_RUN,
        body: pod(PROBE, {
          initContainers: [{ name: 'peek', image: secret, imagePullPolicy: 'IfNotPresent' }],
          containers: [{ name: 'app', image: secret, imagePullPolicy: 'Always' }],
        }),
      }),
    ),
    target
      ? outcome(() => {
          const spec = target.spec!;
          const name = `${PROBE}-${Date.now().toString(36)}`;
          const body: V1Pod = {
            ...target,
            spec: { ...spec, ephemeralContainers: [...(spec.ephemeralContainers ?? []), { name, image: secret, imagePullPolicy: 'IfNotPresent' }] },
          };
          return admin2.replaceNamespacedPodEphemeralcontainers({ namespace: ns2, name: target.metadata!.name!, dryRun: DRY_RUN, body });
        })
      : Promise.resolve(undefined),
    outcome(() =>
      admin1.createNamespacedPod({
        namespace: ns1,
        dryRun: DRY_RUN,
        body: pod(PROBE, { imagePullSecrets: [{ name: info.tenants.admin1.pullSecret }], containers: [{ name: 'app', image: secret, imagePullPolicy: 'Always' }] }),
      }),
    ),
  ]);
  return { admin2Container, admin2InitContainer, admin2EphemeralContainer, admin1Always };
}
