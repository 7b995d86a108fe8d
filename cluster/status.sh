#!/usr/bin/env bash
# `bash cluster/status.sh`: each component's PID and resident memory, then the
# total over every process of each node (components, containerd shims, pods)
# and of the whole cluster. Node 2's processes are those of its PID namespace
# plus unshare and the nsenter parents of its components (host side).
# Exits 1 if a component is not running (node 2's only if it was brought up).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

down=0
# show COMPONENT...: one line per component; its PID is added to component_pids.
component_pids=()
show() {
  local c pid
  for c in "$@"; do
    if pid=$(component_pid "$c"); then
      printf '%-19s pid %-7s %6d MiB\n' "$c" "$pid" $(($(rss_kib "$pid") / 1024))
      component_pids+=("$pid")
    else
      printf '%-19s not running\n' "$c"
      down=1
    fi
  done
}

# sum_rss LABEL: total RSS of the PIDs on stdin.
grand_total=0
sum_rss() {
  local total=0 count=0 pid
  while read -r pid; do
    [[ -n $pid ]] || continue
    total=$((total + $(rss_kib "$pid"))) count=$((count + 1))
  done
  printf 'total RSS of %d %s processes (components, shims, pods): %d MiB\n' "$count" "$1" $((total / 1024))
  grand_total=$((grand_total + total))
}

show "${COMPONENTS[@]}"
sum_rss "$NODE_NAME (and control plane)" < <({ printf '%s\n' "${component_pids[@]}"; leftover_pids; } | sort -u)

if component_pid node2 >/dev/null || [[ -d $NODE2_STATE ]]; then
  component_pids=()
  show "${NODE2_COMPONENTS[@]}"
  nsenters=()
  for c in node2-containerd node2-kubelet; do
    if pid=$(component_pid "$c"); then nsenters+=("$(awk '{print $4}' "/proc/$pid/stat")"); fi
  done
  sum_rss "$NODE2_NAME" < <({ printf '%s\n' "${component_pids[@]}" "${nsenters[@]}"; node2_pids; } | sort -u)
  printf 'total RSS of the cluster: %d MiB\n' $((grand_total / 1024))
else
  printf '%-19s not started (NSDEBUG_CLUSTER_NODES=1)\n' node2
fi
exit "$down"
