// kubeadm init is CPU-bound for its first minute (etcd, the API server, the controllers starting) and gives up
// when the control plane is not healthy within its timeout: on a small Docker host, seven clusters created at
// once starve each other until kubeadm fails. Creations take turns in a few slots instead.

/** Cluster creations at once on a Docker host with this many CPUs (unknown: 2, what a laptop VM has at least). */
export function creationSlots(cpus: number | undefined): number {
  return Math.max(2, Math.floor((cpus ?? 2) / 2));
}
