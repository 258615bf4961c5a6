// The story's verdict in one attendee's lab as it is now, read from the pods (pure): did Admin2's pod print the
// flag (bypass), or fail to get the image (blocked)? Nothing is claimed that the lab does not show.
import type { LabSnapshot, PodFacts } from '../tutorial/tasks.js';

export type Verdict = { kind: 'not-started' } | { kind: 'in-progress' } | { kind: 'bypass'; evidence: string } | { kind: 'blocked'; evidence: string };

// kubelet reasons for an image Admin2 could not get (pkg/kubelet/images/types.go)
const NO_IMAGE = /^(Init:)?(ErrImagePull|ImagePullBackOff|ErrImageNeverPull)$/;

export function storyVerdict(lab: Extract<LabSnapshot, { kind: 'lab' }>): Verdict {
  const secret = (p: PodFacts) => p.images.includes(lab.secretImage);
  const admin2 = lab.pods.filter((p) => p.namespace === lab.namespaces.admin2 && secret(p));
  const leaked = admin2.find((p) => p.log.includes(lab.flag));
  if (leaked) return { kind: 'bypass', evidence: `${leaked.namespace}/${leaked.name} printed the flag` };
  const refused = admin2.find((p) => NO_IMAGE.test(p.status));
  if (refused) return { kind: 'blocked', evidence: `${refused.namespace}/${refused.name}: ${refused.status}` };
  return lab.pods.length > 0 ? { kind: 'in-progress' } : { kind: 'not-started' };
}

export function verdictLabel(verdict: Verdict): string {
  switch (verdict.kind) {
    case 'not-started':
      return '—';
    case 'in-progress':
      return 'in progress';
    case 'bypass':
      return 'BYPASS';
    case 'blocked':
      return 'blocked';
  }
}
