// The hands-on tasks of the tutorial and their checks: pure functions of what the cluster shows, so a
// task ticks only when the learner's own kubectl actions produced that state.
import type { ProfileName } from '../lab/profiles.js';
import type { PolicyFacts, PolicyProbes, ProbeOutcome } from './policy-probe.js';

/** A pod as the check reads it from the cluster (as the cluster admin). */
export interface PodFacts {
  namespace: string;
  name: string;
  uid: string;
  /** metadata.creationTimestamp in ms since the epoch (the API server's clock, whole seconds). */
  created: number;
  images: string[];
  pullPolicies: string[];
  /** STATUS as `kubectl get pods` prints it. */
  status: string;
  /** The containers' logs, joined; only read for pods that started. */
  log: string;
}

/** What the tutorial knows of the learner's lab: nothing yet, or its profile, tenants, image, flag and pods. */
export type LabSnapshot =
  | { kind: 'no-lab'; dir: string }
  | { kind: 'unreachable'; dir: string; message: string }
  | {
      kind: 'lab';
      profile: ProfileName;
      namespaces: { admin1: string; admin2: string };
      secretImage: string;
      flag: string;
      pods: PodFacts[];
      /** The lab's ValidatingAdmissionPolicies (chapter 6). */
      policies?: PolicyFacts[];
      /** The API server's answers to dry runs of Admin2's three ways in and Admin1's pod, read when a policy exists. */
      policyProbes?: PolicyProbes;
    };

export interface Task {
  /** The lab the task needs (`image-heist up --profile …`). */
  profile: ProfileName;
  /** One line, as the chapter's "Your task" says it. */
  text: string;
  /** Judges only the pods made since the chapter opened (evaluateTask filters them). */
  check: (lab: Extract<LabSnapshot, { kind: 'lab' }>) => { done: true; evidence: string } | { done: false };
}

export type TaskState =
  | { kind: 'no-lab'; hint: string }
  | { kind: 'wrong-profile'; hint: string }
  | { kind: 'unreachable'; hint: string }
  | { kind: 'waiting' }
  | { kind: 'done'; evidence: string };

/**
 * When the chapter opened: only what the learner did after it counts. A pod counts when it was created in
 * or after the second the chapter opened (creationTimestamp has whole seconds) and was not already in the
 * lab the last time the tutorial looked before that.
 */
export interface TaskWindow {
  openedAt: number;
  before: ReadonlySet<string>;
}

/** Pods the learner made while this chapter was open. */
export function podsSince(pods: readonly PodFacts[], window: TaskWindow): PodFacts[] {
  const second = Math.floor(window.openedAt / 1000) * 1000;
  return pods.filter((p) => p.created >= second && !window.before.has(p.uid));
}

/** `command` is how the learner invoked the app (`npx image-heist`, `npm start --`), for the hints. */
export function evaluateTask(task: Task, snapshot: LabSnapshot, window: TaskWindow, command = 'image-heist'): TaskState {
  const up = `${command} up --profile ${task.profile}`;
  if (snapshot.kind === 'no-lab') return { kind: 'no-lab', hint: `start the lab in another terminal: ${up} (looking in ${snapshot.dir})` };
  if (snapshot.kind === 'unreachable') return { kind: 'unreachable', hint: `the lab in ${snapshot.dir} does not answer (${snapshot.message}); start it again: ${up}` };
  if (snapshot.profile !== task.profile) return { kind: 'wrong-profile', hint: `this task needs the ${task.profile} profile, the lab runs ${snapshot.profile}: stop it and run ${up}` };
  const second = Math.floor(window.openedAt / 1000) * 1000;
  const policies = snapshot.policies?.filter((p) => p.created >= second);
  const result = task.check({ ...snapshot, pods: podsSince(snapshot.pods, window), ...(policies ? { policies } : {}) });
  return result.done ? { kind: 'done', evidence: result.evidence } : { kind: 'waiting' };
}

const FAILED_PULL = /^(Init:)?(ErrImagePull|ImagePullBackOff)$/;
const usesSecretImage = (pod: PodFacts, image: string) => pod.images.some((i) => i === image);

/** Tasks by chapter file name (docs/tutorial/NAME.md). */
export const TASKS: Readonly<Record<string, Task>> = {
  '03-the-attack': {
    profile: 'none',
    text: "make Admin2's pod print the flag",
    check: (lab) => {
      const pod = lab.pods.find((p) => p.namespace === lab.namespaces.admin2 && usesSecretImage(p, lab.secretImage) && p.log.includes(lab.flag));
      return pod ? { done: true, evidence: `${pod.namespace}/${pod.name} printed ${lab.flag}` } : { done: false };
    },
  },
  '04-always-pull-images': {
    profile: 'always-pull-images',
    text: "make Admin2's pod fail under always-pull-images",
    check: (lab) => {
      const pod = lab.pods.find(
        (p) => p.namespace === lab.namespaces.admin2 && usesSecretImage(p, lab.secretImage) && p.pullPolicies.every((x) => x === 'Always') && FAILED_PULL.test(p.status),
      );
      return pod ? { done: true, evidence: `${pod.namespace}/${pod.name}: ${pod.status} with imagePullPolicy Always` } : { done: false };
    },
  },
  '05-kubelet-ensure-secret-pulled-images': {
    profile: 'kubelet-default',
    text: "make Admin2's pod fail under the kubelet's default check, with IfNotPresent",
    check: (lab) => {
      const pod = lab.pods.find(
        (p) => p.namespace === lab.namespaces.admin2 && usesSecretImage(p, lab.secretImage) && p.pullPolicies.includes('IfNotPresent') && FAILED_PULL.test(p.status),
      );
      return pod ? { done: true, evidence: `${pod.namespace}/${pod.name}: ${pod.status} with imagePullPolicy IfNotPresent` } : { done: false };
    },
  },
  '06-policy-alternatives': {
    profile: 'none',
    text: "write a ValidatingAdmissionPolicy that stops Admin2's containers, init containers and kubectl debug, but not Admin1's Always pod",
    check: (lab) => {
      const probes = lab.policyProbes;
      const mine = lab.policies ?? [];
      // refused by a policy made since the chapter opened (upstream's message names it: validating/dispatcher.go)
      const refusedByMine = (o: ProbeOutcome | undefined) => o !== undefined && !o.allowed && mine.some((p) => o.message.includes(`ValidatingAdmissionPolicy '${p.name}'`));
      if (!probes || !refusedByMine(probes.admin2Container) || !refusedByMine(probes.admin2InitContainer) || !refusedByMine(probes.admin2EphemeralContainer) || !probes.admin1Always.allowed) {
        return { done: false };
      }
      const names = mine.filter((p) => [probes.admin2Container, probes.admin2InitContainer, probes.admin2EphemeralContainer].some((o) => o!.message.includes(`'${p.name}'`)));
      return { done: true, evidence: `${names.map((p) => p.name).join(', ')}: Admin2's IfNotPresent container, init container and debug container refused; Admin1's Always pod admitted (dry runs)` };
    },
  },
  '08-hands-on': {
    profile: 'kubelet-always-verify',
    text: 'as Admin1, run SuperSecretImage1 with ImagePullSecret1 under AlwaysVerify',
    check: (lab) => {
      const pod = lab.pods.find((p) => p.namespace === lab.namespaces.admin1 && usesSecretImage(p, lab.secretImage) && p.status === 'Running');
      return pod ? { done: true, evidence: `${pod.namespace}/${pod.name}: Running` } : { done: false };
    },
  },
};
