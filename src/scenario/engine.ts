// Runs scenarios on a lab: each step's action through the Kubernetes API as its actor (or through the
// Lab for what the API cannot do), then what the cluster shows, checked against the step's expectations.
// It emits typed events and returns results; it knows nothing of terminals, files or formats.
import type { V1Pod } from '@kubernetes/client-node';
import type { Lab, LabBackend, LabUser } from '../lab/backend.js';
import type { ProfileName } from '../lab/profiles.js';
import { podDisplayStatus } from '../k8s/pod-status.js';
import { scenarioPolicyManifests } from '../lab/admission-policies.js';
import { createSlots } from '../lab/turns.js';
import { ClusterClient, type ApiOutcome } from './cluster-client.js';
import { publicLabInfo, type EngineListener } from './events.js';
import { checkExpectation } from './expectations.js';
import { fillPlaceholders, labPlaceholders, namespaceOf } from './placeholders.js';
import type { Observed, ObservedEvent, ScenarioResult, StepResult, VerdictValue } from './results.js';
import { expectationFor, type Action, type Actor, type Scenario, type Step } from './schema.js';
import { EMBEDDED_TIMING, type Timing } from '../lab/timing.js';

export { EMBEDDED_TIMING, KIND_TIMING, type Timing } from '../lab/timing.js';

/** A pod still on its way: anything else is settled (running, finished, or failed with a reason). */
const UNSETTLED = /^(Pending|ContainerCreating|PodInitializing|Init:\d+\/\d+|Init:ContainerCreating|Init:PodInitializing|Terminating)$/;
const runsToCompletion = (pod?: V1Pod) => pod?.spec?.restartPolicy === 'Never' || pod?.spec?.restartPolicy === 'OnFailure';

export interface RunScenarioOptions {
  scenario: Scenario;
  profile: ProfileName;
  lab: Lab;
  emit?: EngineListener;
  timing?: Timing;
}

export async function runScenario(options: RunScenarioOptions): Promise<ScenarioResult> {
  const session = new ScenarioSession(options);
  try {
    while (!session.done) await session.nextStep();
    return await session.finish();
  } finally {
    session.close();
  }
}

export interface RunMatrixOptions {
  scenarios: Scenario[];
  profiles: ProfileName[];
  backend: LabBackend;
  emit?: EngineListener;
  /** The backend's own timing unless given. */
  timing?: Timing;
  failFast?: boolean;
  nodes?: number;
  signal?: AbortSignal;
  /** At most this many profiles' labs at once (all at once when omitted): a small Docker host cannot keep seven
   *  kind control planes healthy side by side for a whole catalogue. */
  parallelLabs?: number;
}

/**
 * Every scenario on every profile: one lab per profile, reset between scenarios so each run starts clean.
 * The profiles' labs are independent, so they run side by side; results come back in profile, then scenario order.
 */
export async function runMatrix(options: RunMatrixOptions): Promise<ScenarioResult[]> {
  const stop = new AbortController();
  const abort = () => stop.abort();
  options.signal?.addEventListener('abort', abort, { once: true });
  try {
    // after a cancel, a scenario left running against a stopping lab reports nothing more
    const emit: EngineListener | undefined = options.emit && ((event) => options.signal?.aborted || options.emit!(event));
    // a profile's error ends the run: the others stop after the scenario they are running, and every profile settles
    // (its lab stopped) before the error is thrown, so no lab still runs (or creates clusters) once the caller moves on
    const turn = options.parallelLabs ? createSlots(options.parallelLabs) : <T>(task: () => Promise<T>) => task();
    const settled = await Promise.allSettled(
      options.profiles.map((profile) =>
        turn(() =>
          runProfile(profile, { ...options, emit }, stop).catch((error: unknown) => {
            stop.abort();
            throw error;
          }),
        ),
      ),
    );
    const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) throw failed.reason;
    const results = settled.flatMap((s) => (s.status === 'fulfilled' ? s.value : []));
    if (!options.failFast) return results;
    const firstFailure = results.findIndex((r) => !r.passed);
    return firstFailure === -1 ? results : results.slice(0, firstFailure + 1);
  } finally {
    options.signal?.removeEventListener('abort', abort);
  }
}

