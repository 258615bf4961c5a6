// The labs behind the workshop app: one lab and one scenario session per profile, stepped together.
// Labs start through the engine's startLab (as `run`'s do), each writing its kubeconfig and lab.json to
// its own folder (.lab/play/<profile>/) so a learner can kubectl into the very lab a panel shows; the app
// keeps only stepping and the screen's state (reduced from every event), and never throws into the UI:
// a lab's failure lands in its panel.
import { rmdirSync, rmSync } from 'node:fs';
import { mkdir, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { BackendName, Lab, LabBackend } from '../lab/backend.js';
import type { ProfileName } from '../lab/profiles.js';
// the engine (and client-node behind it) loads behind the first frame, like the backend
import type { RunScenarioOptions, Timing } from '../scenario/engine.js';
import type { EngineEvent } from '../scenario/events.js';
import type { ScenarioResult, StepResult } from '../scenario/results.js';
import type { Scenario } from '../scenario/schema.js';
import { initialPlayState, reducePlay, scenarioFinished, type PlayAction, type PlayState } from './lab-view-state.js';

/** What the app needs of a scenario session; `ScenarioSession` is the real one. */
export interface SessionLike {
  readonly done: boolean;
  readonly position: number;
  nextStep(): Promise<StepResult>;
  replay(): Promise<void>;
  restart(): Promise<void>;
  finish(): Promise<ScenarioResult>;
}

export type SessionFactory = (options: RunScenarioOptions) => SessionLike;

export interface LabSessionsOptions {
  /** The backend, or how to load it: the app draws its first frame before the backend's modules load. */
  backend: LabBackend | (() => Promise<LabBackend>);
  profiles: readonly ProfileName[];
  nodes?: number;
  timing?: Timing;
  /** Pause between steps in auto-play, so a room can read each result. */
  autoPauseMs?: number;
  createSession?: SessionFactory;
  /** Each profile's lab writes kubeconfig and lab.json to DIR/<profile>/ (removed on stop). */
  labDir?: string;
}

export class LabSessions {
  private state: PlayState;
  private readonly listeners = new Set<() => void>();
  private readonly labs = new Map<ProfileName, Lab>();
  private readonly starting = new Map<ProfileName, Promise<Lab | undefined>>();
  private readonly sessions = new Map<ProfileName, SessionLike>();
  private readonly abort = new AbortController();
  /** Files the labs wrote (kubeconfig, lab.json) and their folders, removed on stop. */
  private readonly written: string[] = [];
  private createSession: SessionFactory | undefined;
  /** Known once the backend loaded. */
  backendName: BackendName | undefined;
  private timing: Timing | undefined;
  private working: Promise<void> | undefined;
  private stopped: Promise<void> | undefined;
  private autoTimer: NodeJS.Timeout | undefined;
  private queuedNext = false;

  constructor(private readonly options: LabSessionsOptions) {
    this.state = initialPlayState(options.profiles);
    this.createSession = options.createSession;
    this.timing = options.timing;
  }

  readonly getState = (): PlayState => this.state;

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** A step (or a reset) is running: keys that would start another wait for it. */
  get busy(): boolean {
    return this.working !== undefined;
  }

  /** Starts every profile's lab at once; each reports its own progress and failure. */
  start(): void {
    for (const profile of this.options.profiles) {
      if (this.starting.has(profile)) continue;
      this.starting.set(profile, this.startLab(profile));
    }
  }

  /** Waits until every lab started (or failed). */
  async ready(): Promise<void> {
    await Promise.all(this.starting.values());
  }

  /** Picks the scenario to play (or none, back to the picker): every lab is reset and gets a new session. */
  choose(scenario: Scenario | undefined): Promise<void> {
    this.setAuto(false);
    this.queuedNext = false;
    return this.exclusive(async () => {
      const hadRun = this.sessions.size > 0;
      this.sessions.clear();
      this.dispatch({ type: 'scenario-chosen', scenario });
      if (hadRun) await this.eachLab('resetting the labs…', (lab) => lab.reset());
      if (scenario) for (const profile of this.options.profiles) this.sessionFor(profile, scenario);
    });
  }

  /** Runs the next step on every cluster at once; after the last one, each reads its verdict. Pressed while busy, it follows the running step. */
  next(): Promise<void> {
    // a presenter who presses Enter while a step settles gets the next step right after it, not nothing
    if (this.working) {
      this.queuedNext = true;
      return this.working;
    }
    return this.exclusive(async () => {
      const scenario = this.state.scenario;
      if (!scenario) return;
      await Promise.all(
        this.options.profiles.map(async (profile) => {
          const session = await this.readySession(profile, scenario);
          if (!session || session.done) return;
          try {
            await session.nextStep();
            await this.refreshImages(profile);
            if (session.done) await session.finish();
          } catch (error) {
            this.dispatch({ type: 'step-failed', profile, message: messageOf(error) });
          }
        }),
      );
      if (this.finished) this.setAuto(false);
    });
  }

  /** Resets the labs and plays the steps that ran again, so the last one can be watched once more. */
  replay(): Promise<void> {
    return this.exclusive(async () => {
      await Promise.all(
        [...this.sessions].map(async ([profile, session]) => {
          const lab = this.labs.get(profile);
          if (!lab) return;
          this.dispatch({ type: 'panel-cleared', profile });
          try {
            await session.replay();
            await this.refreshImages(profile);
            if (session.done) await session.finish();
          } catch (error) {
            this.dispatch({ type: 'step-failed', profile, message: messageOf(error) });
          }
        }),
      );
    });
  }

  /** Back to before the first step, on reset labs. */
  reset(): Promise<void> {
    this.setAuto(false);
    this.queuedNext = false;
    return this.exclusive(async () => {
      await Promise.all(
        [...this.sessions].map(async ([profile, session]) => {
          this.dispatch({ type: 'panel-cleared', profile });
          try {
            await session.restart();
            await this.refreshImages(profile);
          } catch (error) {
            this.dispatch({ type: 'step-failed', profile, message: messageOf(error) });
          }
        }),
      );
    });
  }

  /** Auto-play on or off: steps follow each other with a pause until the scenario ends. */
  setAuto(on: boolean): void {
    if (this.state.auto === on) return;
    this.dispatch({ type: 'auto', on });
    if (this.autoTimer) clearTimeout(this.autoTimer);
    this.autoTimer = undefined;
    if (on) void this.autoStep();
  }

  /** Every cluster has read its verdict (or failed): lab-view-state's one definition of done. */
  get finished(): boolean {
    return scenarioFinished(this.state);
  }

  /** Stops every lab, those still starting too; idempotent. Nothing keeps running after it resolves. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      if (this.autoTimer) clearTimeout(this.autoTimer);
      this.autoTimer = undefined;
      this.dispatch({ type: 'busy', what: 'stopping the labs…' });
      this.abort.abort();
      // a lab that finishes starting after the abort is stopped as soon as it is there
      await Promise.all(this.starting.values());
      await Promise.all([...this.labs.values()].map((lab) => lab.stop().catch(() => {})));
      this.labs.clear();
      // the files first (lab.json before anything: `status` must never list a lab that is gone), then the
      // folders this app made, deepest first, each only if empty
      const folders = this.written.filter((f) => f.endsWith(path.sep)).sort((a, b) => b.length - a.length);
      for (const file of this.written.filter((f) => !f.endsWith(path.sep)).reverse()) await rm(file, { force: true }).catch(() => {});
      for (const folder of folders) await rmdir(folder).catch(() => {});
      this.dispatch({ type: 'stopped' });
    })();
    return this.stopped;
  }

  /**
   * The files stop() would remove, removed at once and synchronously: for a process that must exit before its
   * labs have stopped (their in-process servers end with it; the files would outlive it).
   */
  removeFilesNow(): void {
    const files = [...this.written.filter((f) => !f.endsWith(path.sep)), ...[...this.labs.values()].flatMap((lab) => (lab.info.auditLog ? [lab.info.auditLog] : []))];
    for (const file of files) rmSync(file, { force: true });
    for (const folder of this.written.filter((f) => f.endsWith(path.sep)).sort((a, b) => b.length - a.length)) {
      try {
        rmdirSync(folder);
      } catch {
        // not empty or gone: left as it is
      }
    }
  }

  /** The running lab of a profile, for the app's own reads (kubectl equivalents, manifests with real values). */
  lab(profile: ProfileName): Lab | undefined {
    return this.labs.get(profile);
  }

  private async autoStep(): Promise<void> {
    if (!this.state.auto || this.stopped) return;
    await this.next();
    if (!this.state.auto || this.stopped) return;
    if (this.finished || this.allDone) {
      this.setAuto(false);
      return;
    }
    this.autoTimer = setTimeout(() => void this.autoStep(), this.options.autoPauseMs ?? 1_500);
  }

  private get allDone(): boolean {
    return this.sessions.size > 0 && [...this.sessions.values()].every((s) => s.done);
  }

  private async startLab(profile: ProfileName): Promise<Lab | undefined> {
    const scenario = this.state.scenario?.metadata.name ?? '';
    const emit = (event: EngineEvent) => this.dispatch(event);
    try {
      const load = this.options.backend;
      let backend: LabBackend;
      if (typeof load === 'function') {
        emit({ type: 'lab-starting', scenario, profile });
        emit({ type: 'lab-progress', scenario, profile, progress: { action: 'load the backend', status: 'started' } });
        backend = await load();
        emit({ type: 'lab-progress', scenario, profile, progress: { action: 'load the backend', status: 'done' } });
      } else backend = load;
      this.backendName = backend.name;
      const engine = await import('../scenario/engine.js');
      this.createSession ??= (o) => new engine.ScenarioSession(o);
      this.timing ??= engine.EMBEDDED_TIMING;
      if (this.abort.signal.aborted) return undefined;
      const dir = this.options.labDir === undefined ? undefined : path.resolve(this.options.labDir, profile);
      if (dir) await this.makeDir(dir);
      const lab = await engine.startLab({ backend, profile, scenario, nodes: this.options.nodes, dir, signal: this.abort.signal, emit });
      if (this.abort.signal.aborted) {
        await lab.stop().catch(() => {});
        return undefined;
      }
      this.labs.set(profile, lab);
      if (dir) await this.writeLabJson(dir, lab);
      await this.refreshImages(profile);
      return lab;
    } catch (error) {
      if (!this.abort.signal.aborted) this.dispatch({ type: 'lab-failed', profile, message: messageOf(error) });
      return undefined;
    }
  }

  /** DIR and the folders above it that did not exist, for removal on stop (deepest last, removed first). */
  private async makeDir(dir: string): Promise<void> {
    const first = await mkdir(dir, { recursive: true, mode: 0o700 });
    if (first === undefined) return;
    const made: string[] = [];
    for (let d = dir; d.length >= first.length; d = path.dirname(d)) made.unshift(`${d}${path.sep}`);
    this.written.push(...made);
  }

  /** lab.json as `up` writes it (docs/lab-json.md): `status` lists the lab, the learner finds its kubeconfig. */
  private async writeLabJson(dir: string, lab: Lab): Promise<void> {
    const { labJson } = await import('../embedded/up.js');
    this.written.push(lab.info.kubeconfig);
    const file = path.join(dir, 'lab.json');
    await writeFile(file, `${JSON.stringify(labJson(lab.info), null, 2)}\n`, { mode: 0o600 });
    this.written.push(file);
  }

  private async readySession(profile: ProfileName, scenario: Scenario): Promise<SessionLike | undefined> {
    await this.starting.get(profile);
    return this.sessionFor(profile, scenario);
  }

  private sessionFor(profile: ProfileName, scenario: Scenario): SessionLike | undefined {
    const existing = this.sessions.get(profile);
    if (existing) return existing;
    const lab = this.labs.get(profile);
    if (!lab || !this.createSession) return undefined;
    const session = this.createSession({ scenario, profile, lab, timing: this.timing, emit: (e) => this.dispatch(e) });
    this.sessions.set(profile, session);
    return session;
  }

  private async refreshImages(profile: ProfileName): Promise<void> {
    const lab = this.labs.get(profile);
    if (!lab) return;
    try {
      this.dispatch({ type: 'node-images', profile, images: await lab.nodeImages() });
    } catch {
      // the cache view is a nicety; a failed read leaves the last one on screen
    }
  }

  private async eachLab(what: string, run: (lab: Lab) => Promise<void>): Promise<void> {
    this.dispatch({ type: 'busy', what });
    try {
      await Promise.all(
        [...this.labs].map(async ([profile, lab]) => {
          try {
            await run(lab);
            await this.refreshImages(profile);
          } catch (error) {
            this.dispatch({ type: 'step-failed', profile, message: messageOf(error) });
          }
        }),
      );
    } finally {
      this.dispatch({ type: 'busy', what: undefined });
    }
  }

  /** One piece of work at a time: a key pressed while a step runs is dropped (only `next` queues itself). */
  private exclusive(work: () => Promise<void>): Promise<void> {
    if (this.working || this.stopped) return this.working ?? Promise.resolve();
    this.working = work().finally(() => {
      this.working = undefined;
      this.notify();
      if (this.queuedNext) {
        this.queuedNext = false;
        void this.next();
      }
    });
    return this.working;
  }

  private dispatch(action: PlayAction | EngineEvent): void {
    this.state = reducePlay(this.state, action);
    this.notify();
  }

  private notify(): void {
    for (const listener of this.listeners) listener();
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
