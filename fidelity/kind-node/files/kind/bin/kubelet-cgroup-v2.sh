#!/bin/bash
# cgroup v2: the kubelet's cgroup roots (/kubelet, /kubelet.slice) with every controller delegated to them. The
# root's subtree_control can be written only once systemd has moved every process out of the root cgroup.
set -o errexit -o nounset -o pipefail
[[ -f /sys/fs/cgroup/cgroup.controllers ]] || { echo 'cgroup v2 only' >&2; exit 1; }
delegate() { sed -e 's/ / +/g' -e 's/^/+/' < "/sys/fs/cgroup/$1/cgroup.controllers" > "/sys/fs/cgroup/$1/cgroup.subtree_control"; }
delegate /
for group in kubelet kubelet.slice; do
  mkdir -p "/sys/fs/cgroup/$group"
  delegate "$group"
done
