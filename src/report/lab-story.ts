// The story as kubectl commands for a running lab, as `up` prints them: point kubectl at the lab first, then
// Admin1, then Admin2 — each command wrapped for the terminal and runnable as printed, and a wait before
// every `logs` (right after `run`, logs fails with "waiting to start: ContainerCreating").
import path from 'node:path';
import type { LabInfo } from '../lab/backend.js';
import wrapAnsi from 'wrap-ansi';
import { shownPath } from './shown-path.js';
import { wrapCommand } from './shell.js';

export function labStoryText(info: LabInfo, dir: string, width = 80, cwd = process.cwd()): string {
  const node = info.nodes[0] ?? '';
  const a = info.tenants.admin1.namespace;
  const cmd = (line: string, comment?: string) => {
    // JSON allows a line break between tokens, and inside single quotes the shell keeps it: a long
    // override still pastes as one argument
    const lines = wrapCommand(`  ${line}`, width).flatMap((l) =>
      l.length > width ? l.split(/(?<=,)(?="imagePullSecrets")/).map((part, i) => (i ? `        ${part}` : part)) : [l],
    );
    if (comment) lines.push(`    # ${comment}`);
    return lines;
  };
  const prose = (text: string) => wrapAnsi(text, width, { hard: false, trim: true });
  return [
    '',
    prose(`The lab is up (profile ${info.profile}, nodes ${info.nodes.join(', ')}). Lab details: ${shownPath(path.join(dir, 'lab.json'), cwd)}`),
    '',
    'Point kubectl at it (this shell only; nothing is written to ~/.kube):',
    `  export KUBECONFIG=${info.kubeconfig}`,
    '',
    prose(`Admin1 runs SuperSecretImage1 with ImagePullSecret1 on ${node}:`),
    ...cmd(
      `kubectl --context admin1 run pod1 --image=${info.images.secret} --overrides='{"spec":{"nodeName":"${node}","imagePullSecrets":[{"name":"${info.tenants.admin1.pullSecret}"}]}}'`,
    ),
    ...cmd('kubectl --context admin1 wait --for=condition=Ready pod/pod1 --timeout=60s'),
    ...cmd('kubectl --context admin1 logs pod1'),
    '',
    prose(`Admin2 (no pull secret, no access to ${a}) runs the same image on the same node:`),
    ...cmd(`kubectl --context admin2 run pod2 --image=${info.images.secret} --image-pull-policy=IfNotPresent --overrides='{"spec":{"nodeName":"${node}"}}'`),
    ...cmd('kubectl --context admin2 wait --for=condition=Ready pod/pod2 --timeout=30s', 'times out when a defence blocks the pull: then describe shows why'),
    ...cmd('kubectl --context admin2 describe pod pod2'),
    ...cmd('kubectl --context admin2 logs pod2', 'the flag here means the cached image leaked'),
    ...cmd(`kubectl --context admin2 get secrets -n ${a}`, 'Forbidden: Admin2 cannot read ImagePullSecret1'),
    '',
    'Press Ctrl-C to stop the lab.',
    '',
  ].join('\n');
}