export interface StartLabOptions {
  backend: LabBackend;
  profile: ProfileName;
  /** The scenario the events name (the first one to run), or '' before one is chosen. */
  scenario: string;
  nodes?: number;
  /** Where the lab writes its kubeconfig (a private temporary folder when omitted). */
  dir?: string;
  signal?: AbortSignal;
  emit?: EngineListener;
}

/** A lab's start, the same for `run` and `play`: lab-starting, its progress, then lab-ready. */
export async function startLab(options: StartLabOptions): Promise<Lab> {
  const where = { scenario: options.scenario, profile: options.profile };
  options.emit?.({ type: 'lab-starting', ...where });
  const lab = await options.backend.start({
    profile: options.profile,
    nodes: options.nodes,
    ...(options.dir ? { dir: options.dir } : {}),
    signal: options.signal,
    onProgress: (progress) => options.emit?.({ type: 'lab-progress', ...where, progress }),
  });
  options.emit?.({ type: 'lab-ready', ...where, lab: publicLabInfo(lab.info) });
  return lab;
}

async function runProfile(profile: ProfileName, options: RunMatrixOptions, stop: AbortController): Promise<ScenarioResult[]> {
  const results: ScenarioResult[] = [];
  let lab: Lab;
  try {
    lab = await startLab({ backend: options.backend, profile, scenario: options.scenarios[0]?.metadata.name ?? '', nodes: options.nodes, signal: stop.signal, emit: options.emit });
  } catch (error) {
    // cancelled while the lab started: no results, and not an error (the caller reports the cancel)
    if (stop.signal.aborted) return results;
    throw error;
  }
  let failure: { error: unknown } | undefined;
  try {
    for (const [i, scenario] of options.scenarios.entries()) {
      if (stop.signal.aborted) break;
      if (i > 0) await lab.reset();
      // a cancel does not wait for a scenario to settle (minutes on kind): the lab stops under it (--fail-fast lets it finish)
      const running = runScenario({ scenario, profile, lab, emit: options.emit, timing: options.timing ?? options.backend.timing });
      const result = options.signal ? await untilAborted(running, options.signal) : await running;
      if (result === undefined) break;
      results.push(result);
      // --fail-fast: the other profiles stop after the scenario they are running
      if (options.failFast && !result.passed) {
        stop.abort();
        break;
      }
    }
  } catch (error) {
    failure = { error };
  }
  // a lab that also fails to stop must not hide why the run failed: the run's error wins, the stop's is attached
  try {
    await lab.stop();
  } catch (stopError) {
    if (!failure) throw stopError;
    (failure.error as { stopError?: unknown }).stopError ??= stopError;
  }
  if (failure) throw failure.error;
  return results;
}

/** The promise's value, or undefined as soon as the signal aborts (the promise's later failure is ignored). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.resolve(undefined);
  }
  let onAbort!: () => void;
  const aborted = new Promise<undefined>((resolve) => {
    onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
  });
  promise.catch(() => undefined);
  return Promise.race([promise, aborted]).finally(() => signal.removeEventListener('abort', onAbort));
}

/**
 * One scenario on one lab, a step at a time: the workshop app advances it on a key press, `run` in a loop.
 * Steps run in order; `finish()` reads the verdict once every step ran.
 */
export class ScenarioSession {
  readonly scenario: Scenario;
  readonly profile: ProfileName;
  private readonly lab: Lab;
  private readonly emit: EngineListener;
  private readonly timing: Timing;
  private readonly clients = new Map<LabUser, ClusterClient>();
  /** Where each pod was scheduled, for `{{ nodeOf.POD }}`. */
  private readonly podNodes = new Map<string, string>();
  private readonly seenEvents = new Set<string>();
  private readonly results: StepResult[] = [];
  private readonly started = performance.now();
  private stepId = '';
  private eventReads: Promise<void> = Promise.resolve();

  constructor(options: RunScenarioOptions) {
    this.scenario = options.scenario;
    this.profile = options.profile;
    this.lab = options.lab;
    this.emit = options.emit ?? (() => {});
    this.timing = options.timing ?? EMBEDDED_TIMING;
  }

  /** How many steps have run. */
  get position(): number {
    return this.results.length;
  }

  get done(): boolean {
    return this.results.length >= this.scenario.steps.length;
  }

  get stepResults(): readonly StepResult[] {
    return this.results;
  }

