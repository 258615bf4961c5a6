// Defaults the command line shows in --help; a module without dependencies, so `--help` stays quick.

/** A pinned, non-latest tag that every kubeadm/kind node holds: named in dry runs (nothing is pulled) and hosts the ephemeral container. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
