#!/bin/sh
# Checks cluster-configs/*.yaml with kind v0.32.0's own code, without Docker: strict decoding, defaults and
# validation (`kind create cluster --config` does the same before it calls Docker), then the kubeadm config kind
# would write to /kind/kubeadm.conf for Kubernetes v1.36.1 with the cluster-level patches applied. Needs Go and
# the Go module proxy. Prints, per config, the admission plugins and the kubelet settings kind would hand to kubeadm.
set -eu
KIND_VERSION=v0.32.0
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
src=$(GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/kind@$KIND_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
cp -r "$src" "$work/kind" && chmod -R u+w "$work/kind"
# kind's kubeadm renderer is internal to pkg/cluster: the checker has to live under it
mkdir -p "$work/kind/pkg/cluster/imageheistcheck"
cp "$here/main.go.txt" "$work/kind/pkg/cluster/imageheistcheck/main.go"
(cd "$work/kind" && GOFLAGS=-mod=mod go build -o "$work/check" ./pkg/cluster/imageheistcheck)
status=0
for config in "$here"/../*.yaml; do
  name=$(basename "$config" .yaml)
  if out=$("$work/check" "$config" 2>&1); then
    plugins=$(printf '%s\n' "$out" | grep -A1 'name: enable-admission-plugins' | sed -n 's/.*value: //p')
    policy=$(printf '%s\n' "$out" | sed -n 's/^imagePullCredentialsVerificationPolicy: //p')
    gate=$(printf '%s\n' "$out" | sed -n 's/^ *KubeletEnsureSecretPulledImages: //p')
    api=$(printf '%s\n' "$out" | sed -n 's/^apiVersion: \(kubeadm.*\)/\1/p' | sort -u | tr '\n' ' ')
    echo "ok   $name: $api| enable-admission-plugins=$plugins | KubeletEnsureSecretPulledImages=$gate | imagePullCredentialsVerificationPolicy=$policy"
  else
    echo "FAIL $name: $out"
    status=1
  fi
done
exit $status
