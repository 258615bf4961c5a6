#!/bin/bash
# image-heist's pod network for kind nodes, in place of kind's default CNI (kindnet, which cannot be had
# offline): the cluster is created with networking.disableDefaultCNI and every node runs this. It waits until
# the kubelet has registered the node and the controller-manager gave it a podCIDR, writes a CNI config for
# that range (ptp + host-local, portmap), then keeps a route to each other node's podCIDR via its InternalIP.
# Listing the other nodes needs /kind/manifests/pod-network-rbac.yaml, which the control plane applies with its
# admin kubeconfig.
set -o nounset -o pipefail

kubeconfig=${POD_NETWORK_KUBECONFIG:-/etc/kubernetes/kubelet.conf}
admin=${POD_NETWORK_ADMIN_KUBECONFIG:-/etc/kubernetes/admin.conf}
rbac=${POD_NETWORK_RBAC:-/kind/manifests/pod-network-rbac.yaml}
confdir=${POD_NETWORK_CNI_DIR:-/etc/cni/net.d}
conflist=$confdir/10-image-heist.conflist
node=$(hostname)   # kind names each node (and its kubeadm nodeRegistration) after its container's hostname

nodes() {
  kubectl --kubeconfig "$kubeconfig" --request-timeout=10s get nodes \
    -o 'jsonpath={range .items[*]}{.metadata.name}|{.spec.podCIDR}|{.status.addresses[?(@.type=="InternalIP")].address}{"\n"}{end}'
}

write_conflist() {
  local cidr=$1 tmp
  tmp=$(mktemp "$confdir/.conflist.XXXXXX")
  cat > "$tmp" <<JSON
{
  "cniVersion": "0.3.1",
  "name": "image-heist",
  "plugins": [
    {
      "type": "ptp",
      "ipMasq": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "/run/cni-ipam-state",
        "routes": [{ "dst": "0.0.0.0/0" }],
        "ranges": [[{ "subnet": "${cidr}" }]]
      },
      "mtu": $(cat /sys/class/net/eth0/mtu 2>/dev/null || echo 1500)
    },
    { "type": "portmap", "capabilities": { "portMappings": true } }
  ]
}
JSON
  mv "$tmp" "$conflist"
  echo "pod network: ${node} serves ${cidr}"
}

mkdir -p "$confdir"
own="" granted=""
while :; do
  # on the control plane (kubeadm wrote admin.conf): let the nodes list the nodes, once
  if [[ -z "$granted" && -f "$admin" ]] && kubectl --kubeconfig "$admin" --request-timeout=10s apply -f "$rbac" >/dev/null 2>&1; then
    granted=yes
  fi
  if [[ -f "$kubeconfig" ]]; then
    # its own Node object the kubelet may always read
    cidr=$(kubectl --kubeconfig "$kubeconfig" --request-timeout=10s get node "$node" -o 'jsonpath={.spec.podCIDR}' 2>/dev/null)
    if [[ -n "$cidr" && "$cidr" != "$own" ]]; then write_conflist "$cidr"; own=$cidr; fi
    if listing=$(nodes 2>/dev/null); then
      while IFS='|' read -r name cidr address; do
        [[ -n "$name" && -n "$cidr" && -n "$address" && "$name" != "$node" ]] || continue
        ip route replace "$cidr" via "$address" || echo "pod network: no route to ${cidr} via ${address}" >&2
      done <<< "$listing"
    fi
  fi
  # quick while the node is joining (the kubelet is not Ready without the CNI config), then at a walk
  if [[ -z "$own" ]]; then sleep 1; else sleep 5; fi
done
