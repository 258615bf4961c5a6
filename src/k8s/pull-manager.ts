// KEP-2535 "Ensure Secret Pulled Images": the kubelet's image pull manager
// (pkg/kubelet/images/pullmanager/image_pull_manager.go, image_pull_policies.go), its record types
// (k8s.io/kubelet config/v1beta1 types.go) and the credential hash (pkg/credentialprovider/keyring.go hashAuthConfig).
// Records live in memory; toJSON()/fromJSON() let a kubelet persist them if it wants.
import { createHash } from 'node:crypto';
import { parseNormalizedNamed, trimImageTagDigest } from './image-reference.js';
import type { Clock } from './backoff.js';

/** ImagePullCredentialsVerificationPolicy (kubelet config v1beta1). */
export type ImagePullCredentialsVerificationPolicy = 'NeverVerify' | 'NeverVerifyPreloadedImages' | 'NeverVerifyAllowlistedImages' | 'AlwaysVerify';

/** ImagePullSecret: a secret's coordinates and the hash of the credential it supplied. */
export interface ImagePullSecret {
  uid: string;
  namespace: string;
  name: string;
  credentialHash: string;
}

/** ImagePullServiceAccount: coordinates of a service account whose token got the credential. */
export interface ImagePullServiceAccount {
  uid: string;
  namespace: string;
  name: string;
}

/** Anyone on the node may use the image (anonymous pull or node-level credentials). Excludes the lists. */
export interface NodePodsAccessibleCredentials {
  nodePodsAccessible: true;
  kubernetesSecrets?: never;
  kubernetesServiceAccounts?: never;
}

/** Only pods holding one of these secrets / service accounts may use the image. */
export interface TenantCredentials {
  nodePodsAccessible?: false;
  kubernetesSecrets?: readonly ImagePullSecret[];
  kubernetesServiceAccounts?: readonly ImagePullServiceAccount[];
}

/** ImagePullCredentials: nodePodsAccessible is mutually exclusive with the lists. */
export type ImagePullCredentials = NodePodsAccessibleCredentials | TenantCredentials;

/** ImagePullIntent: written before a pull (`pulling/sha256-<sha256(image)>`). */
export interface ImagePullIntent {
  image: string;
}

/** ImagePulledRecord: written after a successful pull (`pulled/sha256-<sha256(imageRef)>`). */
export interface ImagePulledRecord {
  /** RFC 3339 time of the last change. */
  lastUpdatedTime: string;
  imageRef: string;
  /** Image name without tag or digest (normalized, e.g. docker.io/library/nginx) → who may use it. */
  credentialMapping: Readonly<Record<string, ImagePullCredentials>>;
}

/** The credentials of the pod asking for an image, as the pull manager compares them. */
export interface PodPullCredentials {
  secrets: readonly ImagePullSecret[];
  serviceAccount?: ImagePullServiceAccount;
}

/** Pod credentials, or a function that looks them up only when a decision needs them (as upstream does lazily). */
export type PodPullCredentialsSource = PodPullCredentials | (() => PodPullCredentials);

/** The on-disk file name of a record: `sha256-<hex sha256 of the key>` (fs_pullrecords.go). */
export function pullRecordFileName(key: string): string {
  return `sha256-${createHash('sha256').update(key).digest('hex')}`;
}

// ---------------------------------------------------------------------------------------------
// Credential hash

/** AuthConfig fields in Go's declaration order (pkg/credentialprovider/keyring.go), all `omitempty`. */
export interface AuthConfig {
  username?: string;
  password?: string;
  auth?: string;
  email?: string;
  serveraddress?: string;
  identitytoken?: string;
  registrytoken?: string;
}
const authConfigFields = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const;

/** encoding/json string encoding: like JSON.stringify, plus Go's HTML-safe escapes of <, >, & and U+2028/2029. */
function goJSONString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * hashAuthConfig (pkg/credentialprovider/keyring.go): hex SHA-256 of json.Marshal(AuthConfig). The keyring fills only
 * username, password and email from a docker config entry, so those are what a pull secret's hash covers.
 */
