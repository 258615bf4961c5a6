// The audit's findings, pure: what the probes observed goes in, a verdict per defence and per gap comes out,
// each with its evidence and, when unknown, the reason. No I/O here, so every rule is table-tested.
import type { VerificationPolicy } from './kubelet-config.js';

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

/** The ways a tenant can ask a node for an image it cannot pull itself. */
export const PATHS = ['containers', 'init-containers', 'never-policy', 'ephemeral-containers'] as const;
export type PathName = (typeof PATHS)[number];

/** What admission did with one server-side dry-run request. */
export type AdmissionOutcome =
  | { kind: 'allowed-as-sent'; policy: PullPolicy; warnings: string[] }
  | { kind: 'mutated'; from: PullPolicy; to: string; attribution: string }
  | { kind: 'refused'; code: number; message: string }
  | { kind: 'inconclusive'; reason: string };

export interface AdmissionProbe {
  path: PathName;
  /** The request, as a user would repeat it (method, path, dryRun). */
  probe: string;
  namespace: string;
  /** Observed: the request was sent. Inferred: no target pod, so the outcome is read from the policy inventory. */
  basis: 'observed' | 'inferred';
  /** For an inferred outcome: what it was inferred from. */
  note?: string;
  outcome: AdmissionOutcome;
}

/** One node's kubelet configuration as configz shows it, or why it could not be read. */
export type NodeKubelet =
  | { node: string; kubeletVersion?: string; read: true; gate: boolean; policy?: VerificationPolicy; allowlist: string[] }
  | { node: string; kubeletVersion?: string; read: false; reason: string };

export interface KubeletObservation {
  serverVersion?: string;
  nodes: NodeKubelet[];
  /** Why no node could be listed (forbidden, …); absent when nodes were listed. */
  nodesUnlisted?: string;
}

/** What the live attack showed for one path (`--attack` only). */
export type AttackOutcome =
  | { kind: 'bypassed'; node: string; policy: string; evidence: string }
  | { kind: 'blocked'; node: string; by: 'admission' | 'registry' | 'kubelet'; policy: string; evidence: string }
  | { kind: 'inconclusive'; reason: string };

export interface AttackObservation {
  namespaces: string[];
  containers: AttackOutcome;
  'ephemeral-containers': AttackOutcome;
  cleanedUp: boolean;
}

export type Coverage = 'yes' | 'no' | 'unknown';
export interface PolicyObject {
  api: string;
  name: string;
  /** Which pod fields (and for ephemeral containers, the subresource request) the object reaches, by a static reading. */
  covers: { containers: Coverage; initContainers: Coverage; ephemeralContainers: Coverage };
  note?: string;
}
export interface PolicySource {
  api: string;
  state: 'found' | 'none' | 'not-served' | 'forbidden' | 'error';
  detail?: string;
  objects: PolicyObject[];
}

export interface Observations {
  admission: AdmissionProbe[];
  kubelet: KubeletObservation;
  policies: PolicySource[];
  attack?: AttackObservation;
}

export type DefenceStatus = 'effective' | 'not-effective' | 'unknown';
export type GapStatus = 'open' | 'closed' | 'unknown';
export type LayerStatus = 'open' | 'closed' | 'unknown';

export const DEFENCE_IDS = ['admission-always-pull', 'kubelet-ensure-secret-pulled-images', 'admission-policies'] as const;
export type DefenceId = (typeof DEFENCE_IDS)[number];
export const GAP_IDS = [...PATHS, 'preloaded-images'] as const;
export type GapId = (typeof GAP_IDS)[number];

export interface Defence {
  id: DefenceId;
  status: DefenceStatus;
  evidence: string[];
  reason?: string;
  probe: string;
}

export interface Gap {
  id: GapId;
  status: GapStatus;
  /** Whether admission lets the request through unchanged (open) or forces/requires Always (closed). */
  admission: LayerStatus;
  /** Whether the kubelet re-verifies credentials for a cached image. */
  kubelet: DefenceStatus;
  evidence: string[];
  reason?: string;
  probe: string;
}

export type Conclusion = 'exposed' | 'protected' | 'undetermined';

export interface Findings {
  conclusion: Conclusion;
  defences: Defence[];
  gaps: Gap[];
}

export function describeOutcome(o: AdmissionOutcome): string {
  switch (o.kind) {
    case 'allowed-as-sent':
      return `admitted unchanged with imagePullPolicy ${o.policy}${o.warnings.length ? ` (warnings: ${o.warnings.join('; ')})` : ''}`;
    case 'mutated':
      return `imagePullPolicy ${o.from} was changed to ${o.to} (${o.attribution})`;
    case 'refused':
      return `refused (${o.code}): ${o.message}`;
    case 'inconclusive':
      return `inconclusive: ${o.reason}`;
  }
}

