// One way to get a backend for run, play and up: the embedded lab in-process, or kind after its preflight (which
// refuses with exit 3 before anything starts, and says what the cluster configs adapt to on this host).
import type { KindImages } from '../kind/names.js';
import type { BackendName, LabBackend } from './backend.js';
import type { ProfileName } from './profiles.js';

export interface CreateBackendOptions {
  /** Profiles that will run at once: kind creates their clusters together and checks memory for all of them. */
  profiles?: readonly ProfileName[];
  /** Worker nodes per lab. */
  nodes?: number;
  /** embedded: lab seconds per real second (back-offs pass that much faster). Default 20, as run and play want. */
  timeScale?: number;
  /** kind: keep the clusters and registries after the run, and reuse kept ones. */
  keep?: boolean;
  /** kind: the node, registry and busybox images instead of the pinned upstream ones. */
  images?: Partial<KindImages>;
  /** kind: a line for each host setting the configs adapt to (cgroup v1, CAP_SYS_RESOURCE). */
  onNote?: (note: string) => void;
}

export async function createBackend(name: BackendName, options: CreateBackendOptions = {}): Promise<LabBackend> {
  if (name === 'embedded') {
    const { createEmbeddedBackend } = await import('../embedded/lab.js');
    return createEmbeddedBackend({ timeScale: options.timeScale ?? 20 });
  }
  // through src/kind/index.ts only: it loads testcontainers when a container starts, not before
  const kind = await import('../kind/index.js');
  const profiles = options.profiles ?? [];
  const preflight = await kind.kindPreflight({ clusters: Math.max(1, profiles.length), ...(options.nodes ? { workers: options.nodes } : {}) });
  for (const note of preflight.assessment.notes) options.onNote?.(note);
  return kind.createKindBackend({
    profiles,
    ...(options.keep ? { keep: true } : {}),
    ...(options.nodes ? { workers: options.nodes } : {}),
    ...(options.images ? { images: options.images } : {}),
    host: preflight.assessment.settings,
    skipPreflight: true,
  });
}
