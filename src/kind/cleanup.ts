// What `image-heist down` removes: kind clusters named image-heist-<profile>, containers carrying the lab label, the
// kind network when those clusters were its last users, and
// the backend's leftover private folders (image-heist-kind-* in the temp folder: kind kubeconfigs, lab kubeconfigs
// with tokens). Nothing else: a user's own clusters, containers and files are never matched.
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PROFILE_NAMES } from '../lab/profiles.js';
import { listLabContainers, removeContainers, removeNetwork } from './commands.js';
import { deleteKindCluster, listClusters } from './cluster.js';
import { runCommand } from './exec.js';
import { KIND_NETWORK, LAB_LABEL, WORKDIR_PREFIX, clusterName } from './names.js';

/** Only the names the lab gives (one per profile), not anything that merely starts with the prefix. */
export function labClusters(all: readonly string[]): string[] {
  const ours = new Set(PROFILE_NAMES.map(clusterName));
  return all.filter((name) => ours.has(name));
}

export async function findLabResources(): Promise<{ clusters: string[]; containers: string[] }> {
  const [clusters, containers] = await Promise.all([listClusters(), runCommand(listLabContainers(LAB_LABEL))]);
  return {
    clusters: labClusters(clusters),
    containers: containers
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  };
}

/** The backend's private folders left by a run that could not clean up (killed with SIGKILL, a crash). */
export async function leftoverWorkdirs(dir = tmpdir()): Promise<string[]> {
  const names = await readdir(dir).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(WORKDIR_PREFIX) && /^[\w-]+$/.test(n)).map((n) => path.join(dir, n));
}

export async function removeLabResources(onRemoved: (what: string) => void = () => {}): Promise<{ clusters: string[]; containers: string[]; folders: string[] }> {
  const found = await findLabResources();
  await Promise.all(
    found.clusters.map(async (name) => {
      await deleteKindCluster(name);
      onRemoved(`cluster ${name}`);
    }),
  );
  if (found.containers.length > 0) {
    await runCommand(removeContainers(found.containers));
    for (const c of found.containers) onRemoved(`container ${c}`);
  }
  // kind leaves its network behind (kind delete.go); once the lab's clusters are gone it goes too, unless something
  // else still uses it (Docker refuses to remove a network with containers attached: the user's own clusters stay)
  if (found.clusters.length > 0) {
    const removed = await runCommand(removeNetwork(KIND_NETWORK)).then(
      () => true,
      () => false,
    );
    if (removed) onRemoved(`network ${KIND_NETWORK}`);
  }
  // after the clusters: a running backend's folder goes with its clusters
  const folders = await leftoverWorkdirs();
  for (const folder of folders) {
    await rm(folder, { recursive: true, force: true });
    onRemoved(`folder ${folder}`);
  }
  return { ...found, folders };
}
