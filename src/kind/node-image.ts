// What a node image says about itself through Docker labels (the interface agreed with the offline node image,
// fidelity's kind image build): a CNI of its own, and the system images it carries that no registry may serve.
import { inspectImageLabels } from './commands.js';
import { runCommand } from './exec.js';

/** `builtin`: the node image brings its own CNI, so kind must not install kindnet (networking.disableDefaultCNI). */
export const CNI_LABEL = 'dev.image-heist.kind.cni';
/** Comma-separated references of the images in the node's containerd that cannot be pulled (registry.k8s.io/kube-proxy:…). */
export const SYSTEM_IMAGES_LABEL = 'dev.image-heist.kind.system-images';

export interface NodeImageTraits {
  builtinCni: boolean;
  /** System images to mirror when every pod must pull (AlwaysPullImages); empty for upstream images, which registries serve. */
  systemImages: string[];
}

export function parseNodeImageLabels(labels: Record<string, string> | null | undefined): NodeImageTraits {
  const systemImages = (labels?.[SYSTEM_IMAGES_LABEL] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  return { builtinCni: labels?.[CNI_LABEL] === 'builtin', systemImages };
}

/** Reads the labels with `docker image inspect` (the image is present: kind needs it, and the backend pulled it if missing). */
export async function readNodeImageTraits(image: string, signal?: AbortSignal): Promise<NodeImageTraits> {
  const out = await runCommand(inspectImageLabels(image), signal ? { signal } : {});
  return parseNodeImageLabels(JSON.parse(out.trim() || 'null') as Record<string, string> | null);
}