  /** Runs the next step and returns what it observed. */
  async nextStep(): Promise<StepResult> {
    const index = this.results.length;
    const step = this.scenario.steps[index];
    if (!step) throw new Error(`scenario ${this.scenario.metadata.name} has no step ${index + 1}`);
    const where = { scenario: this.scenario.metadata.name, profile: this.profile };
    this.stepId = step.id;
    this.emit({ type: 'step-started', ...where, stepId: step.id, index, actor: step.actor });
    const result = await this.runStep(step);
    this.results.push(result);
    this.emit({ type: 'step-finished', ...where, result });
    return result;
  }

  /** Closes the session's connections to the API server; the lab itself stays up. */
  close(): void {
    for (const client of this.clients.values()) client.close();
    this.clients.clear();
  }

  /** Resets the lab and plays the steps that already ran again, so the last one can be watched once more. */
  async replay(): Promise<void> {
    const count = this.results.length;
    await this.restart();
    while (this.results.length < count) await this.nextStep();
  }

  /** Back to before the first step, on a reset lab. */
  async restart(): Promise<void> {
    await this.lab.reset();
    this.results.length = 0;
    this.podNodes.clear();
    this.seenEvents.clear();
  }

  /** The verdict and the whole result; steps that did not run count as failed. */
  async finish(): Promise<ScenarioResult> {
    const where = { scenario: this.scenario.metadata.name, profile: this.profile };
    const steps = [...this.results];
    const { verdict, evidence } = await this.verdict();
    const expectedVerdict = this.scenario.verdict.expected[this.profile];
    const result: ScenarioResult = {
      scenario: this.scenario.metadata.name,
      profile: this.profile,
      verdict,
      expectedVerdict,
      passed: this.done && verdict === expectedVerdict && steps.every((s) => s.passed),
      steps,
      evidence,
      durationMs: Math.round(performance.now() - this.started),
    };
    this.emit({ type: 'verdict', ...where, result });
    return result;
  }

  private async runStep(step: Step): Promise<StepResult> {
    const applied = fillPlaceholders(step.action, (name) => this.placeholder(name, step.actor) ?? `{{ ${name} }}`);
    let observed: Observed;
    try {
      observed = await this.perform(step.actor, step.action);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { id: step.id, passed: false, observed: {}, checks: [], applied, error: message };
    }
    const expectation = expectationFor(step, this.profile);
    const checks = expectation ? checkExpectation(expectation, observed) : [];
    for (const check of checks) {
      this.emit({ type: 'expectation-checked', scenario: this.scenario.metadata.name, profile: this.profile, stepId: step.id, check });
    }
    return { id: step.id, passed: checks.every((c) => c.passed), observed, checks, applied };
  }

