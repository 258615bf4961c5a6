// The scenario format: one YAML file drives the headless run, the workshop app and the tutorial.
// docs/scenario-format.md explains it; docs/scenario.schema.json is generated from this file for editors.
import { z } from 'zod';
import { POLICY_FILES } from '../lab/admission-policies.js';
import { PROFILE_NAMES } from '../lab/profiles.js';

/** Who acts: the two tenants of the story, and the cluster admin (the platform team) for node and registry operations. */
export const ACTORS = ['admin1', 'admin2', 'admin'] as const;
export const Actor = z.enum(ACTORS);
export type Actor = z.infer<typeof Actor>;

const Name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'a lowercase RFC 1123 name (letters, digits and "-")')
  .max(63);

const PullPolicy = z.enum(['Always', 'IfNotPresent', 'Never']);

/** What `kubectl get pods` shows in STATUS once a pod has settled: a phase or a container's waiting/terminated reason. */
export const POD_STATES = [
  'Running',
  'Completed',
  'Error',
  'ErrImagePull',
  'ImagePullBackOff',
  'ErrImageNeverPull',
  'InvalidImageName',
  'CrashLoopBackOff',
  'RunContainerError',
  'ContainerCreating',
  'Pending',
  // an init container's failure, as printPod prefixes it
  'Init:ErrImagePull',
  'Init:ImagePullBackOff',
  'Init:ErrImageNeverPull',
  'Init:CrashLoopBackOff',
  'Init:Error',
] as const;
export const PodState = z.enum(POD_STATES);
export type PodState = z.infer<typeof PodState>;

/** A Kubernetes object written inline as YAML; `{{ … }}` placeholders in its strings are filled from the lab. */
const Manifest = z.looseObject({
  apiVersion: z.string(),
  kind: z.string(),
  metadata: z.looseObject({ name: Name }),
});

const kindOf = (kind: string) => Manifest.refine((m) => m.kind === kind, { message: `kind must be ${kind}`, path: ['kind'] });

const Container = z.looseObject({
  name: Name,
  image: z.string().min(1),
  imagePullPolicy: PullPolicy.optional(),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
});

/** Exactly one action per step, written as a one-key map (`createPod: {…}`), so the YAML reads as what happens. */
export const Action = z.union([
  z.strictObject({ createPod: z.strictObject({ manifest: kindOf('Pod') }) }),
  z.strictObject({ deletePod: z.strictObject({ name: Name }) }),
  z.strictObject({ createSecret: z.strictObject({ manifest: kindOf('Secret') }) }),
  z.strictObject({ deleteSecret: z.strictObject({ name: Name }) }),
  z.strictObject({ createServiceAccount: z.strictObject({ manifest: kindOf('ServiceAccount') }) }),
  z.strictObject({ addEphemeralContainer: z.strictObject({ pod: Name, container: Container }) }),
  z.strictObject({ updatePodImage: z.strictObject({ pod: Name, container: Name, image: z.string().min(1) }) }),
  z.strictObject({ preloadImage: z.strictObject({ image: z.string().min(1), node: z.string().min(1) }) }),
  z.strictObject({ removeImage: z.strictObject({ image: z.string().min(1), node: z.string().min(1) }) }),
  z.strictObject({ applyPolicy: z.strictObject({ file: z.enum(POLICY_FILES) }) }),
  z.strictObject({ labelNamespace: z.strictObject({ labels: z.record(z.string().min(1).max(316), z.string().max(63)) }) }),
  z.strictObject({ registryDown: z.strictObject({}) }),
  z.strictObject({ registryUp: z.strictObject({}) }),
  z.strictObject({
    wait: z.strictObject({ pod: Name, for: z.array(PodState).min(1), timeoutSeconds: z.number().positive().max(600).optional() }),
  }),
]);
export type Action = z.infer<typeof Action>;
type KeysOf<T> = T extends unknown ? keyof T : never;
export type ActionName = KeysOf<Action> & string;
export const ACTION_NAMES = [
  'createPod',
  'deletePod',
  'createSecret',
  'deleteSecret',
  'createServiceAccount',
  'addEphemeralContainer',
  'updatePodImage',
  'preloadImage',
  'removeImage',
  'applyPolicy',
  'labelNamespace',
  'registryDown',
  'registryUp',
  'wait',
] as const satisfies readonly ActionName[];

