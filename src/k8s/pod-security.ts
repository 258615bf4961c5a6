// Pod Security Admission's decisions (k8s.io/pod-security-admission admission/admission.go, api/helpers.go):
// the namespace's labels give the enforce / audit / warn level and version; a pod that the enforce level
// forbids is refused with upstream's message, the warn level's findings become warnings kubectl prints.
//
//   const policy = policyToEvaluate(namespace.metadata.labels, config.defaults)   → { policy, errors }
//   validatePod(attrs, { namespaceLabels, config })  → { allowed, message?, warnings, audit? }
//   validateNamespace(attrs, { config, podsInNamespace })  → invalid labels refused, stricter enforce warns
import { fieldInvalid, type FieldError, fieldErrorListToAggregate } from './api-errors.js';
import { isObject, listField, objectField, stringField, type JsonObject } from './json-fields.js';
import {
  aggregateCheckResults,
  evaluatePod,
  forbiddenDetail,
  forbiddenReason,
  LATEST,
  LEVELS,
  levelVersionString,
  sameLevelVersion,
  v1,
  versionString,
  type Level,
  type LevelVersion,
  type PodParts,
  type Version,
} from './pod-security-policy.js';

/** api/constants.go */
export const LABEL_PREFIX = 'pod-security.kubernetes.io/';
export const ENFORCE_LEVEL_LABEL = `${LABEL_PREFIX}enforce`;
export const ENFORCE_VERSION_LABEL = `${LABEL_PREFIX}enforce-version`;
export const AUDIT_LEVEL_LABEL = `${LABEL_PREFIX}audit`;
export const AUDIT_VERSION_LABEL = `${LABEL_PREFIX}audit-version`;
export const WARN_LEVEL_LABEL = `${LABEL_PREFIX}warn`;
export const WARN_VERSION_LABEL = `${LABEL_PREFIX}warn-version`;

export interface Policy {
  enforce: LevelVersion;
  audit: LevelVersion;
  warn: LevelVersion;
}

/** PodSecurityConfiguration (admission/api/types.go): defaults for unlabelled namespaces and exemptions. */
export interface PodSecurityConfiguration {
  defaults: Policy;
  exemptions: { usernames: readonly string[]; runtimeClasses: readonly string[]; namespaces: readonly string[] };
}

const privilegedLatest: LevelVersion = { level: 'privileged', version: LATEST };

/** kube-apiserver's built-in configuration: privileged:latest everywhere, no exemptions (admission/api/v1/defaults.go). */
export const defaultPodSecurityConfiguration: PodSecurityConfiguration = {
  defaults: { enforce: privilegedLatest, audit: privilegedLatest, warn: privilegedLatest },
  exemptions: { usernames: [], runtimeClasses: [], namespaces: [] },
};

const labelPath = (label: string): string => `metadata.labels[${label}]`;

/** ParseLevel: an unknown level is an error and evaluates as restricted. */
export function parseLevel(level: string): { level: Level; error?: string } {
  if ((LEVELS as readonly string[]).includes(level)) return { level: level as Level };
  return { level: 'restricted', error: `must be one of ${LEVELS.join(', ')}` };
}

/** ParseVersion: `latest` or `v1.<minor>`; anything else is an error and evaluates as latest. */
export function parseVersion(version: string): { version: Version; error?: string } {
  if (version === 'latest') return { version: LATEST };
  const m = /^v1\.([0-9]|[1-9][0-9]*)$/.exec(version);
  const minor = m ? Number(m[1]) : NaN;
  if (!Number.isSafeInteger(minor)) return { version: LATEST, error: 'must be "latest" or "v1.x"' };
  return { version: v1(minor) };
}

/**
 * PolicyToEvaluate (api/helpers.go): labels over the defaults. A bad enforce level fails closed (restricted),
 * a bad audit or warn level fails open (privileged); every bad label is also an error.
 */