function layerOf(o: AdmissionOutcome): LayerStatus {
  if (o.kind === 'allowed-as-sent') return 'open';
  if (o.kind === 'refused') return 'closed';
  if (o.kind === 'mutated') return o.to === 'Always' ? 'closed' : 'open';
  return 'unknown';
}

const verifies = (n: Extract<NodeKubelet, { read: true }>): boolean => n.gate && n.policy !== undefined && n.policy !== 'NeverVerify';

/** The kubelet layer: configz where readable, else what the attack saw a kubelet do. */
export function kubeletDefence(k: KubeletObservation, attack?: AttackObservation): Defence {
  const evidence: string[] = [];
  const probe = 'GET /api/v1/nodes/<node>/proxy/configz';
  if (k.serverVersion) evidence.push(`API server ${k.serverVersion}${versionDefault(k.serverVersion)}`);
  for (const n of k.nodes) {
    const v = n.kubeletVersion ? ` (kubelet ${n.kubeletVersion})` : '';
    if (n.read) {
      evidence.push(
        `node ${n.node}${v}: KubeletEnsureSecretPulledImages ${n.gate ? 'on' : 'off'}` +
          (n.gate ? `, imagePullCredentialsVerificationPolicy ${n.policy ?? '(unset)'}${n.allowlist.length ? `, allowlist ${n.allowlist.join(', ')}` : ''}` : ''),
      );
    } else evidence.push(`node ${n.node}${v}: configuration not readable: ${n.reason}`);
  }
  if (k.nodesUnlisted) evidence.push(`nodes not listed: ${k.nodesUnlisted}`);
  const read = k.nodes.filter((n): n is Extract<NodeKubelet, { read: true }> => n.read);
  const weak = read.filter((n) => !verifies(n));
  if (weak.length > 0) {
    return { id: 'kubelet-ensure-secret-pulled-images', status: 'not-effective', evidence, probe };
  }
  const seen = attackOnKubelet(attack);
  if (seen) evidence.push(seen.evidence);
  if (seen?.status === 'not-effective') return { id: 'kubelet-ensure-secret-pulled-images', status: 'not-effective', evidence, probe };
  if (read.length > 0 && read.length === k.nodes.length && !k.nodesUnlisted) {
    return { id: 'kubelet-ensure-secret-pulled-images', status: 'effective', evidence, probe };
  }
  if (seen?.status === 'effective') return { id: 'kubelet-ensure-secret-pulled-images', status: 'effective', evidence, probe };
  const why = k.nodes.find((n): n is Extract<NodeKubelet, { read: false }> => !n.read)?.reason ?? k.nodesUnlisted ?? 'no node found';
  return {
    id: 'kubelet-ensure-secret-pulled-images',
    status: 'unknown',
    evidence,
    probe,
    reason: `the kubelet configuration could not be read (${why}); run with --attack to see what a kubelet does`,
  };
}

/** A pull the attack asked for with IfNotPresent tells what that node's kubelet does with a cached image. */
function attackOnKubelet(attack?: AttackObservation): { status: DefenceStatus; evidence: string } | undefined {
  if (!attack) return undefined;
  for (const path of ['containers', 'ephemeral-containers'] as const) {
    const o = attack[path];
    if (o.kind === 'bypassed' && o.policy !== 'Always') {
      return { status: 'not-effective', evidence: `attack (${path}): node ${o.node} ran the cached image for a pod without the pull secret (imagePullPolicy ${o.policy})` };
    }
  }
  for (const path of ['containers', 'ephemeral-containers'] as const) {
    const o = attack[path];
    if (o.kind === 'blocked' && o.by === 'kubelet') {
      return { status: 'effective', evidence: `attack (${path}): node ${o.node} refused the cached image without credentials (imagePullPolicy ${o.policy}): ${o.evidence}` };
    }
  }
  return undefined;
}

/** Upstream's feature gate history (pkg/features/kube_features.go): alpha off in 1.33, beta on since 1.35. */
export function versionDefault(version: string): string {
  const m = /^v?(\d+)\.(\d+)/.exec(version);
  if (!m) return '';
  const minor = Number(m[1]) === 1 ? Number(m[2]) : 99;
  if (minor >= 35) return ': KubeletEnsureSecretPulledImages is on by default (NeverVerifyPreloadedImages) unless a kubelet turns it off';
  if (minor >= 33) return ': KubeletEnsureSecretPulledImages exists but is off by default (alpha)';
  return ': KubeletEnsureSecretPulledImages does not exist (kubelets share their image cache)';
}