/** What should be observed after a step, on one profile. Every field is optional; only what is given is checked. */
export const Expectation = z.strictObject({
  /** Did the API server admit the write? */
  admission: z.enum(['allowed', 'denied']).optional(),
  /** A substring of the API server's message when admission denied it. */
  admissionMessage: z.string().optional(),
  /** The effective imagePullPolicy of the step's container(s) after defaulting and admission. */
  pullPolicy: PullPolicy.optional(),
  /** The pod's settled state, as `kubectl get pods` shows it; several mean "any of these". */
  pod: z.union([PodState, z.array(PodState).min(1)]).optional(),
  /** Events that must have been recorded for the pod (reason, and optionally a substring of the message). */
  events: z.array(z.strictObject({ reason: z.string(), message: z.string().optional() })).optional(),
  /** Whether the pod's logs contain the lab's flag: the evidence of a bypass. */
  flag: z.enum(['seen', 'not-seen']).optional(),
});
export type Expectation = z.infer<typeof Expectation>;

const ProfileName = z.enum(PROFILE_NAMES);

/** `all` applies to every profile; a profile's own entry is merged over it, field by field. */
const Expectations = z.strictObject({
  all: Expectation.optional(),
  ...Object.fromEntries(PROFILE_NAMES.map((p) => [p, Expectation.optional()])),
} as { all: z.ZodOptional<typeof Expectation> } & Record<(typeof PROFILE_NAMES)[number], z.ZodOptional<typeof Expectation>>);

export const Step = z.strictObject({
  id: Name,
  actor: Actor,
  title: z.string().min(1),
  /** Markdown: why this step matters, shown beside it in the app and in transcripts. */
  explain: z.string().min(1),
  action: Action,
  expect: Expectations.optional(),
});
export type Step = z.infer<typeof Step>;

/**
 * The verdict rule. An attack is `bypassed` when the attacker's pod printed the flag, else `blocked`.
 * A control scenario (no attacker) is `allowed` when the legitimate pod ran, else `denied`.
 * `expected` must name every profile: a scenario says what each defence should do.
 */
export const Verdict = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('attack'),
    attacker: Actor,
    pod: Name,
    expected: z.record(ProfileName, z.enum(['bypassed', 'blocked'])),
  }),
  z.strictObject({
    kind: z.literal('control'),
    actor: Actor,
    pod: Name,
    expected: z.record(ProfileName, z.enum(['allowed', 'denied'])),
  }),
]);
export type Verdict = z.infer<typeof Verdict>;

export const Reference = z.strictObject({
  id: z.string().min(1),
  title: z.string().min(1),
  url: z.url().optional(),
});

export const Scenario = z
  .strictObject({
    apiVersion: z.literal('image-heist/v1'),
    kind: z.literal('Scenario'),
    metadata: z.strictObject({
      name: Name,
      title: z.string().min(1),
      summary: z.string().min(1).max(160),
      tags: z.array(Name).default([]),
      references: z.array(Reference).default([]),
    }),
    /** The people of the story, as the app introduces them. */
    actors: z.partialRecord(Actor, z.strictObject({ description: z.string().min(1) })),
    steps: z.array(Step).min(1),
    verdict: Verdict,
  })
  .superRefine((scenario, ctx) => {
    const seen = new Set<string>();
    scenario.steps.forEach((step, i) => {
      if (seen.has(step.id)) ctx.addIssue({ code: 'custom', path: ['steps', i, 'id'], message: `duplicate step id "${step.id}"` });
      seen.add(step.id);
      // the cluster admin applies policies (cluster-scoped); a tenant labels its own namespace
      if ('applyPolicy' in step.action && step.actor !== 'admin') {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'actor'], message: "applyPolicy is a cluster admin's step: actor must be admin" });
      }
      if ('labelNamespace' in step.action && step.actor === 'admin') {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'actor'], message: "labelNamespace labels the acting tenant's namespace: actor must be admin1 or admin2" });
      }
      if (!(step.actor in scenario.actors)) {
        ctx.addIssue({ code: 'custom', path: ['steps', i, 'actor'], message: `actor "${step.actor}" is not declared under actors` });
      }
    });
    const pods = new Set(scenario.steps.flatMap((s) => ('createPod' in s.action ? [s.action.createPod.manifest.metadata.name] : [])));
    if (!pods.has(scenario.verdict.pod)) {
      ctx.addIssue({ code: 'custom', path: ['verdict', 'pod'], message: `no step creates pod "${scenario.verdict.pod}"` });
    }
  });
export type Scenario = z.infer<typeof Scenario>;

/**
 * The expectation for one profile: the profile's own fields over `all`. A write the profile expects denied leaves
 * no pod to look at, so `all`'s pod-side fields (pullPolicy, pod, events, flag) do not carry over to it.
 */
export function expectationFor(step: Step, profile: (typeof PROFILE_NAMES)[number]): Expectation | undefined {
  const all = step.expect?.all;
  const own = step.expect?.[profile];
  if (!all && !own) return undefined;
  if (own?.admission === 'denied' && all) {
    const { pullPolicy: _p, pod: _s, events: _e, flag: _f, ...rest } = all;
    return { ...rest, ...own };
  }
  return { ...all, ...own };
}
