#!/usr/bin/env bash
# Installs the Debian packages the local cluster runs on, when any is missing:
# one quiet `apt-get update`, then one install. Nothing runs when all are present.
set -euo pipefail

packages=(containerd runc containernetworking-plugins etcd-server etcd-client iptables conntrack
  socat busybox-static openssl curl gcc libc6-dev iproute2 util-linux
  docker-registry skopeo apache2-utils)  # the e2e private registry (test/e2e/helpers/registry.ts)

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

[[ $(id -u) == 0 ]] || { echo "cluster: installing ${missing[*]} needs root; run as root" >&2; exit 1; }
echo "cluster: installing ${missing[*]}" >&2
# Forbid maintainer scripts to start etcd or containerd on their default ports:
# the harness starts its own, with its own configuration.
policy=/usr/sbin/policy-rc.d
made_policy=
if [[ ! -e $policy ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod +x "$policy"
  made_policy=1
fi
cleanup() { if [[ -n $made_policy ]]; then rm -f "$policy"; fi; }
trap cleanup EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