  private async perform(actor: Actor, action: Action): Promise<Observed> {
    const ns = this.namespaceOf(actor);
    const fill = <T>(value: T): T => fillPlaceholders(value, (name) => this.placeholder(name, actor));
    if ('createPod' in action) {
      const manifest = fill(action.createPod.manifest) as V1Pod;
      const name = manifest.metadata!.name!;
      const created = await this.api(actor, 'create', 'pods', ns, name, () => this.client(actor).createPod(ns, manifest));
      if (!created.ok) return refused(created);
      const containers = [...(created.object.spec?.initContainers ?? []), ...(created.object.spec?.containers ?? [])];
      return { admission: 'allowed', pullPolicy: samePolicy(containers.map((c) => c.imagePullPolicy)), ...(await this.observePod(actor, ns, name, { kind: 'pod' })) };
    }
    if ('addEphemeralContainer' in action) {
      const { pod, container } = action.addEphemeralContainer;
      const filled = fill(container);
      const updated = await this.api(actor, 'update', 'pods/ephemeralcontainers', ns, pod, () => this.client(actor).addEphemeralContainer(ns, pod, filled));
      if (!updated.ok) return refused(updated);
      const added = updated.object.spec?.ephemeralContainers?.find((c) => c.name === filled.name);
      return { admission: 'allowed', pullPolicy: samePolicy([added?.imagePullPolicy]), ...(await this.observePod(actor, ns, pod, { kind: 'ephemeral', container: filled.name })) };
    }
    if ('updatePodImage' in action) {
      const { pod, container } = action.updatePodImage;
      const image = fill(action.updatePodImage.image);
      const updated = await this.api(actor, 'update', 'pods', ns, pod, () => this.client(actor).updatePodImage(ns, pod, container, image));
      if (!updated.ok) return refused(updated);
      const changed = updated.object.spec?.containers.find((c) => c.name === container);
      return { admission: 'allowed', pullPolicy: samePolicy([changed?.imagePullPolicy]), ...(await this.observePod(actor, ns, pod, { kind: 'updated', container, image })) };
    }
    if ('deletePod' in action) {
      const { name } = action.deletePod;
      const deleted = await this.api(actor, 'delete', 'pods', ns, name, () => this.client(actor).deletePod(ns, name));
      return deleted.ok ? { admission: 'allowed' } : refused(deleted);
    }
    if ('createSecret' in action) {
      const manifest = fill(action.createSecret.manifest);
      const created = await this.api(actor, 'create', 'secrets', ns, manifest.metadata.name, () => this.client(actor).createSecret(ns, manifest));
      return created.ok ? { admission: 'allowed' } : refused(created);
    }
    if ('deleteSecret' in action) {
      const { name } = action.deleteSecret;
      const deleted = await this.api(actor, 'delete', 'secrets', ns, name, () => this.client(actor).deleteSecret(ns, name));
      return deleted.ok ? { admission: 'allowed' } : refused(deleted);
    }
    if ('createServiceAccount' in action) {
      const manifest = fill(action.createServiceAccount.manifest);
      const created = await this.api(actor, 'create', 'serviceaccounts', ns, manifest.metadata.name, () => this.client(actor).createServiceAccount(ns, manifest));
      return created.ok ? { admission: 'allowed' } : refused(created);
    }
    if ('preloadImage' in action) {
      const { image, node } = fill(action.preloadImage);
      await this.operation(`preload ${image} onto ${node}`, () => this.lab.preloadImage(image, node));
      return {};
    }
    if ('removeImage' in action) {
      const { image, node } = fill(action.removeImage);
      await this.operation(`remove ${image} from ${node}`, () => this.lab.removeImage(image, node));
      return {};
    }
    if ('applyPolicy' in action) {
      const { file } = action.applyPolicy;
      const applied = await this.api(actor, 'apply', 'cluster-configs/policies', '', file, () => this.client(actor).apply(scenarioPolicyManifests(file)));
      if (!applied.ok) return refused(applied);
      await sleep(this.timing.policySettleMs);
      return { admission: 'allowed' };
    }
    if ('labelNamespace' in action) {
      const labelled = await this.api(actor, 'update', 'namespaces', '', ns, () => this.client(actor).labelNamespace(ns, action.labelNamespace.labels));
      if (!labelled.ok) return refused(labelled);
      await sleep(this.timing.policySettleMs); // policy bindings select namespaces through the API server's namespace cache
      return { admission: 'allowed' };
    }
    if ('registryDown' in action) {
      await this.operation('take the registry down', () => this.lab.setRegistryAvailable(false));
      return {};
    }
    if ('registryUp' in action) {
      await this.operation('bring the registry back', () => this.lab.setRegistryAvailable(true));
      return {};
    }
    const { pod, for: states, timeoutSeconds } = action.wait;
    const status = await this.waitForPod(actor, ns, pod, { kind: 'pod' }, (s) => states.includes(s as never), timeoutSeconds ? timeoutSeconds * 1000 : undefined);
    return { pod: status };
  }

  /** Waits for the pod (or one container of it) to settle, then reads its events and logs for the flag. */
  private async observePod(actor: Actor, ns: string, pod: string, target: Target): Promise<Observed> {
    // a pod that runs to completion (restartPolicy Never/OnFailure) settles when it ends: Running is on the way there
    const settled = (s: string, object?: V1Pod) => !UNSETTLED.test(s) && !(s === 'Running' && target.kind === 'pod' && runsToCompletion(object));
    const status = await this.waitForPod(actor, ns, pod, target, settled);
    const started = status === 'Running' || status === 'Completed' || status === 'Error';
    const flagLine = await this.findFlag(actor, ns, pod, target, started ? this.timing.flagGraceMs : 0);
    const events = await this.events(actor, ns, pod);
    return { pod: status, events, flag: flagLine === undefined ? 'not-seen' : 'seen', ...(flagLine ? { flagEvidence: flagLine } : {}) };
  }