function admissionDefence(probes: AdmissionProbe[]): Defence {
  const relevant = probes.filter((p) => p.path !== 'ephemeral-containers');
  const evidence = relevant.map((p) => `${p.path}: ${describeOutcome(p.outcome)}`);
  const probe = relevant[0]?.probe ?? 'dryRun=All POST /api/v1/namespaces/<ns>/pods';
  const layers = relevant.map((p) => layerOf(p.outcome));
  if (layers.length > 0 && layers.every((l) => l === 'closed')) return { id: 'admission-always-pull', status: 'effective', evidence, probe };
  if (layers.some((l) => l === 'open')) return { id: 'admission-always-pull', status: 'not-effective', evidence, probe };
  const reason = relevant.find((p) => p.outcome.kind === 'inconclusive');
  return {
    id: 'admission-always-pull',
    status: 'unknown',
    evidence,
    probe,
    reason: reason?.outcome.kind === 'inconclusive' ? reason.outcome.reason : 'no pod-create probe could be sent',
  };
}

function policiesDefence(sources: PolicySource[]): Defence {
  const evidence: string[] = [];
  for (const s of sources) {
    for (const o of s.objects)
      evidence.push(
        `${o.api} ${o.name}: containers ${o.covers.containers}, initContainers ${o.covers.initContainers}, pods/ephemeralcontainers ${o.covers.ephemeralContainers}${o.note ? ` (${o.note})` : ''}`,
      );
    if (s.state === 'forbidden' || s.state === 'error') evidence.push(`${s.api}: ${s.state}${s.detail ? ` (${s.detail})` : ''}`);
  }
  // the empty and unserved APIs in one line each, so the inventory stays readable
  for (const [state, label] of [
    ['none', 'none found'],
    ['not-served', 'API not served'],
  ] as const) {
    const apis = sources.filter((s) => s.state === state).map((s) => s.api);
    if (apis.length) evidence.push(`${label}: ${apis.join(', ')}`);
  }
  const probe = 'GET /apis (discovery), then list each policy API';
  const objects = sources.flatMap((s) => s.objects);
  // several objects together may cover the three lists (Gatekeeper needs one Assign per list)
  const full = (['containers', 'initContainers', 'ephemeralContainers'] as const).every((f) => objects.some((o) => o.covers[f] === 'yes'));
  if (full) return { id: 'admission-policies', status: 'effective', evidence, probe };
  const complete = sources.every((s) => s.state === 'found' || s.state === 'none' || s.state === 'not-served');
  const unsure = objects.some((o) => Object.values(o.covers).includes('unknown'));
  if (complete && !unsure) return { id: 'admission-policies', status: 'not-effective', evidence, probe };
  const blind = sources.filter((s) => s.state === 'forbidden' || s.state === 'error').map((s) => `${s.api}: ${s.state}${s.detail ? ` (${s.detail})` : ''}`);
  return {
    id: 'admission-policies',
    status: 'unknown',
    evidence,
    probe,
    reason: blind.length ? `not every policy API could be read: ${blind.join('; ')}` : 'a policy may cover these fields; its reading is not conclusive (see the dry-run probes)',
  };
}

/** For the preloaded-images gap the kubelet's policy matters, not just whether it verifies at all. */
function preloadedLayer(k: KubeletObservation, kubelet: Defence): { status: DefenceStatus; evidence: string } {
  const read = k.nodes.filter((n): n is Extract<NodeKubelet, { read: true }> => n.read);
  if (kubelet.status === 'not-effective') return { status: 'not-effective', evidence: 'a kubelet that does not verify cached images does not verify preloaded ones either' };
  if (read.length > 0 && read.length === k.nodes.length && !k.nodesUnlisted) {
    const all = read.every((n) => n.gate && n.policy === 'AlwaysVerify');
    return all
      ? { status: 'effective', evidence: 'every kubelet has AlwaysVerify: preloaded images are verified too' }
      : {
          status: 'not-effective',
          evidence:
            'a kubelet with NeverVerifyPreloadedImages or NeverVerifyAllowlistedImages runs images preloaded outside the kubelet (kind load, node images) without credentials',
        };
  }
  return {
    status: 'unknown',
    evidence: 'whether kubelets verify preloaded images needs their imagePullCredentialsVerificationPolicy (configz); the attack cannot preload an image',
  };
}