export function policyToEvaluate(labels: Record<string, unknown> | undefined, defaults: Policy): { policy: Policy; errors: FieldError[] } {
  const p: Policy = { enforce: { ...defaults.enforce }, audit: { ...defaults.audit }, warn: { ...defaults.warn } };
  const errors: FieldError[] = [];
  if (!labels) return { policy: p, errors };
  const take = (label: string): string | undefined => (typeof labels[label] === 'string' ? (labels[label] as string) : undefined);
  const levelOf = (mode: keyof Policy, label: string, failOpen: boolean): void => {
    const value = take(label);
    if (value === undefined) return;
    const parsed = parseLevel(value);
    p[mode].level = parsed.error && failOpen ? 'privileged' : parsed.level;
    if (parsed.error) errors.push(fieldInvalid(labelPath(label), value, parsed.error));
  };
  const versionOf = (mode: keyof Policy, label: string): void => {
    const value = take(label);
    if (value === undefined) return;
    const parsed = parseVersion(value);
    p[mode].version = parsed.version;
    if (parsed.error) errors.push(fieldInvalid(labelPath(label), value, parsed.error));
  };
  levelOf('enforce', ENFORCE_LEVEL_LABEL, false);
  versionOf('enforce', ENFORCE_VERSION_LABEL);
  levelOf('audit', AUDIT_LEVEL_LABEL, true);
  versionOf('audit', AUDIT_VERSION_LABEL);
  levelOf('warn', WARN_LEVEL_LABEL, true);
  versionOf('warn', WARN_VERSION_LABEL);
  return { policy: p, errors };
}

/** CompareLevels: -1 when a is less strict than b, 0 equal, 1 stricter. */
export function compareLevels(a: Level, b: Level): number {
  return Math.sign(LEVELS.indexOf(a) - LEVELS.indexOf(b));
}

/** What the admission library answers: a refusal carries the Status fields the plugin returns. */
export type PodSecurityResponse =
  | { allowed: true; warnings: string[]; auditAnnotations: Record<string, string> }
  | {
      allowed: false;
      /** `fieldErrors` on an Invalid refusal: invalidResponse (admission.go) is apierrors.NewInvalid(kind, name, errs). */
      status: { code: 400 | 403 | 422 | 500; reason: 'BadRequest' | 'Forbidden' | 'Invalid' | 'InternalError'; message: string; fieldErrors?: readonly FieldError[] };
      warnings: string[];
      auditAnnotations: Record<string, string>;
    };

const allowed = (warnings: string[] = [], auditAnnotations: Record<string, string> = {}): PodSecurityResponse => ({ allowed: true, warnings, auditAnnotations });

export interface PodSecurityAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  subresource: string;
  namespace: string;
  name: string;
  /** The requesting user's name (for exemptions). */
  username: string;
  object: unknown;
  oldObject?: unknown;
}

// ignoredPodSubresources (admission.go): every other pod subresource (ephemeralcontainers, resize) is evaluated.
const ignoredPodSubresources = new Set(['exec', 'attach', 'binding', 'eviction', 'log', 'portforward', 'proxy', 'status']);

const podParts = (pod: unknown): PodParts => ({ metadata: objectField(objectField(pod)['metadata']), spec: objectField(objectField(pod)['spec']) });

/**
 * EvaluatePod (admission.go): enforce refuses with `violates PodSecurity "<level>:<version>": <details>`;
 * audit becomes an audit annotation; warn (only on an allowed request) becomes a warning.
 */
