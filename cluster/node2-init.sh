#!/usr/bin/env bash
# PID 1 of node 2, started by node2.sh through `unshare --pid --fork --mount
# --net --uts --ipc --mount-proc`: makes the node's own mounts and hostname,
# then reaps orphans (containerd shims re-parent to it) until it is killed.
# Killing it ends every process of the node; its mounts, network namespace,
# veth and route go with them. The node's containerd and kubelet are started
# by node2.sh through nsenter, so that cluster/up.sh can restart either alone.
# usage (as PID 1 only): node2-init.sh
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

(($$ == 1)) || die "node2-init.sh runs as node 2's PID 1 (started by node2.sh), not by hand"

# The new mount namespace is a copy of the host's, with node 1's pod mounts
# (overlays, netns binds, token tmpfs) under $STATE: left here, they would keep
# node 1's pod network namespaces alive after node 1 removes its pods.
awk -v root="$STATE" 'index($5, root "/") == 1 {print $5}' /proc/self/mountinfo | sort -r -u |
  while read -r m; do umount -l "$m" 2>/dev/null || true; done

# /run of its own: containerd's runtime state, runc's, the IPAM reservations and
# the shim sockets, all gone when the node ends.
mount -t tmpfs -o mode=755 tmpfs /run

# Paths the kubelet and the CNI library use whatever their configuration says.
for dir in /var/lib/kubelet /var/lib/cni /var/log/containers /var/log/pods; do
  src=$NODE2_STATE/binds/${dir//\//_}
  mkdir -p "$src" "$dir"
  mount --bind "$src" "$dir"
done

# A sysfs of this network namespace (the kubelet and CNI read /sys/class/net),
# with the host's cgroup hierarchies kept underneath.
mkdir -p "$NODE2_STATE/cgroup-move"
mount --rbind /sys/fs/cgroup "$NODE2_STATE/cgroup-move"
umount -l /sys
mount -t sysfs sysfs /sys
mount --move "$NODE2_STATE/cgroup-move" /sys/fs/cgroup

hostname "$NODE2_NAME"
touch /run/nsdebug-node2-ready
log "node 2's namespaces are ready"

# PID 1 gets no default signal actions: only SIGKILL from the host ends it.
# `wait` returns on each child's end; bash reaps re-parented orphans too.
while :; do
  sleep 3600 &
  wait || true
done
