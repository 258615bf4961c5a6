// The kubelet's pull secrets for a pod and the credentials they give for one image:
// getPullSecretsForPod (pkg/kubelet/kubelet_pods.go) and MakeDockerKeyring + Lookup
// (pkg/credentialprovider/secrets/secrets.go, pkg/credentialprovider/keyring.go) as EnsureImageExists uses them.
import { BasicDockerKeyring, type DockerConfig, type DockerConfigEntry } from '../../k8s/credential-keyring.js';
import { parseNormalizedNamed } from '../../k8s/image-reference.js';
import { credentialHash, type ImagePullSecret, type PodPullCredentials } from '../../k8s/pull-manager.js';
import { parseDockerConfigJson } from '../../registry/docker-config.js';
import { findResource } from '../apiserver/resources.js';
import type { KubeObject, ObjectStore } from '../apiserver/store.js';

const secretsResource = findResource('', 'v1', 'secrets')!;

/** A pull secret the pod may use: its coordinates and decoded docker config. */
export interface PodPullSecret {
  uid: string;
  namespace: string;
  name: string;
  config: DockerConfig;
}

export interface PodPullSecrets {
  secrets: PodPullSecret[];
  /** Names the pod lists that could not be retrieved (FailedToRetrieveImagePullSecret). */
  missing: string[];
}

/** One credential for an image, with the secret it came from (credentialprovider.TrackedAuthConfig). */
export interface TrackedCredential {
  username: string;
  password: string;
  source: ImagePullSecret;
}

type Json = Record<string, unknown>;

/** The dockerconfig a secret holds (secrets.go MakeDockerKeyring reads only these two types), or undefined. */
function secretDockerConfig(secret: KubeObject): DockerConfig | undefined {
  const data = (secret['data'] ?? {}) as Json;
  const type = secret['type'];
  const raw = type === 'kubernetes.io/dockerconfigjson' ? data['.dockerconfigjson'] : type === 'kubernetes.io/dockercfg' ? data['.dockercfg'] : undefined;
  if (typeof raw !== 'string') return undefined;
  try {
    return parseDockerConfigJson(Buffer.from(raw, 'base64'));
  } catch {
    return undefined; // upstream logs and ignores a secret it cannot parse
  }
}

/** getPullSecretsForPod: the pod's imagePullSecrets (ServiceAccount admission has added the service account's). */
export function getPullSecretsForPod(store: ObjectStore, pod: KubeObject): PodPullSecrets {
  const namespace = pod.metadata.namespace ?? 'default';
  const refs = (((pod['spec'] ?? {}) as Json)['imagePullSecrets'] ?? []) as { name?: string }[];
  const secrets: PodPullSecret[] = [];
  const missing: string[] = [];
  for (const ref of Array.isArray(refs) ? refs : []) {
    const name = ref?.name ?? '';
    if (name === '') continue; // "Invalid image pull secret: empty name"
    const secret = store.get(secretsResource, namespace, name);
    if (!secret) {
      missing.push(name);
      continue;
    }
    const config = secretDockerConfig(secret);
    if (config) secrets.push({ uid: secret.metadata.uid ?? '', namespace, name, config });
  }
  return { secrets, missing };
}

/** keyring.Lookup(repoToPull) over the pod's secrets: matching credentials, most specific location first. */
export function lookupCredentials(secrets: readonly PodPullSecret[], image: string): TrackedCredential[] {
  let repo: string;
  try {
    repo = parseNormalizedNamed(image).name;
  } catch {
    return [];
  }
  const keyring = new BasicDockerKeyring<DockerConfigEntry & { source: ImagePullSecret }>();
  for (const s of secrets) {
    const tracked: Record<string, DockerConfigEntry & { source: ImagePullSecret }> = {};
    for (const [location, entry] of Object.entries(s.config)) {
      // the keyring hashes only username, password and email (credentialprovider hashAuthConfig)
      const hash = credentialHash({ username: entry.username, password: entry.password, ...(entry.email ? { email: entry.email } : {}) });
      tracked[location] = { ...entry, source: { uid: s.uid, namespace: s.namespace, name: s.name, credentialHash: hash } };
    }
    keyring.add(tracked);
  }
  return keyring.lookup(repo).map((c) => ({ username: c.username, password: c.password, source: c.source }));
}

/** The pod's credentials as the KEP-2535 pull manager compares them: the secrets that match the image. */
export function podPullCredentials(credentials: readonly TrackedCredential[]): PodPullCredentials {
  return { secrets: credentials.map((c) => c.source) };
}
