// The commands a learner would type to do what a step does by hand: kubectl for the API, and the kind/crictl
// equivalent for what goes around the API (side-loading an image onto a node, removing it, the registry).
// Pure: it gets the step with its placeholders already filled and returns the lines to show.
import { stringify } from 'yaml';
import type { Action, Actor } from './schema.js';

export interface KubectlContext {
  /** The acting tenant's namespace (`default` for the cluster admin). */
  namespace: string;
  /** The kind cluster name, for `kind load`; the lab's own name when shown for the kind backend. */
  kindCluster?: string;
  /** The lab's kubeconfig as the user can type it: every kubectl line names it, so it runs as printed. */
  kubeconfig?: string;
}

/** Shell lines, as they would be pasted into a terminal (a heredoc spans several lines). */
export function kubectlEquivalent(actor: Actor, action: Action, context: KubectlContext): string[] {
  const kubectl = `kubectl${context.kubeconfig ? ` --kubeconfig ${quote(context.kubeconfig)}` : ''} --context ${actor} -n ${context.namespace}`;
  const cluster = context.kindCluster ? ` --name ${context.kindCluster}` : '';
  if ('createPod' in action) return apply(kubectl, action.createPod.manifest);
  if ('createSecret' in action) return apply(kubectl, action.createSecret.manifest);
  if ('createServiceAccount' in action) return apply(kubectl, action.createServiceAccount.manifest);
  if ('deletePod' in action) return [`${kubectl} delete pod ${action.deletePod.name}`];
  if ('deleteSecret' in action) return [`${kubectl} delete secret ${action.deleteSecret.name}`];
  if ('addEphemeralContainer' in action) {
    const { pod, container } = action.addEphemeralContainer;
    const flags = [`--image=${quote(container.image)}`, `--container=${container.name}`];
    if (container.imagePullPolicy) flags.push(`--image-pull-policy=${container.imagePullPolicy}`);
    const command = [...(container.command ?? []), ...(container.args ?? [])];
    return [`${kubectl} debug ${pod} ${flags.join(' ')}${command.length > 0 ? ` -- ${command.map(quote).join(' ')}` : ''}`];
  }
  if ('updatePodImage' in action) {
    const { pod, container, image } = action.updatePodImage;
    return [`${kubectl} set image pod/${pod} ${container}=${quote(image)}`];
  }
  if ('preloadImage' in action) {
    const { image, node } = action.preloadImage;
    return [
      `# side-load the image outside the kubelet (no pull record): from the host…`,
      `kind load docker-image ${quote(image)}${cluster} --nodes ${node}`,
      `# …or on the node itself`,
      `docker exec ${node} crictl pull --creds "$REGISTRY_USER:$REGISTRY_PASSWORD" ${quote(image)}`,
    ];
  }
  if ('removeImage' in action) {
    const { image, node } = action.removeImage;
    return [`docker exec ${node} crictl rmi ${quote(image)}`];
  }
  if ('applyPolicy' in action) return [`${kubectl} apply -f cluster-configs/policies/${action.applyPolicy.file}.yaml`];
  if ('labelNamespace' in action) {
    const labels = Object.entries(action.labelNamespace.labels).map(([k, v]) => quote(`${k}=${v}`));
    return [`${kubectl} label namespace ${context.namespace} ${labels.join(' ')}`];
  }
  if ('registryDown' in action) return ['# the registry goes away (maintenance, an outage, a rate limit)', 'docker stop image-heist-registry'];
  if ('registryUp' in action) return ['docker start image-heist-registry'];
  const { pod, for: states } = action.wait;
  return [`# until STATUS shows ${states.join(' or ')}`, `${kubectl} get pod ${pod} --watch`];
}

function apply(kubectl: string, manifest: unknown): string[] {
  const yaml = stringify(manifest, { lineWidth: 0 }).trimEnd();
  return [`${kubectl} apply -f - <<'EOF'`, ...yaml.split('\n'), 'EOF'];
}

/** Single-quotes a word for the shell when it holds anything beyond the safe characters of a reference. */
function quote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
