#!/bin/bash
# image-heist's pod network for kind nodes, in place of kind's default CNI (kindnet, which cannot be had
# offline): the cluster is created with networking.disableDefaultCNI and every node runs this. It waits until
# the kubelet has registered the node and the controller-manager gave it a podCIDR, writes a CNI config for
# that range (ptp + host-local, portmap), then keeps a route to each other node's podCIDR via its InternalIP.
set -o nounset -o pipefail

kubeconfig=${POD_NETWORK_KUBECONFIG:-/etc/kubernetes/kubelet.conf}
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
own=""
while :; do
  if [[ -f "$kubeconfig" ]] && listing=$(nodes 2>/dev/null); then
    # "|" separates the fields: a node without a podCIDR yet leaves its field empty, which blanks would not show
    while IFS='|' read -r name cidr address; do
      [[ -n "$name" && -n "$cidr" ]] || continue
      if [[ "$name" == "$node" ]]; then
        if [[ "$cidr" != "$own" ]]; then write_conflist "$cidr"; own=$cidr; fi
      elif [[ -n "$address" ]]; then
        ip route replace "$cidr" via "$address" || echo "pod network: no route to ${cidr} via ${address}" >&2
      fi
    done <<< "$listing"
  fi
  # quick while the node is joining (the kubelet is not Ready without the CNI config), then at a walk
  if [[ -z "$own" ]]; then sleep 1; else sleep 5; fi
done