export function evaluatePodAgainst(policy: Policy, policyErrors: readonly FieldError[], pod: PodParts, config: PodSecurityConfiguration, enforce: boolean): PodSecurityResponse {
  const runtimeClass = stringField(pod.spec['runtimeClassName']);
  if (runtimeClass !== '' && config.exemptions.runtimeClasses.includes(runtimeClass)) return allowed();
  const audit: Record<string, string> = {};
  if (policyErrors.length > 0) audit['error'] = `Failed to parse policy: ${fieldErrorListToAggregate(policyErrors)?.message ?? ''}`;
  const cache = new Map<string, ReturnType<typeof aggregateCheckResults>>();
  const evaluate = (lv: LevelVersion): ReturnType<typeof aggregateCheckResults> => {
    const key = levelVersionString(lv);
    let r = cache.get(key);
    if (!r) {
      r = aggregateCheckResults(evaluatePod(lv, pod));
      cache.set(key, r);
    }
    return r;
  };
  let refusal: string | undefined;
  if (enforce) {
    const r = evaluate(policy.enforce);
    if (!r.allowed) refusal = `violates PodSecurity "${levelVersionString(policy.enforce)}": ${forbiddenDetail(r)}`;
  }
  const auditResult = evaluate(policy.audit);
  if (!auditResult.allowed) audit['audit-violations'] = `would violate PodSecurity "${levelVersionString(policy.audit)}": ${forbiddenDetail(auditResult)}`;
  if (refusal !== undefined) return { allowed: false, status: { code: 403, reason: 'Forbidden', message: refusal }, warnings: [], auditAnnotations: audit };
  const warnings: string[] = [];
  const warnResult = evaluate(policy.warn);
  if (!warnResult.allowed) warnings.push(`would violate PodSecurity "${levelVersionString(policy.warn)}": ${forbiddenDetail(warnResult)}`);
  return allowed(warnings, audit);
}

/** isSignificantPodUpdate (admission.go): only image, seccomp annotation and container-list changes are evaluated. */
export function isSignificantPodUpdate(pod: unknown, oldPod: unknown): boolean {
  const annotations = objectField(objectField(objectField(pod)['metadata'])['annotations']);
  const oldAnnotations = objectField(objectField(objectField(oldPod)['metadata'])['annotations']);
  const seccompPod = 'seccomp.security.alpha.kubernetes.io/pod';
  if (annotations[seccompPod] !== oldAnnotations[seccompPod]) return true;
  const spec = objectField(objectField(pod)['spec']);
  const oldSpec = objectField(objectField(oldPod)['spec']);
  const significant = (c: JsonObject, old: JsonObject): boolean => {
    if (c['image'] !== old['image']) return true;
    const key = `container.seccomp.security.alpha.kubernetes.io/${stringField(c['name'])}`;
    return annotations[key] !== oldAnnotations[key];
  };
  for (const list of ['containers', 'initContainers']) {
    const now = listField(spec[list]).filter(isObject);
    const before = listField(oldSpec[list]).filter(isObject);
    if (now.length !== before.length) return true;
    if (now.some((c, i) => significant(c, before[i] ?? {}))) return true;
  }
  const oldEphemeral = listField(oldSpec['ephemeralContainers']).filter(isObject);
  for (const c of listField(spec['ephemeralContainers']).filter(isObject)) {
    const old = oldEphemeral.find((o) => o['name'] === c['name']);
    if (!old || significant(c, old)) return true;
  }
  return false;
}

/** ValidatePod (admission.go): pods and their evaluated subresources. */
export function validatePod(a: PodSecurityAttributes, env: { namespaceLabels: Record<string, unknown> | undefined; config: PodSecurityConfiguration }): PodSecurityResponse {
  if (ignoredPodSubresources.has(a.subresource)) return allowed();
  if (exemptNamespace(a.namespace, env.config) || exemptUser(a.username, env.config)) return allowed();
  const { policy, errors } = policyToEvaluate(env.namespaceLabels, env.config.defaults);
  if (errors.length === 0 && policy.enforce.level === 'privileged' && policy.warn.level === 'privileged' && policy.audit.level === 'privileged') return allowed();
  if (a.operation === 'UPDATE' && !isSignificantPodUpdate(a.object, a.oldObject)) return allowed();
  return evaluatePodAgainst(policy, errors, podParts(a.object), env.config, true);
}

/**
 * ValidateNamespace (admission.go): labels must parse on create (and on update when they changed); an enforce
 * level made stricter is checked against the namespace's pods and answered with warnings, never a refusal.
 */