const GAP_PROBES: Record<GapId, string> = {
  containers: 'dryRun=All POST pods (containers, IfNotPresent)',
  'init-containers': 'dryRun=All POST pods (initContainers, IfNotPresent)',
  'never-policy': 'dryRun=All POST pods (containers, Never)',
  'ephemeral-containers': 'dryRun=All PATCH pods/<pod>/ephemeralcontainers (IfNotPresent)',
  'preloaded-images': 'configz imagePullCredentialsVerificationPolicy, and the admission probes',
};

function pathGap(path: PathName, probes: AdmissionProbe[], kubelet: Defence, attack?: AttackObservation): Gap {
  const probe = probes.find((p) => p.path === path);
  const admission: LayerStatus = probe ? layerOf(probe.outcome) : 'unknown';
  const evidence: string[] = [];
  if (probe) evidence.push(`admission${probe.basis === 'inferred' ? ` (inferred: ${probe.note ?? 'not sent'})` : ''}: ${describeOutcome(probe.outcome)}`);
  const seen = attack && (path === 'containers' || path === 'ephemeral-containers') ? attack[path] : undefined;
  const base = { id: path, admission, kubelet: kubelet.status, probe: probe?.probe ?? GAP_PROBES[path] } as const;
  if (seen?.kind === 'bypassed') return { ...base, status: 'open', evidence: [...evidence, `attack: ${seen.evidence}`] };
  if (seen?.kind === 'blocked') return { ...base, status: 'closed', evidence: [...evidence, `attack: blocked by ${seen.by}: ${seen.evidence}`] };
  if (seen?.kind === 'inconclusive') evidence.push(`attack: inconclusive: ${seen.reason}`);
  evidence.push(`kubelet: ${kubelet.status}`);
  if (admission === 'closed') return { ...base, status: 'closed', evidence };
  if (kubelet.status === 'effective') return { ...base, status: 'closed', evidence };
  if (admission === 'open' && kubelet.status === 'not-effective') return { ...base, status: 'open', evidence };
  const reason =
    admission === 'unknown'
      ? `admission could not be probed${probe?.outcome.kind === 'inconclusive' ? `: ${probe.outcome.reason}` : ''}`
      : 'admission lets it through, and whether the kubelet re-verifies is unknown (see the kubelet defence)';
  return { ...base, status: 'unknown', evidence, reason };
}

function preloadedGap(probes: AdmissionProbe[], k: KubeletObservation, kubelet: Defence): Gap {
  const layers = PATHS.map((p) => {
    const probe = probes.find((x) => x.path === p);
    return probe ? layerOf(probe.outcome) : 'unknown';
  });
  const admission: LayerStatus = layers.every((l) => l === 'closed') ? 'closed' : layers.some((l) => l === 'open') ? 'open' : 'unknown';
  const layer = preloadedLayer(k, kubelet);
  const across = { open: 'open on at least one path', closed: 'closed on every path', unknown: 'not known on every path' }[admission];
  const evidence = [`admission: ${across}`, `kubelet: ${layer.evidence}`];
  const base = { id: 'preloaded-images', admission, kubelet: layer.status, probe: GAP_PROBES['preloaded-images'] } as const;
  if (admission === 'closed' || layer.status === 'effective') return { ...base, status: 'closed', evidence };
  if (admission === 'open' && layer.status === 'not-effective') return { ...base, status: 'open', evidence };
  return {
    ...base,
    status: 'unknown',
    evidence,
    reason: layer.status === 'unknown' ? "the kubelets' imagePullCredentialsVerificationPolicy could not be read" : 'admission could not be probed on every path',
  };
}

/** Every verdict from the observations; exit code and conclusion follow from the gaps only. */
export function evaluate(o: Observations): Findings {
  const kubelet = kubeletDefence(o.kubelet, o.attack);
  const defences = [admissionDefence(o.admission), kubelet, policiesDefence(o.policies)];
  const gaps = [...PATHS.map((p) => pathGap(p, o.admission, kubelet, o.attack)), preloadedGap(o.admission, o.kubelet, kubelet)];
  const conclusion: Conclusion = gaps.some((g) => g.status === 'open') ? 'exposed' : gaps.every((g) => g.status === 'closed') ? 'protected' : 'undetermined';
  return { conclusion, defences, gaps };
}

/** A clean audit is one where every gap was shown closed; an unknown gap is not certified. */
export function hasFindings(f: Findings): boolean {
  return f.conclusion !== 'protected';
}
