// A step as the app shows it: its action with this lab's real values in place of `{{ … }}`, filled the way
// the engine fills them; a value not known yet (a pod not scheduled) stays as the placeholder.
import type { BackendName } from '../lab/backend.js';
import { shownPath } from '../report/shown-path.js';
import type { PublicLabInfo } from '../scenario/events.js';
import { kubectlEquivalent } from '../scenario/kubectl-equivalent.js';
import { fillPlaceholders, labPlaceholders, namespaceOf } from '../scenario/placeholders.js';
import type { Action, Actor, Step } from '../scenario/schema.js';
import type { PodView } from './lab-view-state.js';

export interface DisplayLab {
  info: PublicLabInfo;
  imageDigests?: { secret: string; public: string };
  pods: readonly PodView[];
  backend?: BackendName;
}

function lookup(lab: DisplayLab, actor: Actor): (name: string) => string | undefined {
  return labPlaceholders({ info: lab.info, ...(lab.imageDigests ? { imageDigests: lab.imageDigests } : {}), nodeOf: (pod) => lab.pods.find((p) => p.name === pod)?.node }, actor);
}

/** The step's action with real values where the lab knows them. */
export function displayAction(step: Step, lab: DisplayLab | undefined): Action {
  if (!lab) return step.action;
  const find = lookup(lab, step.actor);
  return fillPlaceholders(step.action, (name) => find(name) ?? `{{ ${name} }}`);
}

/** The manifest a step applies (a pod, secret or service account), or undefined for other actions. */
export function manifestOf(action: Action): unknown {
  if ('createPod' in action) return action.createPod.manifest;
  if ('createSecret' in action) return action.createSecret.manifest;
  if ('createServiceAccount' in action) return action.createServiceAccount.manifest;
  if ('addEphemeralContainer' in action) return { ephemeralContainers: [action.addEphemeralContainer.container] };
  if ('updatePodImage' in action) return { spec: { containers: [{ name: action.updatePodImage.container, image: action.updatePodImage.image }] } };
  return undefined;
}

/**
 * The step as commands for this lab: kubectl with its own kubeconfig. What goes around the API (side-loading,
 * the registry) has a command only on kind; on the embedded lab it is shown as a comment, since pasting it
 * could not work there.
 */
export function kubectlFor(step: Step, lab: DisplayLab | undefined): string[] {
  const namespace = lab ? namespaceOf(lab.info, step.actor) : step.actor === 'admin1' ? 'tenant-a' : step.actor === 'admin2' ? 'tenant-b' : 'default';
  const lines = kubectlEquivalent(step.actor, displayAction(step, lab), { namespace, ...(lab ? { kubeconfig: shownPath(lab.info.kubeconfig) } : {}) });
  if (lab?.backend !== 'embedded' || lines.some((l) => l.startsWith('kubectl'))) return lines;
  return ['# the embedded lab does this itself; on a kind cluster it would be:', ...lines.map((l) => (l.startsWith('#') ? l : `#   ${l}`))];
}