  private async waitForPod(
    actor: Actor,
    ns: string,
    pod: string,
    target: Target,
    done: (status: string, pod?: V1Pod) => boolean,
    timeoutMs = this.timing.settleTimeoutMs,
  ): Promise<string> {
    const deadline = performance.now() + timeoutMs;
    let last = '';
    for (;;) {
      const read = await this.client(actor).readPod(ns, pod);
      // no answer from the API server says nothing about the pod: never shown as its state
      if (!read.ok && read.refusal.code === 0) {
        if (performance.now() >= deadline) throw new Error(`the API server did not answer a read of pod ${ns}/${pod}: ${read.refusal.message}`);
        await sleep(this.timing.pollMs);
        continue;
      }
      const status = read.ok ? statusOf(read.object, target) : read.refusal.code === 404 ? 'NotFound' : `Error: ${read.refusal.message}`;
      if (read.ok && read.object.spec?.nodeName) this.podNodes.set(pod, read.object.spec.nodeName);
      if (status !== last) {
        last = status;
        this.emit({
          type: 'pod-status',
          scenario: this.scenario.metadata.name,
          profile: this.profile,
          stepId: this.stepId,
          namespace: ns,
          pod,
          node: read.ok ? read.object.spec?.nodeName : undefined,
          status,
        });
        // in the background, but one after another, so kubelet events reach listeners in order
        this.eventReads = this.eventReads
          .then(() => this.readEvents(actor, ns, pod))
          .then(
            () => undefined,
            () => undefined,
          );
      }
      if (done(status, read.ok ? read.object : undefined) || status === 'NotFound' || performance.now() >= deadline) return status;
      await sleep(this.timing.pollMs);
    }
  }

  /**
   * The log line holding the flag. Logs trail a container's start, so this polls until every container
   * looked at has printed something (or graceMs passed), then decides.
   */
  private async findFlag(actor: Actor, ns: string, pod: string, target: Target, graceMs: number): Promise<string | undefined> {
    const deadline = performance.now() + graceMs;
    const client = this.client(actor);
    const read = await client.readPod(ns, pod);
    if (!read.ok) return undefined;
    const containers = target.kind === 'pod' ? allContainerNames(read.object) : [target.container];
    for (;;) {
      const logs = await Promise.all(containers.map((c) => client.containerLog(ns, pod, c)));
      const line = logs.flatMap((log) => log.split('\n')).find((l) => l.includes(this.lab.info.flag));
      if (line !== undefined) return line.trim();
      if (logs.every((log) => log !== '') || performance.now() >= deadline) return undefined;
      await sleep(this.timing.pollMs);
    }
  }

  /** The pod's events, once the reads started in the background are done (so listeners see them in order). */
  private async events(actor: Actor, ns: string, pod: string): Promise<ObservedEvent[]> {
    await this.eventReads;
    return this.readEvents(actor, ns, pod);
  }

  private async readEvents(actor: Actor, ns: string, pod: string): Promise<ObservedEvent[]> {
    const events = (await this.client(actor).podEvents(ns, pod)).map((e) => ({ type: e.type ?? '', reason: e.reason ?? '', message: e.message ?? '' }));
    for (const event of events) {
      const key = `${ns}/${pod}/${event.reason}/${event.message}`;
      if (this.seenEvents.has(key)) continue;
      this.seenEvents.add(key);
      this.emit({ type: 'kubelet-event', scenario: this.scenario.metadata.name, profile: this.profile, stepId: this.stepId, namespace: ns, pod, event });
    }
    return events;
  }

  private async verdict(): Promise<{ verdict: VerdictValue; evidence: string }> {
    const rule = this.scenario.verdict;
    const actor = rule.kind === 'attack' ? rule.attacker : rule.actor;
    const ns = this.namespaceOf(actor);
    const read = await this.client(actor).readPod(ns, rule.pod);
    if (rule.kind === 'attack') {
      const line = read.ok ? await this.findFlag(actor, ns, rule.pod, { kind: 'pod' }, 0) : undefined;
      if (line !== undefined) return { verdict: 'bypassed', evidence: `${actor} read the flag: ${line}` };
      return {
        verdict: 'blocked',
        evidence: read.ok ? `${rule.pod}: ${statusOf(read.object, { kind: 'pod' })}; the flag never reached ${actor}` : `${rule.pod}: ${read.refusal.message}`,
      };
    }
    const status = read.ok ? statusOf(read.object, { kind: 'pod' }) : read.refusal.message;
    return { verdict: status === 'Running' || status === 'Completed' ? 'allowed' : 'denied', evidence: `${rule.pod}: ${status}` };
  }

