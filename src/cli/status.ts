// `image-heist status`: the labs running here, from the lab.json files that `up`, `play` and `workshop`
// write (under .lab by default): profile, API server, kubeconfig, and whether it still answers.
import { readdir, readFile } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULT_LAB_DIR } from '../embedded/up-defaults.js';
import type { LabInfo } from '../lab/backend.js';
import { shownPath } from '../report/shown-path.js';

export interface LabStatus {
  file: string;
  profile: string;
  apiServer: string;
  kubeconfig: string;
  running: boolean;
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('list the labs running here (from their lab.json files), with profiles and API server addresses')
    .option('--dir <dir>', 'where to look for lab.json files (and two levels below)', DEFAULT_LAB_DIR)
    .option('--json', 'print them as JSON')
    .action(async (options: { dir: string; json?: boolean }) => {
      const labs = await findLabs(path.resolve(options.dir));
      process.stdout.write(options.json ? `${JSON.stringify(labs, null, 2)}\n` : `${formatStatus(labs, options.dir)}\n`);
    });
}

/** lab.json in DIR and up to two levels below (DIR/play/<profile>/, DIR/attendee-K/). */
export async function findLabs(dir: string, depth = 2): Promise<LabStatus[]> {
  const found: LabStatus[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isFile() && entry.name === 'lab.json') {
      const info = await readFile(full, 'utf8').then(
        (t) => JSON.parse(t) as Partial<LabInfo>,
        () => undefined,
      );
      if (!info?.apiServer || !info.profile) continue;
      found.push({ file: full, profile: info.profile, apiServer: info.apiServer, kubeconfig: info.kubeconfig ?? '', running: await answers(info.apiServer) });
    } else if (entry.isDirectory() && depth > 0) found.push(...(await findLabs(full, depth - 1)));
  }
  return found;
}

/** Whether something listens at the API server's address (a stale lab.json names a port nobody holds). */
function answers(url: string): Promise<boolean> {
  let host: string;
  let port: number;
  try {
    const parsed = new URL(url);
    host = parsed.hostname;
    port = Number(parsed.port || 443);
  } catch {
    return Promise.resolve(false);
  }
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(1_000);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

export function formatStatus(labs: readonly LabStatus[], dir: string): string {
  if (labs.length === 0) return `no labs: no lab.json under ${dir} (start one with up or play)`;
  const width = Math.max(...labs.map((l) => l.profile.length));
  return labs
    .flatMap((l) => [
      `${l.running ? 'running' : 'stopped'}  ${l.profile.padEnd(width)}  ${l.apiServer}${l.running ? '' : '  (stale lab.json: nothing answers)'}`,
      `         export KUBECONFIG=${shownPath(l.kubeconfig)}`,
    ])
    .join('\n');
}