export function validateNamespace(a: PodSecurityAttributes, env: { config: PodSecurityConfiguration; podsInNamespace: () => readonly unknown[] }): PodSecurityResponse {
  if (a.subresource !== '') return allowed();
  const labels = objectField(objectField(a.object)['metadata'])['labels'];
  const next = policyToEvaluate(isObject(labels) ? labels : undefined, env.config.defaults);
  const invalid = (errors: readonly FieldError[]): PodSecurityResponse => ({
    allowed: false,
    status: { code: 422, reason: 'Invalid', message: fieldErrorListToAggregate(errors)?.message ?? '', fieldErrors: errors },
    warnings: [],
    auditAnnotations: {},
  });
  if (a.operation === 'CREATE') return next.errors.length > 0 ? invalid(next.errors) : allowed();
  if (a.operation !== 'UPDATE') return allowed();
  const oldLabels = objectField(objectField(a.oldObject)['metadata'])['labels'];
  const old = policyToEvaluate(isObject(oldLabels) ? oldLabels : undefined, env.config.defaults);
  const message = (errors: readonly FieldError[]): string => fieldErrorListToAggregate(errors)?.message ?? '';
  if (next.errors.length > 0 && (old.errors.length === 0 || message(next.errors) !== message(old.errors))) return invalid(next.errors);
  const enforce = next.policy.enforce;
  if (sameLevelVersion(enforce, old.policy.enforce)) return allowed();
  if (enforce.level === 'privileged') return allowed();
  if (versionString(enforce.version) === versionString(old.policy.enforce.version) && compareLevels(enforce.level, old.policy.enforce.level) < 1) return allowed();
  if (exemptNamespace(a.namespace || a.name, env.config)) return allowed();
  return allowed(evaluatePodsInNamespace(a.name, enforce, env.podsInNamespace(), env.config));
}

const maxPodsToCheck = 3000; // defaultNamespaceMaxPodsToCheck

/** EvaluatePodsInNamespace (admission.go): one warning per distinct violation, prefixed by the first pod's name. */
export function evaluatePodsInNamespace(namespace: string, enforce: LevelVersion, pods: readonly unknown[], config: PodSecurityConfiguration): string[] {
  const warnings: string[] = [];
  const counts = new Map<string, { podName: string; podCount: number }>();
  const order: string[] = [];
  const checked = pods.slice(0, maxPodsToCheck);
  for (const pod of checked) {
    const parts = podParts(pod);
    const runtimeClass = stringField(parts.spec['runtimeClassName']);
    if (runtimeClass !== '' && config.exemptions.runtimeClasses.includes(runtimeClass)) continue;
    const r = aggregateCheckResults(evaluatePod(enforce, parts));
    if (r.allowed) continue;
    const warning = forbiddenReason(r);
    const name = stringField(parts.metadata['name']);
    const c = counts.get(warning);
    if (!c) {
      order.push(warning);
      counts.set(warning, { podName: name, podCount: 1 });
    } else {
      if (name < c.podName) c.podName = name;
      c.podCount++;
    }
  }
  if (checked.length < pods.length) warnings.push(`new PodSecurity enforce level only checked against the first ${checked.length} of ${pods.length} existing pods`);
  if (order.length > 0) warnings.push(`existing pods in namespace "${namespace}" violate the new PodSecurity enforce level "${levelVersionString(enforce)}"`);
  const decorated = order.map((w) => {
    const c = counts.get(w) ?? { podName: '', podCount: 0 };
    if (c.podCount === 1) return `${c.podName}: ${w}`;
    if (c.podCount === 2) return `${c.podName} (and 1 other pod): ${w}`;
    return `${c.podName} (and ${c.podCount - 1} other pods): ${w}`;
  });
  return [...warnings, ...decorated.sort()];
}

function exemptNamespace(namespace: string, config: PodSecurityConfiguration): boolean {
  return namespace !== '' && config.exemptions.namespaces.includes(namespace);
}

function exemptUser(username: string, config: PodSecurityConfiguration): boolean {
  return username !== '' && config.exemptions.usernames.includes(username);
}