export function credentialHash(auth: AuthConfig): string {
  const parts: string[] = [];
  for (const f of authConfigFields) {
    const v = auth[f];
    if (v) parts.push(`${goJSONString(f)}:${goJSONString(v)}`);
  }
  return createHash('sha256')
    .update(`{${parts.join(',')}}`)
    .digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Credential verification policies (image_pull_policies.go)

/** Answers whether the policy wants the pod's credentials checked for this image. */
export type ImagePullPolicyEnforcer = (image: string, imagePulledByKubelet: boolean) => boolean;

export class InvalidAllowlistPatternError extends Error {
  override readonly name = 'InvalidAllowlistPatternError';
}

/** getAllowlistImagePattern: validates one preloadedImagesVerificationAllowlist entry. */
export function getAllowlistImagePattern(pattern: string): { pattern: string; isWildcard: boolean } {
  if (pattern !== pattern.trim()) {
    throw new InvalidAllowlistPatternError(`leading/trailing spaces are not allowed: ${pattern}`);
  }
  let trimmed = pattern;
  const isWildcard = pattern.endsWith('/*');
  if (isWildcard) trimmed = trimmed.slice(0, -1);
  if (trimmed.length === 0) throw new InvalidAllowlistPatternError(`the supplied pattern is too short: ${pattern}`);
  if (trimmed.includes('*')) {
    throw new InvalidAllowlistPatternError(`not a valid wildcard pattern, only patterns ending with '/*' are allowed: ${pattern}`);
  }
  if (isWildcard) {
    if (trimmed.length === 1) throw new InvalidAllowlistPatternError('at least registry hostname is required');
    return { pattern: trimmed, isWildcard: true };
  }
  let name: string;
  try {
    name = parseNormalizedNamed(trimmed).name;
  } catch (e) {
    throw new InvalidAllowlistPatternError(`failed to parse as an image name: ${(e as Error).message}`);
  }
  if (trimmed !== name) {
    throw new InvalidAllowlistPatternError(`neither tag nor digest is accepted in an image reference: ${pattern}`);
  }
  return { pattern: trimmed, isWildcard: false };
}

/** ValidateAllowlistImagesPatterns: throws InvalidAllowlistPatternError for the first bad pattern. */
export function validateAllowlistImagesPatterns(patterns: readonly string[]): void {
  for (const p of patterns) getAllowlistImagePattern(p);
}

/**
 * NeverVerifyAllowlistedImages: allowlisted names are never verified; every other image always is, preloaded
 * or not — the code ignores imagePulledByKubelet here.
 */
export class NeverVerifyAllowlistedImages {
  readonly absoluteURLs = new Set<string>();
  readonly prefixes: string[] = [];

  constructor(allowlist: readonly string[]) {
    for (const p of allowlist) {
      const { pattern, isWildcard } = getAllowlistImagePattern(p);
      if (isWildcard) this.prefixes.push(pattern);
      else this.absoluteURLs.add(pattern);
    }
  }

  imageMatches(image: string): boolean {
    let name: string;
    try {
      name = parseNormalizedNamed(image).name;
    } catch {
      return false;
    }
    return this.absoluteURLs.has(name) || this.prefixes.some((p) => name.startsWith(p));
  }

  readonly requireCredentialVerificationForImage: ImagePullPolicyEnforcer = (image) => !this.imageMatches(image);
}

/** NewImagePullCredentialVerificationPolicy. Throws for an invalid allowlist pattern. */
export function newImagePullCredentialVerificationPolicy(policy: ImagePullCredentialsVerificationPolicy, allowlist: readonly string[] = []): ImagePullPolicyEnforcer {
  switch (policy) {
    case 'NeverVerify':
      return () => false;
    case 'NeverVerifyPreloadedImages':
      return (_image, imagePulledByKubelet) => imagePulledByKubelet;
    case 'NeverVerifyAllowlistedImages':
      return new NeverVerifyAllowlistedImages(allowlist).requireCredentialVerificationForImage;
    case 'AlwaysVerify':
      return () => true;
  }
}

// ---------------------------------------------------------------------------------------------
// Record merging

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
function coordsLess(a: { namespace: string; name: string; uid: string }, b: { namespace: string; name: string; uid: string }): number {
  return compareStrings(a.namespace, b.namespace) || compareStrings(a.name, b.name) || compareStrings(a.uid, b.uid);
}
const coordsKey = (s: { uid: string; namespace: string; name: string }) => JSON.stringify([s.uid, s.namespace, s.name]);

/** mergePullSecrets: union by (namespace, name, uid), the newer hash wins, sorted; undefined when nothing changed. */
function mergePullSecrets(orig: readonly ImagePullSecret[], add: readonly ImagePullSecret[]): ImagePullSecret[] | undefined {
  const set = new Map<string, ImagePullSecret>();
  for (const s of orig) set.set(coordsKey(s), s);
  let changed = false;
  for (const s of add) {
    const existing = set.get(coordsKey(s));
    if (!existing || existing.credentialHash !== s.credentialHash) {
      changed = true;
      set.set(coordsKey(s), { uid: s.uid, namespace: s.namespace, name: s.name, credentialHash: s.credentialHash });
    }
  }
  return changed ? [...set.values()].sort(coordsLess) : undefined;
}

/** mergePullServiceAccounts: set union, sorted; undefined when nothing changed. */
function mergePullServiceAccounts(orig: readonly ImagePullServiceAccount[], add: readonly ImagePullServiceAccount[]): ImagePullServiceAccount[] | undefined {
  const set = new Map<string, ImagePullServiceAccount>();
  for (const s of orig) set.set(coordsKey(s), s);
  let changed = false;
  for (const s of add) {
    if (!set.has(coordsKey(s))) {
      changed = true;
      set.set(coordsKey(s), { uid: s.uid, namespace: s.namespace, name: s.name });
    }
  }
  return changed ? [...set.values()].sort(coordsLess) : undefined;
}

function isNodeAccessible(c: ImagePullCredentials): c is NodePodsAccessibleCredentials {
  return c.nodePodsAccessible === true;
}

/**
 * pulledRecordMergeNewCreds: merges `newCreds` into the mapping for `imageNoTagDigest`. Node-accessible is final;
 * new node-accessible replaces the lists; secrets and service accounts are unioned. A brand-new key keeps the input
 * as given. Returns the (possibly new) record and whether it changed; the input record is never mutated.
 */
export function pulledRecordMergeNewCreds(
  orig: ImagePulledRecord,
  imageNoTagDigest: string,
  newCreds: ImagePullCredentials | undefined,
  nowISO: string,
): [ImagePulledRecord, boolean] {
  if (!newCreds) return [orig, false];
  const secrets = isNodeAccessible(newCreds) ? [] : (newCreds.kubernetesSecrets ?? []);
  const sas = isNodeAccessible(newCreds) ? [] : (newCreds.kubernetesServiceAccounts ?? []);
  if (!isNodeAccessible(newCreds) && secrets.length === 0 && sas.length === 0) return [orig, false];

  const selected = orig.credentialMapping[imageNoTagDigest];
  const withMapping = (creds: ImagePullCredentials): [ImagePulledRecord, boolean] => [
    { ...orig, credentialMapping: { ...orig.credentialMapping, [imageNoTagDigest]: creds }, lastUpdatedTime: nowISO },
    true,
  ];
  if (!selected) return withMapping(newCreds);
  if (isNodeAccessible(selected)) return [orig, false];
  if (isNodeAccessible(newCreds)) return withMapping({ nodePodsAccessible: true });
  // upstream's switch handles secrets first, service accounts only when no secrets were given
  if (secrets.length > 0) {
    const merged = mergePullSecrets(selected.kubernetesSecrets ?? [], secrets);
    return merged ? withMapping({ ...selected, kubernetesSecrets: merged }) : [orig, false];
  }
  const merged = mergePullServiceAccounts(selected.kubernetesServiceAccounts ?? [], sas);
  return merged ? withMapping({ ...selected, kubernetesServiceAccounts: merged }) : [orig, false];
}

// ---------------------------------------------------------------------------------------------
// The manager

/** ImagePullManager (pullmanager/interfaces.go): what the kubelet's image manager calls. */
export interface ImagePullManager {
  recordPullIntent(image: string): void;
  recordImagePulled(image: string, imageRef: string, credentials: ImagePullCredentials | undefined): void;
  recordImagePullFailed(image: string): void;
  mustAttemptImagePull(image: string, imageRef: string, pod: PodPullCredentialsSource): boolean;
}

/** An image the runtime knows, for initialize() after a kubelet restart. */
export interface RuntimeImage {
  id: string;
  repoTags: readonly string[];
  repoDigests: readonly string[];
}

/** Persistable state: the `pulling/` and `pulled/` directories' contents. */
export interface PullManagerState {
  pulling: ImagePullIntent[];
  pulled: ImagePulledRecord[];
}

// writeRecordWhileMatchingLimit (image_pull_manager.go): stop caching newly matched secrets past 100 per image.
const writeRecordWhileMatchingLimit = 100;

/** PullManager: per-node records of kubelet pulls and of who may use each pulled image. */
export class PullManager implements ImagePullManager {
  private readonly intents = new Set<string>();
  private readonly intentCounters = new Map<string, number>();
  private readonly pulled = new Map<string, ImagePulledRecord>();
  /** Counts record writes, so callers and tests can see that a match cached a credential. */
  writes = 0;

  constructor(
    readonly enforcer: ImagePullPolicyEnforcer,
    readonly now: Clock,
    state?: PullManagerState,
  ) {
    for (const i of state?.pulling ?? []) this.intents.add(i.image);
    for (const r of state?.pulled ?? []) this.pulled.set(r.imageRef, r);
  }

  private nowISO(): string {
    return new Date(this.now()).toISOString();
  }

  /** RecordPullIntent: before every pull (Always included). */
  recordPullIntent(image: string): void {
    this.intents.add(image);
    this.intentCounters.set(image, (this.intentCounters.get(image) ?? 0) + 1);
  }

  /** RecordImagePulled: records who may use imageRef from now on, then drops one intent. */
  recordImagePulled(image: string, imageRef: string, credentials: ImagePullCredentials | undefined): void {
    try {
      this.writePulledRecordIfChanged(image, imageRef, credentials);
    } catch {
      // upstream logs and keeps the intent, so the image still counts as kubelet-pulled
      return;
    }
    this.decrementImagePullIntent(image);
  }

  /** RecordImagePullFailed: drops one intent. */
  recordImagePullFailed(image: string): void {
    this.decrementImagePullIntent(image);
  }

  private decrementImagePullIntent(image: string): void {
    const n = this.intentCounters.get(image) ?? 0;
    if (n <= 1) {
      this.intents.delete(image);
      this.intentCounters.delete(image);
      return;
    }
    this.intentCounters.set(image, n - 1);
  }

  /** writePulledRecordIfChanged: undefined credentials mark "pulled, but by whom is unknown" (forces verification). */
  private writePulledRecordIfChanged(image: string, imageRef: string, credentials: ImagePullCredentials | undefined): boolean {
    const sanitized = trimImageTagDigest(image); // throws for an invalid name, as upstream returns an error
    const existing = this.pulled.get(imageRef);
    let record: ImagePulledRecord;
    let changed: boolean;
    if (!existing) {
      record = {
        lastUpdatedTime: this.nowISO(),
        imageRef,
        credentialMapping: credentials ? { [sanitized]: credentials } : {},
      };
      changed = true;
    } else {
      [record, changed] = pulledRecordMergeNewCreds(existing, sanitized, credentials, this.nowISO());
    }
    if (changed) {
      this.pulled.set(imageRef, record);
      this.writes++;
    }
    return changed;
  }

  /** Whether the kubelet pulled (or is pulling) this: a pulled record for imageRef, or an intent for image. */
  imagePulledByKubelet(image: string, imageRef: string): boolean {
    return this.pulled.has(imageRef) || (this.intentCounters.get(image) ?? 0) > 0 || this.intents.has(image);
  }

  /**
   * MustAttemptImagePull: true when a present image may not be used by this pod without pulling it with the pod's
   * own credentials. Matching a recorded secret by hash or by coordinates caches the pod's secret in the record.
   */
  mustAttemptImagePull(image: string, imageRef: string, podCredentials: PodPullCredentialsSource): boolean {
    if (imageRef.length === 0) return true;
    const pulledRecord = this.pulled.get(imageRef);
    if (!this.enforcer(image, this.imagePulledByKubelet(image, imageRef))) return false;
    if (!pulledRecord) return true;

    let sanitized: string;
    try {
      sanitized = trimImageTagDigest(image);
    } catch {
      return true; // upstream: failed to parse image name, forcing image credentials reverification
    }
    const cached = pulledRecord.credentialMapping[sanitized];
    if (!cached) return true;
    if (isNodeAccessible(cached)) return false;
    const cachedSecrets = cached.kubernetesSecrets ?? [];
    const cachedSAs = cached.kubernetesServiceAccounts ?? [];
    if (cachedSecrets.length === 0 && cachedSAs.length === 0) return true;

    const pod = typeof podCredentials === 'function' ? podCredentials() : podCredentials;
    for (const podSecret of pod.secrets) {
      for (const cachedSecret of cachedSecrets) {
        // an empty cached hash means hashing failed when it was recorded: never a hash match
        const hashesMatch = cachedSecret.credentialHash.length > 0 && podSecret.credentialHash === cachedSecret.credentialHash;
        const coordsMatch = podSecret.uid === cachedSecret.uid && podSecret.namespace === cachedSecret.namespace && podSecret.name === cachedSecret.name;
        if (hashesMatch) {
          if (!coordsMatch && cachedSecrets.length < writeRecordWhileMatchingLimit) {
            this.tryCache(image, imageRef, podSecret);
          }
          return false;
        }
        if (coordsMatch) {
          if (cachedSecrets.length < writeRecordWhileMatchingLimit) {
            this.tryCache(image, imageRef, podSecret);
            return false;
          }
        }
      }
    }

    const sa = pod.serviceAccount;
    if (sa && cachedSAs.some((c) => c.uid === sa.uid && c.namespace === sa.namespace && c.name === sa.name)) return false;
    return true;
  }

  private tryCache(image: string, imageRef: string, secret: ImagePullSecret): void {
    try {
      this.writePulledRecordIfChanged(image, imageRef, { kubernetesSecrets: [secret] });
    } catch {
      // upstream logs the write failure and still answers from the match
    }
  }

  /** PruneUnknownRecords (image GC): drop records older than `untilMs` whose imageRef is no longer on the node. */
  pruneUnknownRecords(imageRefsInUse: readonly string[], untilMs: number): void {
    const inUse = new Set(imageRefsInUse);
    for (const [ref, record] of this.pulled) {
      if (!(Date.parse(record.lastUpdatedTime) < untilMs)) continue;
      if (inUse.has(ref)) continue;
      this.pulled.delete(ref);
    }
  }

  /**
   * initialize (after a kubelet restart): leftover intents whose image the runtime has become pulled records with
   * no credentials, so those images must be verified next time.
   */
  initialize(runtimeImages: readonly RuntimeImage[]): void {
    if (this.intents.size === 0) return;
    for (const img of runtimeImages) {
      const found = new Set([...img.repoDigests, ...img.repoTags].filter((t) => this.intents.has(t)));
      for (const image of found) {
        try {
          this.writePulledRecordIfChanged(image, img.id, undefined);
        } catch {
          continue;
        }
        this.intents.delete(image);
      }
    }
  }

  /** The pulled record for imageRef, if any. */
  getImagePulledRecord(imageRef: string): ImagePulledRecord | undefined {
    return this.pulled.get(imageRef);
  }

  /** Images with an intent record (pulls in flight, or left over from before a restart). */
  pullIntents(): string[] {
    return [...this.intents];
  }

  /** In-flight pulls counted for image since this manager started. */
  inFlightPulls(image: string): number {
    return this.intentCounters.get(image) ?? 0;
  }

  toJSON(): PullManagerState {
    return {
      pulling: [...this.intents].map((image) => ({ image })),
      pulled: [...this.pulled.values()],
    };
  }
}
