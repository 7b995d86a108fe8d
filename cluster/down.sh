#!/usr/bin/env bash
# `npm run cluster:down`: stops everything cluster:up started: node 2 (node2.sh
# down), then node 1's components by recorded PID (kubelet first, so it
# restarts nothing), then what those left behind: pod
# containers and their containerd shims, mounts under the state directory, the
# CNI bridge and its veths, the kubelet's and CNI plugins' iptables chains, the
# pods' cgroups, and finally the state itself. Safe to run twice. Ends with the
# leak check, and fails if anything is left.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

[[ $(id -u) == 0 ]] || die "stopping the cluster needs root; run as root"

stop_component() {
  local pid
  if pid=$(component_pid "$1"); then
    log "stopping $1 (pid $pid)"
    stop_pid "$pid" "$2"
  fi
}

# Node 2 first: killing its PID 1 ends all its processes, and with them its
# mounts, network namespace, veth and route; node2.sh then removes its cgroups,
# state and Node object.
"$CLUSTER_DIR/node2.sh" down || log "node 2 did not stop cleanly (the leak check below tells what is left)"

stop_component kubelet 10

# While containerd still runs, let it end the pod containers: their shims then
# exit on their own and unmount the containers' root filesystems.
if component_pid containerd >/dev/null && [[ -S $CONTAINERD_SOCK ]]; then
  ctr_k8s=(timeout 20 ctr -a "$CONTAINERD_SOCK" -n k8s.io)
  while read -r id; do
    [[ -n $id ]] || continue
    "${ctr_k8s[@]}" tasks kill -a -s SIGKILL "$id" >/dev/null 2>&1 || true
    "${ctr_k8s[@]}" tasks rm -f "$id" >/dev/null 2>&1 || true
    "${ctr_k8s[@]}" containers rm "$id" >/dev/null 2>&1 || true
  done < <("${ctr_k8s[@]}" containers ls -q 2>/dev/null || true)
fi

for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
  [[ ${COMPONENTS[i]} == kubelet ]] || stop_component "${COMPONENTS[i]}" 10
done

# Whatever still runs in the pods' cgroups or serves our containerd socket.
for _ in 1 2 3 4 5; do
  mapfile -t pids < <(leftover_pids)
  ((${#pids[@]} == 0)) && break
  log "killing leftover pod processes and shims: ${pids[*]}"
  kill -KILL "${pids[@]}" 2>/dev/null || true
  sleep 0.5
done

# Mounts: container root filesystems, network namespaces, the kubelet's volumes.
for _ in 1 2 3; do
  mapfile -t mounts < <(state_mounts)
  ((${#mounts[@]} == 0)) && break
  for m in "${mounts[@]}"; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done
done

# Network: veths whose pod namespace is gone vanish by themselves; delete any
# that remain, then the bridge.
while read -r link; do
  [[ $link == "$BRIDGE" ]] || ip link delete "$link" 2>/dev/null || true
done < <(cluster_links)
ip link delete "$BRIDGE" 2>/dev/null || true

# iptables: the kubelet's KUBE-* chains and the portmap plugin's CNI-* chains,
# with the rules that jump to them from the built-in chains.
for table in filter nat mangle; do
  mapfile -t chains < <(cluster_iptables_chains | awk -v t="$table" '$1 == t {print $2}')
  ((${#chains[@]} == 0)) && continue
  {
    printf '*%s\n' "$table"
    iptables-save -t "$table" | awk '/^-A / && $2 !~ /^(KUBE|CNI)-/ && / -[jg] (KUBE|CNI)-/ {sub(/^-A/, "-D"); print}'
    printf -- '-F %s\n' "${chains[@]}"
    printf -- '-X %s\n' "${chains[@]}"
    printf 'COMMIT\n'
  } | iptables-restore --noflush || log "could not remove iptables chains in table $table"
done

# The pods' cgroups, in every hierarchy (deepest first: rmdir needs them empty).
for dir in /sys/fs/cgroup/kubepods /sys/fs/cgroup/*/kubepods; do
  if [[ -d $dir ]]; then find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true; fi
done

# The kubelet's device-plugin socket ignores --root-dir: remove it, and its
# directories only if nothing else is in them.
rm -f /var/lib/kubelet/device-plugins/kubelet.sock
rmdir /var/lib/kubelet/device-plugins /var/lib/kubelet 2>/dev/null || true

# The kubelet links each container's log (kept under $STATE) from /var/log/containers.
# A kubelet started before its configuration named podLogsDir wrote the logs to
# /var/log/pods, and a pod deleted just before the stop leaves its empty
# <namespace>_<pod>_<uid> directory there (one cluster per machine: no other
# kubelet writes them).
find /var/log/containers -maxdepth 1 \( -lname "$STATE/*" -o -lname "/var/log/pods/*" \) -delete 2>/dev/null || true
mapfile -t pod_log_dirs < <(stale_pod_log_dirs)
((${#pod_log_dirs[@]} == 0)) || rm -rf "${pod_log_dirs[@]}"
rmdir /var/lib/cni/results /var/lib/cni 2>/dev/null || true
rm -rf "$STATE" "$KUBECONFIG_OUT"
log "cluster stopped and state removed"
"$CLUSTER_DIR/leak-check.sh"
