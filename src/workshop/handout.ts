// One page per attendee, in Markdown: where their lab is, how to point kubectl at it, and the story's commands
// for their very lab (the same text `up` prints, src/report/lab-story.ts).
import path from 'node:path';
import type { LabInfo } from '../lab/backend.js';
import { labStoryText } from '../report/lab-story.js';

export function handoutMarkdown(info: LabInfo, seat: { attendee: number; dir: string; listen?: string | undefined }): string {
  const kubeconfig = path.join(seat.dir, 'kubeconfig');
  // the story as `up` prints it, without `up`'s own last line: the instructor stops the room, not the attendee
  const story = labStoryText(info, seat.dir, 100, seat.dir)
    .split('\n')
    .filter((line) => !line.startsWith('Press Ctrl-C'))
    .join('\n')
    .trim();
  return [
    `# image-heist workshop — attendee ${seat.attendee}`,
    '',
    `Your own Kubernetes lab (profile \`${info.profile}\`) runs on the instructor's machine at ${info.apiServer}.`,
    'You need only `kubectl`. Nobody else in the room can use your lab, and you cannot use theirs.',
    '',
    ...(seat.listen
      ? [
          '## Get your kubeconfig',
          '',
          `Copy \`${kubeconfig}\` from the instructor's machine to yours (it holds your tokens: keep it to yourself), then`,
          'set `KUBECONFIG` to where you saved it instead of the path below.',
          '',
        ]
      : []),
    'Contexts: `admin1` (Admin1, namespace `tenant-a`, has ImagePullSecret1), `admin2` (Admin2, namespace `tenant-b`,',
    'no pull secret), `admin` (the cluster admin — for looking, not for the heist).',
    '',
    '## The heist',
    '',
    '```text',
    story,
    '```',
    '',
    'When the instructor switches the room to another defence, your lab starts again with a new kubeconfig:',
    'copy it again. The board shows the instructor when your task is done; nothing you type is sent anywhere else.',
    '',
  ].join('\n');
}