  private async api<T>(actor: Actor, verb: string, resource: string, namespace: string, name: string, call: () => Promise<ApiOutcome<T>>): Promise<ApiOutcome<T>> {
    const where = { scenario: this.scenario.metadata.name, profile: this.profile, stepId: this.stepId, actor };
    this.emit({ type: 'api-request', ...where, verb, resource, namespace, name });
    const result = await call();
    this.emit(
      result.ok
        ? { type: 'api-response', ...where, code: verb === 'create' ? 201 : 200 }
        : { type: 'api-response', ...where, code: result.refusal.code, reason: result.refusal.reason, message: result.refusal.message },
    );
    return result;
  }

  private async operation(operation: string, run: () => Promise<void>): Promise<void> {
    this.emit({ type: 'lab-operation', scenario: this.scenario.metadata.name, profile: this.profile, stepId: this.stepId, operation });
    await run();
  }

  private client(actor: Actor): ClusterClient {
    let client = this.clients.get(actor);
    if (!client) {
      client = new ClusterClient(this.lab.kubeconfigFor(actor));
      this.clients.set(actor, client);
    }
    return client;
  }

  private namespaceOf(actor: Actor): string {
    return namespaceOf(this.lab.info, actor);
  }

  private placeholder(name: string, actor: Actor): string | undefined {
    return labPlaceholders({ info: this.lab.info, imageDigests: this.lab.imageDigests, nodeOf: (pod) => this.podNodes.get(pod) }, actor)(name);
  }
}

type Target = { kind: 'pod' } | { kind: 'ephemeral'; container: string } | { kind: 'updated'; container: string; image: string };

/** STATUS as `kubectl get pods` prints it, or for an ephemeral or updated container, that container's own state. */
function statusOf(pod: V1Pod, target: Target): string {
  if (target.kind === 'pod') return podDisplayStatus(pod);
  const statuses = target.kind === 'ephemeral' ? pod.status?.ephemeralContainerStatuses : pod.status?.containerStatuses;
  const status = statuses?.find((s) => s.name === target.container);
  if (!status) return 'ContainerCreating';
  // Until the kubelet reports the new image, what shows is the old instance being replaced — except that a real
  // kubelet whose pull of the new image fails keeps the old image in the status while the container waits.
  if (target.kind === 'updated' && !sameImage(status.image, target.image)) {
    const waiting = status.state?.waiting?.reason;
    return waiting && !UNSETTLED.test(waiting) ? waiting : 'ContainerCreating';
  }
  if (status.state?.waiting?.reason) return status.state.waiting.reason;
  if (status.state?.terminated) return status.state.terminated.reason ?? (status.state.terminated.exitCode === 0 ? 'Completed' : 'Error');
  if (status.state?.running) return 'Running';
  return 'ContainerCreating';
}

/** The runtime may report the image normalized (docker.io/library/…); compare by the written reference's tail. */
function sameImage(reported: string | undefined, wanted: string): boolean {
  return reported !== undefined && (reported === wanted || reported.endsWith(`/${wanted}`) || wanted.endsWith(reported));
}

function allContainerNames(pod: V1Pod): string[] {
  const spec = pod.spec;
  return [...(spec?.initContainers ?? []), ...(spec?.containers ?? []), ...(spec?.ephemeralContainers ?? [])].map((c) => c.name);
}

function samePolicy(policies: (string | undefined)[]): Observed['pullPolicy'] {
  const unique = [...new Set(policies)];
  if (unique.length !== 1 || unique[0] === undefined) return unique.length === 0 ? undefined : 'mixed';
  return unique[0] as Observed['pullPolicy'];
}

function refused(outcome: { ok: false; refusal: { code: number; reason: string; message: string } }): Observed {
  // no answer is not a refusal: the step fails with what happened, never reads as "denied"
  if (outcome.refusal.code === 0) throw new Error(`the API server did not answer: ${outcome.refusal.message}`);
  return { admission: 'denied', admissionMessage: outcome.refusal.message, apiStatus: { code: outcome.refusal.code, reason: outcome.refusal.reason } };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
