// What the workshop app draws, reduced from the engine's events (and a few of the app's own): a pure
// function, so the screen's state is tested without a terminal and the same events always draw the same screen.
import type { LabProgress } from '../lab/backend.js';
import type { ProfileName } from '../lab/profiles.js';
import type { EngineEvent, PublicLabInfo } from '../scenario/events.js';
import type { ObservedEvent, ScenarioResult, StepResult } from '../scenario/results.js';
import type { Scenario } from '../scenario/schema.js';

/** How many kubelet events a panel keeps: the latest ones are what a room reads. */
const KEPT_EVENTS = 12;

export interface PodView {
  namespace: string;
  name: string;
  node?: string;
  status: string;
}

export interface EventView extends ObservedEvent {
  namespace: string;
  pod: string;
}

/** A write the API server refused: the admission rejection (or RBAC's forbidden) that blocks a pod. */
export interface RefusalView {
  actor: string;
  verb: string;
  resource: string;
  name?: string;
  code: number;
  reason?: string;
  message?: string;
}

export type LabPhase = { kind: 'starting'; progress: LabProgress[] } | { kind: 'ready'; lab: PublicLabInfo } | { kind: 'failed'; message: string };

/** One cluster (one profile) as its panel shows it. */
export interface PanelState {
  profile: ProfileName;
  phase: LabPhase;
  nodeImages: Record<string, string[]>;
  pods: PodView[];
  events: EventView[];
  refusals: RefusalView[];
  /** What the engine is doing right now on this cluster, one line. */
  activity?: string;
  /** The API request in flight, so a refusal can name what it refused. */
  request?: { verb: string; resource: string; name?: string };
  /** The step running on this cluster, by index. */
  running?: number;
  steps: StepResult[];
  verdict?: ScenarioResult;
  /** A step or the lab failed: shown in the panel, never a crash. */
  error?: string;
}

export interface PlayState {
  scenario?: Scenario;
  panels: PanelState[];
  /** Auto-play: the next step follows by itself. */
  auto: boolean;
  /** Something the whole app waits for (stopping the labs, resetting), shown in the footer. */
  busy?: string;
  /** Every lab has stopped (after q): the last frame says so instead of "stopping…". */
  stopped?: boolean;
}

/** The app's own actions, beside the engine's events. */
export type AppAction =
  | { type: 'scenario-chosen'; scenario: Scenario | undefined }
  | { type: 'node-images'; profile: ProfileName; images: Record<string, string[]> }
  | { type: 'lab-failed'; profile: ProfileName; message: string }
  | { type: 'step-failed'; profile: ProfileName; message: string }
  | { type: 'panel-cleared'; profile: ProfileName }
  | { type: 'auto'; on: boolean }
  | { type: 'busy'; what: string | undefined }
  | { type: 'stopped' };

export type PlayAction = EngineEvent | AppAction;

export function initialPlayState(profiles: readonly ProfileName[]): PlayState {
  return { panels: profiles.map(emptyPanel), auto: false };
}

function emptyPanel(profile: ProfileName): PanelState {
  return { profile, phase: { kind: 'starting', progress: [] }, nodeImages: {}, pods: [], events: [], refusals: [], steps: [] };
}

/** The pods, events and results of a run, cleared; the lab itself stays as it is. */
function clearedRun(panel: PanelState): PanelState {
  return { ...panel, pods: [], events: [], refusals: [], steps: [], activity: undefined, running: undefined, verdict: undefined, error: undefined };
}

export function reducePlay(state: PlayState, action: PlayAction): PlayState {
  switch (action.type) {
    case 'scenario-chosen':
      return { ...state, scenario: action.scenario, auto: false, panels: state.panels.map(clearedRun) };
    case 'auto':
      return { ...state, auto: action.on };
    case 'busy':
      return { ...state, busy: action.what };
    case 'stopped':
      return { ...state, busy: undefined, auto: false, stopped: true };
    default:
      if (!('profile' in action)) return state;
      return { ...state, panels: state.panels.map((p) => (p.profile === action.profile ? reducePanel(p, action) : p)) };
  }
}

function reducePanel(panel: PanelState, action: PlayAction): PanelState {
  switch (action.type) {
    case 'lab-starting':
      return { ...panel, phase: { kind: 'starting', progress: [] }, error: undefined };
    case 'lab-progress': {
      if (panel.phase.kind !== 'starting') return panel;
      // one line per action: a "done" replaces its "started"
      const progress = [...panel.phase.progress.filter((p) => p.action !== action.progress.action), action.progress];
      return { ...panel, phase: { kind: 'starting', progress } };
    }
    case 'lab-ready':
      return { ...panel, phase: { kind: 'ready', lab: action.lab }, nodeImages: Object.fromEntries(action.lab.nodes.map((n) => [n, []])) };
    case 'lab-failed':
      return { ...panel, phase: { kind: 'failed', message: action.message }, running: undefined, activity: undefined };
    case 'step-started':
      return { ...panel, running: action.index, activity: `${action.actor}: ${action.stepId}`, error: undefined };
    case 'api-request': {
      const target = [action.namespace, action.name].filter(Boolean).join('/');
      const request = { verb: action.verb, resource: action.resource, name: action.name };
      return { ...panel, request, activity: `${action.actor}: ${action.verb} ${action.resource}${target ? ` ${target}` : ''}` };
    }
    case 'api-response': {
      if (action.code < 400) return { ...panel, activity: `${panel.activity ?? action.actor} → ${action.code}` };
      const request = panel.request ?? { verb: '', resource: '' };
      const refusal: RefusalView = { actor: action.actor, ...request, code: action.code, reason: action.reason, message: action.message };
      return { ...panel, refusals: [...panel.refusals, refusal], activity: `${panel.activity ?? action.actor} → ${action.code} ${action.reason ?? ''}`.trimEnd() };
    }
    case 'lab-operation':
      return { ...panel, activity: `admin: ${action.operation}` };
    case 'pod-status': {
      const pod: PodView = { namespace: action.namespace, name: action.pod, node: action.node, status: action.status };
      const known = panel.pods.some((p) => p.namespace === pod.namespace && p.name === pod.name);
      if (pod.status === 'NotFound') return { ...panel, pods: panel.pods.filter((p) => !(p.namespace === pod.namespace && p.name === pod.name)) };
      const pods = known ? panel.pods.map((p) => (p.namespace === pod.namespace && p.name === pod.name ? { ...pod, node: pod.node ?? p.node } : p)) : [...panel.pods, pod];
      return { ...panel, pods };
    }
    case 'kubelet-event':
      return { ...panel, events: [...panel.events, { namespace: action.namespace, pod: action.pod, ...action.event }].slice(-KEPT_EVENTS) };
    case 'step-finished': {
      const steps = [...panel.steps, action.result];
      // a deleted pod is gone from the cluster: the engine does not read it again, so drop it here
      return { ...panel, steps, running: undefined, activity: undefined, error: action.result.error ?? panel.error };
    }
    case 'step-failed':
      return { ...panel, running: undefined, activity: undefined, error: action.message };
    case 'verdict':
      return { ...panel, verdict: action.result };
    case 'node-images':
      return { ...panel, nodeImages: action.images };
    case 'panel-cleared':
      return clearedRun(panel);
    default:
      return panel;
  }
}

