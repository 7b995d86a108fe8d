#!/usr/bin/env bash
# The plugin under Node 24: Debian unstable's nodejs, which links against
# unstable's glibc, so it runs in a root unpacked from unstable's packages
# (mmdebstrap) and entered with chroot, not on this Debian 12 host.
# The root is built once into the cache directory and reused; the mounts the
# chroot needs live in a private mount namespace (unshare -m), so they vanish
# with the process, however it ends.
#
# usage: test/node24.sh [root|unit|session|all]   (default all)
#   root     build the root if it is missing (or its package list changed)
#   unit     the unit suite (vitest --project unit) under Node 24
#   session  one real session against the local cluster with the built plugin
#            (needs npm run build and a cluster that answers; on this machine
#            run it under the cluster lock)
#   all      root, unit, then session
# env: NSDEBUG_NODE24_ROOT (default ~/.cache/kubectl-nsdebug/node24-root),
#      NSDEBUG_DEBIAN_MIRROR (default: the host's Debian mirror in /etc/apt)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
mode=${1:-all}
cache=${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-nsdebug
root=${NSDEBUG_NODE24_ROOT:-$cache/node24-root}
kubeconfig=${KUBECONFIG:-$repo/.e2e/kubeconfig}
# nodejs: the Node under test. The agent's tests run it under busybox sh, dash
# and bash, check it with shellcheck, make namespaces with util-linux's unshare
# and find their fake pod's processes with procps' pgrep.
packages=nodejs,busybox,dash,bash,util-linux,procps,shellcheck,ca-certificates

die() {
  echo "node24: error: $*" >&2
  exit 1
}

debian_mirror() {
  [[ -n ${NSDEBUG_DEBIAN_MIRROR:-} ]] && { echo "$NSDEBUG_DEBIAN_MIRROR"; return; }
  local found
  found=$(grep -hoE '(URIs:|deb) +https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/* 2>/dev/null |
    awk '{print $2; exit}')
  echo "${found:-http://deb.debian.org/debian}"
}

ensure_root() {
  if [[ -x $root/usr/bin/node && $(cat "$root/.nsdebug-packages" 2>/dev/null) == "$packages" ]]; then
    echo "node24: reusing $root ($(chroot "$root" node --version))"
    return
  fi
  command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed; apt-get install mmdebstrap"
  ((EUID == 0)) || die "building the Node 24 root needs root (chroot); run as root"
  local mirror start=$SECONDS tmp=$root.tmp.$$
  mirror=$(debian_mirror)
  echo "node24: building $root from Debian unstable ($mirror): $packages"
  mkdir -p "$(dirname "$root")"
  rm -rf "$tmp"
  # Built aside and moved into place: an interrupted build is never reused.
  trap 'rm -rf "$tmp"' EXIT
  # Signatures are checked; Valid-Until is not: a mirror pinned to a snapshot
  # (as this machine's is) serves a Release file past its date.
  mmdebstrap --quiet --variant=apt --include="$packages" \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --dpkgopt='path-exclude=/usr/share/{doc,man,locale}/*' \
    unstable "$tmp" "$mirror" >&2 || die "mmdebstrap failed (above); is $mirror reachable?"
  echo "$packages" >"$tmp/.nsdebug-packages"
  rm -rf "$root"
  mv "$tmp" "$root"
  trap - EXIT
  echo "node24: built $root in $((SECONDS - start)) s ($(chroot "$root" node --version))"
}

# Runs a command in the root with the repository (and what its symlinks point
# at: node_modules, .e2e) at the same paths, plus /proc, /dev, /sys and a fresh /tmp.
in_root() {
  local binds=("$repo")
  for link in node_modules .e2e; do
    [[ -L $repo/$link ]] && binds+=("$(readlink -f "$repo/$link")")
  done
  [[ -f $kubeconfig ]] && binds+=("$(dirname "$(readlink -f "$kubeconfig")")")
  # shellcheck disable=SC2016 # expanded by the sh -c that runs it
  local script='set -e; root=$1; shift
    mount --make-rprivate /
    for m in proc dev sys; do mount --rbind "/$m" "$root/$m"; done
    mount -t tmpfs tmpfs "$root/tmp"
    while [ "$1" != -- ]; do mkdir -p "$root$1"; mount --bind "$1" "$root$1"; shift; done
    shift
    exec chroot "$root" "$@"'
  unshare --mount sh -c "$script" sh "$root" "${binds[@]}" -- "$@"
}

run_unit() {
  echo "node24: unit suite under $(chroot "$root" node --version)"
  # Left out, each for a reason that is not Node's version:
  # - the krew manifest test checks the release archive, which is packed on the CI's
  #   own Node (gzip's bytes differ between Node majors' zlib; the tar inside is the
  #   same), and it builds krew with Go, which the root does not have;
  # - the agent's tests (test/agent, agent-contract) run the sh agent against real
  #   namespaces, cgroups and freezers with the host's shells and tools, which the root
  #   does not have; they run in npm test's unit step, and Node's version does not
  #   touch the agent.
  in_root /usr/bin/env -C "$repo" HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin CI="${CI:-}" \
    node node_modules/vitest/vitest.mjs run --project unit --exclude test/unit/krew-manifest.test.ts \
    --exclude 'test/agent/**' --exclude test/unit/inspect/agent-contract.test.ts
}

run_session() {
  [[ -f $repo/dist/kubectl-nsdebug.mjs || -f $repo/dist/main.mjs ]] || die "no build in $repo/dist; run npm run build first"
  KUBECONFIG=$kubeconfig kubectl get --raw /readyz --request-timeout=5s >/dev/null 2>&1 ||
    die "the cluster does not answer (KUBECONFIG=$kubeconfig); bring it up with npm run cluster:up"
  # Globals: the EXIT trap reads them after this function has returned.
  pod=node24-$(date +%s)-$RANDOM
  k=(kubectl --kubeconfig="$kubeconfig")
  trap '"${k[@]}" delete pod "$pod" --grace-period=0 --force --ignore-not-found --wait=false >/dev/null 2>&1 || true' EXIT
  "${k[@]}" run "$pod" --labels=nsdebug.dev/e2e=true --image=localhost/nsdebug/busybox:e2e \
    --image-pull-policy=Never --restart=Never --overrides='{"spec":{"terminationGracePeriodSeconds":0}}' \
    -- sleep 600 >/dev/null
  "${k[@]}" wait --for=condition=Ready "pod/$pod" --timeout=60s >/dev/null
  echo "node24: a real session under $(chroot "$root" node --version): kubectl nsdebug pod/$pod --ns uts -- hostname"
  local out
  out=$(in_root /usr/bin/env -C "$repo" HOME=/root PATH=/usr/bin:/bin KUBECONFIG="$(readlink -f "$kubeconfig")" \
    NSDEBUG_IMAGE=localhost/nsdebug/busybox:e2e node plugin/kubectl-nsdebug "pod/$pod" --ns uts -- hostname)
  [[ $out == "$pod" ]] || die "the session printed '$out', expected the pod's hostname '$pod'"
  echo "node24: session ok (hostname $out)"
}

case $mode in
root) ensure_root ;;
unit) ensure_root && run_unit ;;
session) ensure_root && run_session ;;
all)
  ensure_root
  rc=0
  run_unit || rc=1
  run_session || rc=1
  exit "$rc"
  ;;
*) die "unknown mode '$mode'; use root, unit, session or all" ;;
esac
