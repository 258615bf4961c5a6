#!/bin/sh
# What the lab does to a kind node's containerd, checked with a real containerd (built from the Go module proxy),
# without Docker:
#   1. kind v0.32.0's base config.toml (version 2) plus the lab's containerdConfigPatches, migrated by containerd
#      itself: the CRI images plugin must end up with config_path = /etc/containerd/certs.d (and without the patch it
#      is empty); the dump is written to test/fixtures/kind/containerd-config-dump.toml for the parser test.
#   2. (as root) a throwaway containerd daemon imports the lab's OCI archive of SuperSecretImage1 with the same ctr
#      command the lab runs on nodes (src/kind/commands.ts importImage): the image must be listed under its lab name.
# Needs Go, the module proxy and npx tsx. Builds take a few minutes.
set -eu
CONTAINERD_VERSION=v2.1.4
KIND_VERSION=v0.32.0
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT INT TERM
mkdir -p "$work/mod"
printf 'module imageheistnodecheck\n\ngo 1.24\n' > "$work/mod/go.mod"
(cd "$work/mod" && GOFLAGS=-mod=mod go get "github.com/containerd/containerd/v2/cmd/containerd@$CONTAINERD_VERSION" "github.com/containerd/containerd/v2/cmd/ctr@$CONTAINERD_VERSION" >/dev/null 2>&1 \
  && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -tags "no_btrfs no_devmapper no_zfs" -o "$work/containerd" github.com/containerd/containerd/v2/cmd/containerd \
  && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -o "$work/ctr" github.com/containerd/containerd/v2/cmd/ctr)
kind=$(GOFLAGS=-mod=mod go mod download -json "sigs.k8s.io/kind@$KIND_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')

# 1. config_path after containerd's own v2 → v3 migration
patch=$(cd "$repo" && npx tsx -e "process.stdout.write(require('./src/kind/config.ts').CONTAINERD_CONFIG_PATCH)")
{ cat "$kind/images/base/files/etc/containerd/config.toml"; echo; echo "$patch"; } > "$work/patched.toml"
"$work/containerd" --config "$kind/images/base/files/etc/containerd/config.toml" config dump 2>/dev/null > "$work/base-dump.toml"
"$work/containerd" --config "$work/patched.toml" config dump 2>/dev/null > "$work/dump.toml"
grep -A1 "^ *\[plugins.'io.containerd.cri.v1.images'.registry\]" "$work/base-dump.toml" | grep -q "config_path = ''" || { echo "FAIL: expected no config_path in kind's base config"; exit 1; }
grep -A1 "^ *\[plugins.'io.containerd.cri.v1.images'.registry\]" "$work/dump.toml" | grep -q "config_path = '/etc/containerd/certs.d'" || { echo "FAIL: config_path did not reach the CRI images plugin"; exit 1; }
{ printf '%s\n' "# \`containerd config dump\` (containerd $CONTAINERD_VERSION) of kind $KIND_VERSION's base config.toml (version 2) plus the lab's containerdConfigPatches;" "# written by cluster-configs/containerd-check/node-check.sh. It shows the v2 → v3 migration of config_path and the snapshotter."; cat "$work/dump.toml"; } > "$repo/test/fixtures/kind/containerd-config-dump.toml"
echo "ok   config_path = /etc/containerd/certs.d in plugins.'io.containerd.cri.v1.images'.registry after migration (empty without the patch)"

# 2. side-loading, as root
if [ "$(id -u)" != 0 ]; then echo "skip import check: needs root to run containerd"; exit 0; fi
cat > "$work/run.toml" <<TOML
version = 3
root = "$work/root"
state = "$work/state"
[grpc]
  address = "$work/c.sock"
[plugins]
  [plugins.'io.containerd.transfer.v1.local']
    [[plugins.'io.containerd.transfer.v1.local'.unpack_config]]
      platform = "linux/$(go env GOARCH)"
      snapshotter = "native"
TOML
"$work/containerd" --config "$work/run.toml" >"$work/containerd.log" 2>&1 &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do [ -S "$work/c.sock" ] && break; sleep 1; done
cat > "$work/archive.mts" <<TS
import { writeFileSync } from 'node:fs';
import { buildBaseLayer, defaultPath } from '$repo/src/registry/image-builder.ts';
import { buildKindSecretImage, builtImageContent, ociArchive } from '$repo/src/kind/lab-images.ts';
const base = { layers: [await buildBaseLayer()], env: [defaultPath], architecture: '$(go env GOARCH)', os: 'linux' };
writeFileSync('$work/secret.tar', await ociArchive(builtImageContent(await buildKindSecretImage(base, 'FLAG{check}')), 'image-heist-registry:5000/secure/super-secret-image:1'));
TS
(cd "$repo" && npx tsx "$work/archive.mts")
"$work/ctr" --address "$work/c.sock" --namespace=k8s.io images import --all-platforms --digests --snapshotter=native - < "$work/secret.tar" >/dev/null
"$work/ctr" --address "$work/c.sock" --namespace=k8s.io images ls -q | grep -qx 'image-heist-registry:5000/secure/super-secret-image:1' || { echo "FAIL: the imported image is not listed under its lab name"; exit 1; }
echo "ok   ctr images import names the archive image-heist-registry:5000/secure/super-secret-image:1 and unpacks it"
