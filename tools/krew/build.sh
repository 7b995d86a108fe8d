#!/bin/sh
# Builds krew and validate-krew-manifest at the version pinned in go.mod into a
# cache outside the repository, once per (version, go.sum). Prints the bin dir.
# Usage: tools/krew/build.sh
set -eu

here=$(cd "$(dirname "$0")" && pwd)
version=$(cd "$here" && go list -m -f '{{.Version}}' sigs.k8s.io/krew)
sum=$(sha256sum "$here/go.sum" | cut -c1-12)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-nsdebug/krew-$version-$sum
bin=$cache/bin

if [ ! -x "$bin/krew" ] || [ ! -x "$bin/validate-krew-manifest" ]; then
	mkdir -p "$bin"
	tmp=$(mktemp -d "$cache/build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# -trimpath and a fixed module set keep the build independent of this checkout.
	(cd "$here" && CGO_ENABLED=0 go build -trimpath -o "$tmp/" \
		sigs.k8s.io/krew/cmd/krew sigs.k8s.io/krew/cmd/validate-krew-manifest) >&2
	mv "$tmp/krew" "$tmp/validate-krew-manifest" "$bin/"
	# kubectl finds plugins by name: `kubectl krew` runs kubectl-krew.
	ln -sf krew "$bin/kubectl-krew"
fi
printf '%s\n' "$bin"
