// The kind, docker and node commands the kind backend runs, as data: the backend runs them through execa and
// `--dry-run` prints the very same list. Sources in one line each; nothing here touches Docker.
import { hostsTomlPath } from './config.js';

export interface CommandSpec {
  file: 'kind' | 'docker';
  args: string[];
  /** Text sent on stdin (a kind config, a hosts.toml); never a credential. */
  input?: string;
  /** What it does, as a progress line. */
  title: string;
}

/** `--config -` reads stdin; a private --kubeconfig keeps ~/.kube/config untouched (kind pkg/cmd/kind/create/cluster/createcluster.go@v0.32.0). */
export function createCluster(name: string, config: string, kubeconfig: string): CommandSpec {
  // --wait is not a readiness check (kind returns 0 on its timeout, waitforready.go); the backend waits itself.
  return { file: 'kind', args: ['create', 'cluster', '--name', name, '--config', '-', '--kubeconfig', kubeconfig], input: config, title: `Creating cluster ${name}` };
}

/** Idempotent, "like rm -f" (kind pkg/cmd/kind/delete/cluster/deletecluster.go@v0.32.0). */
export function deleteCluster(name: string, kubeconfig?: string): CommandSpec {
  return { file: 'kind', args: ['delete', 'cluster', '--name', name, ...(kubeconfig ? ['--kubeconfig', kubeconfig] : [])], title: `Deleting cluster ${name}` };
}

export function getClusters(): CommandSpec {
  return { file: 'kind', args: ['get', 'clusters'], title: 'Listing kind clusters' };
}

export function getNodes(name: string): CommandSpec {
  return { file: 'kind', args: ['get', 'nodes', '--name', name], title: `Listing nodes of ${name}` };
}

export function getKubeconfig(name: string): CommandSpec {
  return { file: 'kind', args: ['get', 'kubeconfig', '--name', name], title: `Reading the kubeconfig of ${name}` };
}

/** Runs a command inside a node container (kind nodes run systemd, containerd and crictl: kind images/base/Dockerfile@v0.32.0). */
export function nodeExec(node: string, command: string[], title: string, input?: string): CommandSpec {
  return { file: 'docker', args: ['exec', ...(input !== undefined ? ['-i'] : []), node, ...command], ...(input !== undefined ? { input } : {}), title };
}

/** kind's recipe writes hosts.toml through `docker exec -i … cp /dev/stdin` (site/static/examples/kind-with-registry.sh). */
export function writeHostsToml(node: string, host: string, toml: string): CommandSpec {
  const file = hostsTomlPath(host);
  const dir = file.slice(0, file.lastIndexOf('/'));
  return nodeExec(node, ['sh', '-c', `mkdir -p '${dir}' && cat > '${file}'`], `Writing ${file} on ${node}`, toml);
}

/** Side-loads an OCI archive as `kind load` does: ctr import into the k8s.io namespace, so no kubelet pull record (kind pkg/cluster/nodeutils/util.go@v0.32.0). */
export function importImage(node: string, snapshotter: string): CommandSpec {
  return {
    file: 'docker',
    args: ['exec', '-i', node, 'ctr', '--namespace=k8s.io', 'images', 'import', '--all-platforms', '--digests', `--snapshotter=${snapshotter}`, '-'],
    title: `Preloading an image onto ${node}`,
  };
}

/** kind reads the CRI snapshotter from the node's effective containerd config before it imports (kind pkg/cluster/nodeutils/util.go@v0.32.0). */
export function containerdConfigDump(node: string): CommandSpec {
  return nodeExec(node, ['containerd', 'config', 'dump'], `Reading the containerd config of ${node}`);
}

export function removeImage(node: string, image: string): CommandSpec {
  return nodeExec(node, ['crictl', 'rmi', image], `Removing ${image} from ${node}`);
}

export function listImages(node: string): CommandSpec {
  return nodeExec(node, ['crictl', 'images', '-o', 'json'], `Listing images on ${node}`);
}

/** KEP-2535 records live in /var/lib/kubelet/image_manager/{pulling,pulled}; the lab removes only those naming its registries. */
export const KUBELET_RECORD_DIRS = ['/var/lib/kubelet/image_manager/pulled', '/var/lib/kubelet/image_manager/pulling'] as const;

