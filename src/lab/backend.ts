// The provider boundary between the scenario engine and a lab. The engine speaks Kubernetes only through
// the API (client-node, with the kubeconfig a lab hands out); what the API cannot do goes through `Lab`.
import type { ProfileName } from './profiles.js';
import type { Timing } from './timing.js';

export const BACKEND_NAMES = ['embedded', 'kind'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];

/** The lab's users: the cluster admin and the two tenants' admins. Kubeconfig contexts carry these names. */
export type LabUser = 'admin' | 'admin1' | 'admin2';

/** What a running lab is: `image-heist up` writes it to lab.json (docs/lab-json.md). */
export interface LabInfo {
  profile: ProfileName;
  /** The API server URL (https://127.0.0.1:PORT on the embedded backend). */
  apiServer: string;
  /** Path of the kubeconfig with contexts admin, admin1 and admin2 (admin current). */
  kubeconfig: string;
  /** Admin1's registry login: what ImagePullSecret1 holds. */
  registry: { host: string; username: string; password: string };
  tenants: { admin1: { namespace: string; pullSecret: string }; admin2: { namespace: string } };
  /** References by tag: `HOST/secure/super-secret-image:1` and `HOST/public/hello:1`. */
  images: { secret: string; public: string };
  /** The random flag baked into SuperSecretImage1's /flag.txt: whoever prints it has the image. */
  flag: string;
  /** Worker node names, in order. */
  nodes: string[];
  /** The API server's audit log (audit.k8s.io/v1 Events, one a line; pod creates at Metadata), where the backend keeps one. */
  auditLog?: string;
}

/** Progress while a lab starts: one line per action, as kind prints its own. */
export interface LabProgress {
  action: string;
  status: 'started' | 'done';
}

export interface LabStartOptions {
  profile: ProfileName;
  /** Worker nodes (default 2). */
  nodes?: number;
  /** Where the kubeconfig (and lab.json, for `up`) go; a private temporary folder when omitted. */
  dir?: string;
  onProgress?: (progress: LabProgress) => void;
  signal?: AbortSignal;
}

export interface Lab {
  readonly info: LabInfo;
  /** The images' digests, so scenarios can refer to them by digest. */
  readonly imageDigests: { secret: string; public: string };
  /** The kubeconfig as YAML, for client-node (`KubeConfig.loadFromString`) with the user's context current. */
  kubeconfigFor(user: LabUser): string;
  /** Puts an image on a node outside the kubelet, as `kind load` or `crictl pull` do: no pull record is written. */
  preloadImage(image: string, node: string): Promise<void>;
  /** Removes an image from a node, as `crictl rmi` does. */
  removeImage(image: string, node: string): Promise<void>;
  /** Image references cached on each node. */
  nodeImages(): Promise<Record<string, string[]>>;
  /** Takes the registry away (false) or brings it back (true). */
  setRegistryAvailable(available: boolean): Promise<void>;
  /** Back to the stage `up` sets: tenants' pods gone, node caches and kubelet pull records empty, registry up. */
  reset(): Promise<void>;
  /** Stops everything this lab started; idempotent. */
  stop(): Promise<void>;
}

/**
 * What is backend-specific: how labs start (kind prepares every profile's cluster at once), how long pods take to
 * settle, and what must go when the command ends. run, play and up get one from createBackend (src/lab/create-backend.ts).
 */
export interface LabBackend {
  readonly name: BackendName;
  readonly timing: Timing;
  start(options: LabStartOptions): Promise<Lab>;
  /** Removes everything the backend made for its labs (also what a cancelled start left); idempotent. Call it in a finally. */
  shutdown(): Promise<void>;
}
