#!/usr/bin/env bash
# Builds the one Kubernetes binary (cluster/kube: apiserver, controller-manager,
# scheduler, kubelet) into a cache outside the repository, keyed by the pinned
# version and a checksum of the Go program (go.sum, go.mod, main.go), and prints
# its path. A cached binary is reused as is: a second run takes milliseconds.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

src=$CLUSTER_DIR/kube
sum=$(cat "$src/go.sum" "$src/go.mod" "$src/main.go" | sha256sum | cut -c1-16)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-nsdebug/kube-$K8S_VERSION-$sum
out=$cache/kube

if [[ -x $out ]]; then
  printf '%s\n' "$out"
  exit 0
fi

command -v go >/dev/null || die "go is not installed; install Go >= 1.24 and retry"
mkdir -p "$cache"
minor=${K8S_VERSION#v1.}
minor=${minor%%.*}
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$K8S_VERSION"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
ldflags+=" -X k8s.io/client-go/pkg/version.gitVersion=$K8S_VERSION"
ldflags+=" -X k8s.io/client-go/pkg/version.gitMajor=1 -X k8s.io/client-go/pkg/version.gitMinor=$minor"

log "building Kubernetes $K8S_VERSION (cold: ~10-15 min on 2 cores; cached afterwards in $cache)"
start=$SECONDS
# Build to a temporary name: an interrupted build never leaves a cached binary.
(cd "$src" && go build -trimpath -ldflags="$ldflags" -o "$out.tmp.$$" .) >&2
mv "$out.tmp.$$" "$out"
log "built $out in $((SECONDS - start)) s"
printf '%s\n' "$out"
