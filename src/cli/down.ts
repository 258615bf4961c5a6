// `image-heist down`: removes every kind cluster and container the lab made (by name and label) and the kind
// backend's leftover private folders, nothing else.
import type { Command } from 'commander';
import { BackendUnavailableError } from '../errors.js';

export function registerDown(program: Command): void {
  program
    .command('down')
    .description('remove the kind clusters, registry containers and temporary folders the lab made (also those kept with --keep)')
    .action(async () => {
      await down();
    });
}

async function down(): Promise<void> {
  const { probeDocker, probeKind } = await import('../kind/preflight.js');
  const docker = await probeDocker();
  if (!docker.engine) throw new BackendUnavailableError(`down needs a Docker engine, and none answers (${docker.reason})`, 'start Docker; nothing of the lab can run without it');
  const kind = await probeKind();
  if (!kind.found) throw new BackendUnavailableError(`down needs the kind CLI (${kind.reason})`, 'install kind, then run image-heist down again');
  const { removeLabResources } = await import('../kind/cleanup.js');
  const found = await removeLabResources((what) => process.stdout.write(`removed ${what}\n`));
  if (found.clusters.length + found.containers.length + found.folders.length === 0) process.stdout.write('nothing to remove: no image-heist clusters, containers or folders\n');
}
