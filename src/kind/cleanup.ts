// What `image-heist down` removes: kind clusters named image-heist-<profile> and containers carrying the lab label.
// Nothing else: a user's own clusters and containers are never matched.
import { PROFILE_NAMES } from '../lab/profiles.js';
import { listLabContainers, removeContainers } from './commands.js';
import { deleteKindCluster, listClusters } from './cluster.js';
import { runCommand } from './exec.js';
import { LAB_LABEL, clusterName } from './names.js';

/** Only the names the lab gives (one per profile), not anything that merely starts with the prefix. */
export function labClusters(all: readonly string[]): string[] {
  const ours = new Set(PROFILE_NAMES.map(clusterName));
  return all.filter((name) => ours.has(name));
}

export async function findLabResources(): Promise<{ clusters: string[]; containers: string[] }> {
  const [clusters, containers] = await Promise.all([listClusters(), runCommand(listLabContainers(LAB_LABEL))]);
  return { clusters: labClusters(clusters), containers: containers.split('\n').map((l) => l.trim()).filter((l) => l !== '') };
}

export async function removeLabResources(onRemoved: (what: string) => void = () => {}): Promise<{ clusters: string[]; containers: string[] }> {
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
  return found;
}
