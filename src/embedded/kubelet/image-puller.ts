// The runtime side of an image pull: the kubelet's PullImage (pkg/kubelet/kuberuntime/kuberuntime_image.go)
// tries each matching credential in turn, or pulls anonymously when none matches; the "runtime" fetches the
// image over HTTP with the project's OCI client into the node's content-addressed store.
// Offline by design: the client reaches loopback registries only; anything else fails at once, with no traffic.
import type { PullCredentialSource, PullOutcome } from '../../k8s/image-pull-decision.js';
import { pullImage, RegistryClientError, type PulledImage } from '../../registry/client.js';
import type { ImageStore } from '../node/image-store.js';
import type { TrackedCredential } from './pull-secrets.js';

/**
 * containerd's wording of a failed pull (internal/cri/server/images/image_pull.go: `failed to pull and unpack
 * image %q: ...`, resolver errors from core/remotes/docker/resolver.go), so messages read as on a kind node.
 */
export function criPullErrorMessage(image: string, error: unknown): string {
  const prefix = `failed to pull and unpack image ${JSON.stringify(image)}: failed to resolve reference ${JSON.stringify(image)}`;
  if (!(error instanceof RegistryClientError)) return `${prefix}: ${error instanceof Error ? error.message : String(error)}`;
  switch (error.kind) {
    case 'unauthorized':
    case 'denied':
      return `${prefix}: pull access denied, repository does not exist or may require authorization: authorization failed: ${
        error.kind === 'unauthorized' ? 'no basic auth credentials' : 'server message: denied: requested access to the resource is denied'
      }`;
    case 'not-found':
      return `${prefix}: ${image}: not found`;
    case 'network': {
      const refused = /ECONNREFUSED|connection refused/i.test(error.message);
      const host = image.split('/')[0] ?? '';
      return `${prefix}: failed to do request: Head "http://${host}/v2/...": ${refused ? `dial tcp ${host}: connect: connection refused` : error.message}`;
    }
    case 'host-not-allowed':
      return `${prefix}: ${error.message}`;
    default:
      return `failed to pull and unpack image ${JSON.stringify(image)}: ${error.message}`;
  }
}

/** Pulls `imageToPull` into `store` with the pod's credentials (anonymous when there are none). */
export async function pullIntoStore(store: ImageStore, imageToPull: string, credentials: readonly TrackedCredential[]): Promise<PullOutcome> {
  const started = performance.now();
  const attempts: { creds?: TrackedCredential }[] = credentials.length === 0 ? [{}] : credentials.map((creds) => ({ creds }));
  let lastError: unknown;
  for (const { creds } of attempts) {
    let pulled: PulledImage;
    try {
      pulled = await pullImage(imageToPull, creds ? { credentials: { username: creds.username, password: creds.password } } : {});
    } catch (error) {
      lastError = error;
      continue;
    }
    try {
      const cached = store.addImage(imageToPull, { manifest: pulled.manifestBytes, config: pulled.config, layers: pulled.layers });
      const ms = performance.now() - started;
      const credentialUsed: PullCredentialSource = creds ? { kind: 'secret', secret: creds.source } : { kind: 'none' };
      return { ok: true, imageRef: cached.id, pullMs: ms, totalMs: ms, imageSizeBytes: cached.size, credentialUsed };
    } catch (error) {
      return { ok: false, error: `failed to pull and unpack image ${JSON.stringify(imageToPull)}: ${(error as Error).message}` };
    }
  }
  return { ok: false, error: criPullErrorMessage(imageToPull, lastError) };
}
