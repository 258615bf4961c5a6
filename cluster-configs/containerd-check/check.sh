#!/bin/sh
# Checks the lab's hosts.toml (src/kind/config.ts hostsToml) with containerd's own resolver, without Docker:
# with the file, containerd must contact the registry over plain http; without it, over https (which would fail
# against the lab registry). Needs Go, the Go module proxy, and npx tsx (npm ci).
set -eu
CONTAINERD_VERSION=v2.1.4
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$(mktemp -d)
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT INT TERM
mkdir -p "$work/mod" "$work/certs/image-heist-registry:5000"
cp "$here/main.go.txt" "$work/mod/main.go"
printf 'module imageheistcheck\n\ngo 1.24\n' > "$work/mod/go.mod"
(cd "$work/mod" && GOFLAGS=-mod=mod go get "github.com/containerd/containerd/v2@$CONTAINERD_VERSION" >/dev/null 2>&1 && GOFLAGS=-mod=mod go build -o "$work/check" .)
(cd "$repo" && npx tsx -e "process.stdout.write(require('./src/kind/config.ts').hostsToml('image-heist-registry:5000'))") > "$work/certs/image-heist-registry:5000/hosts.toml"
with=$("$work/check" "$work/certs" image-heist-registry:5000)
without=$("$work/check" "$work/certs" image-heist-public-registry:5000)
echo "with hosts.toml:    $with" | head -1
echo "without hosts.toml: $without" | head -1
printf '%s\n' "$with" | grep -q '^scheme=http host=image-heist-registry:5000 path=/v2 pull=true resolve=true push=false$' || { echo "FAIL: containerd does not use plain http for the lab registry"; exit 1; }
printf '%s\n' "$without" | grep -q '^scheme=https ' || { echo "FAIL: expected https without a hosts.toml"; exit 1; }
echo ok