/** The one definition of done: a scenario is chosen and every cluster has its verdict, or failed. */
export function scenarioFinished(state: PlayState): boolean {
  return state.scenario !== undefined && state.panels.every((p) => p.verdict !== undefined || p.phase.kind === 'failed' || p.error !== undefined);
}

/** The verdict as a banner says it: words and a symbol first, colour only on top. */
export type Banner =
  | { kind: 'waiting' }
  | { kind: 'bypassed'; evidence: string }
  | { kind: 'blocked'; status: string; reason: string; pullPolicy?: string }
  | { kind: 'allowed'; evidence: string }
  | { kind: 'denied'; status: string; reason: string; pullPolicy?: string }
  | { kind: 'error'; message: string };

/**
 * The verdict of a panel with its evidence: the flag line Admin2 read, or why the pod never ran — the
 * kubelet's Failed event (the registry's 401), the admission rejection, or the settled status.
 */
export function bannerFor(panel: PanelState, scenario: Scenario | undefined): Banner {
  if (panel.phase.kind === 'failed') return { kind: 'error', message: panel.phase.message };
  const result = panel.verdict;
  if (!result || !scenario) return panel.error ? { kind: 'error', message: panel.error } : { kind: 'waiting' };
  if (result.verdict === 'error') return { kind: 'error', message: result.error ?? result.evidence };
  if (result.verdict === 'bypassed' || result.verdict === 'allowed') return { kind: result.verdict, evidence: result.evidence };
  const pod = scenario.verdict.pod;
  const status = panel.pods.find((p) => p.name === pod)?.status ?? statusFromEvidence(result.evidence);
  const reason = blockReason(panel, pod);
  const pullPolicy = pullPolicyOf(panel, scenario, pod);
  return { kind: result.verdict, status, reason: reason ? bannerReason(reason) : result.evidence, ...(pullPolicy ? { pullPolicy } : {}) };
}

/** The effective imagePullPolicy of a pod, as the step that created it observed it (after admission). */
export function pullPolicyOf(panel: PanelState, scenario: Scenario, pod: string): string | undefined {
  const step = scenario.steps.find((s) => 'createPod' in s.action && s.action.createPod.manifest.metadata.name === pod);
  return panel.steps.find((r) => r.id === step?.id)?.observed.pullPolicy;
}

/**
 * A kubelet or API message, short enough for a panel: image references without the registry host, and
 * containerd's nested "failed to pull and unpack … failed to resolve reference …" prefixes dropped.
 */
export function condenseReason(message: string): string {
  return message
    .replace(/"[^"\s]*\/([^"/\s]+)"/g, '$1')
    .replace(/failed to pull and unpack image [^:\s]+(:[^:\s]+)?: /g, '')
    .replace(/failed to resolve reference [^:\s]+(:[^:\s]+)?: /g, '');
}

/** The reason a pod did not run, without what its status already says ("Failed to pull image X: "). */
function bannerReason(message: string): string {
  // containerd's stock "repository does not exist or may require authorization" hides the cause that follows it
  return condenseReason(message)
    .replace(/^Failed to pull image \S+: /, '')
    .replace(/, repository does not exist or may require authorization/, '');
}

function blockReason(panel: PanelState, pod: string): string | undefined {
  const refusal = [...panel.refusals].reverse().find((r) => r.name === pod || r.name === undefined);
  if (refusal) return `${refusal.code} ${refusal.reason ?? ''}: ${refusal.message ?? ''}`.replace(/ :/, ':').trim();
  // the kubelet's first words carry the registry's answer; later "Error: ImagePullBackOff" lines only repeat the state
  const warnings = panel.events.filter((e) => e.pod === pod && e.type === 'Warning');
  const failed = warnings.find((e) => e.reason === 'Failed' && !e.message.startsWith('Error: ')) ?? warnings.find((e) => e.reason === 'ErrImageNeverPull') ?? warnings[0];
  return failed?.message;
}

function statusFromEvidence(evidence: string): string {
  return /^[^:]+: (\S+)/.exec(evidence)?.[1]?.replace(/;$/, '') ?? '';
}