/**
 * Deletes the kubelet's pull records for the lab's registries and restarts the kubelet, which keeps them in
 * memory since beta (KEP-2535 README). Runs only after `crictl rmi`: a record gone while the image stays makes it "preloaded".
 */
export function clearPullRecords(node: string, hosts: readonly string[]): CommandSpec {
  const pattern = hosts.map((h) => h.replace(/[.]/g, '\\.')).join('\\|');
  const dirs = KUBELET_RECORD_DIRS.map((d) => `${d}/*`).join(' ');
  const healthy = 'for i in $(seq 1 60); do curl -sf http://127.0.0.1:10248/healthz >/dev/null && break; sleep 1; done';
  const script = `files=$(grep -l '${pattern}' ${dirs} 2>/dev/null); if [ -n "$files" ]; then rm -f $files && systemctl restart kubelet && ${healthy}; fi`;
  return nodeExec(node, ['sh', '-c', script], `Clearing the kubelet's pull records on ${node}`);
}

export function stopContainer(name: string): CommandSpec {
  return { file: 'docker', args: ['stop', '--time', '1', name], title: `Stopping ${name}` };
}

export function startContainer(name: string): CommandSpec {
  return { file: 'docker', args: ['start', name], title: `Starting ${name}` };
}

/** -v: the registry image declares a VOLUME; its anonymous volume goes with it. */
export function removeContainers(names: readonly string[]): CommandSpec {
  return { file: 'docker', args: ['rm', '--force', '--volumes', ...names], title: `Removing ${names.join(', ')}` };
}

export function listLabContainers(label: string): CommandSpec {
  return { file: 'docker', args: ['ps', '--all', '--filter', `label=${label}`, '--format', '{{.Names}}'], title: 'Listing the lab containers' };
}

export function containerPort(name: string, port: number): CommandSpec {
  return { file: 'docker', args: ['port', name, `${port}/tcp`], title: `Reading the published port of ${name}` };
}

/** The base image comes through the Docker engine, so an offline machine works after `docker load`. */
export function pullBaseImage(image: string): CommandSpec {
  return { file: 'docker', args: ['pull', image], title: `Pulling ${image}` };
}

export function inspectImageLabels(image: string): CommandSpec {
  return { file: 'docker', args: ['image', 'inspect', '--format', '{{json .Config.Labels}}', image], title: `Reading the labels of ${image}` };
}

export function removeNetwork(name: string): CommandSpec {
  return { file: 'docker', args: ['network', 'rm', name], title: `Removing the ${name} network` };
}

export function inspectNetwork(name: string): CommandSpec {
  return { file: 'docker', args: ['network', 'inspect', '--format', '{{.Name}}', name], title: `Looking for the ${name} network` };
}

/** `docker save` of the images an offline machine needs, into one archive (the workshop kit). */
export function saveImages(images: readonly string[], file: string): CommandSpec {
  return { file: 'docker', args: ['image', 'save', '--output', file, ...images], title: `Saving ${images.join(', ')} to ${file}` };
}

export function loadImages(file: string): CommandSpec {
  return { file: 'docker', args: ['image', 'load', '--input', file], title: `Loading the images in ${file}` };
}

/** The system images from a node's containerd as one OCI archive on stdout (ctr images export, containerd cmd/ctr/commands/images/export.go). */
export function exportNodeImages(node: string, refs: readonly string[], platform: string): CommandSpec {
  return nodeExec(node, ['ctr', '--namespace=k8s.io', 'images', 'export', `--platform=${platform}`, '-', ...refs], `Exporting the system images from ${node}`);
}

/** containerd answers inside the node container (it starts before kubeadm runs). */
export function containerdVersion(node: string): CommandSpec {
  return nodeExec(node, ['ctr', 'version'], `Asking containerd on ${node}`);
}

export function inspectImage(image: string): CommandSpec {
  return { file: 'docker', args: ['image', 'inspect', '--format', '{{.Id}}', image], title: `Looking for ${image}` };
}

export function saveImage(image: string): CommandSpec {
  return { file: 'docker', args: ['image', 'save', image], title: `Reading ${image} from Docker` };
}

/** The one line a person would type. */
export function formatCommand(spec: CommandSpec): string {
  const quoted = [spec.file, ...spec.args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
  return spec.input !== undefined ? `${quoted} <<'EOF'\n${spec.input.replace(/\n$/, '')}\nEOF` : quoted;
}
