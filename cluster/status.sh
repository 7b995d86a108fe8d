#!/usr/bin/env bash
# `bash cluster/status.sh`: each component's PID and resident memory, then the
# total over every process of the cluster (components, containerd shims, pods).
# Exits 1 if a component is not running.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

down=0
component_pids=()
for c in "${COMPONENTS[@]}"; do
  if pid=$(component_pid "$c"); then
    printf '%-19s pid %-7s %6d MiB\n' "$c" "$pid" $(($(rss_kib "$pid") / 1024))
    component_pids+=("$pid")
  else
    printf '%-19s not running\n' "$c"
    down=1
  fi
done

total=0 count=0
while read -r pid; do
  total=$((total + $(rss_kib "$pid"))) count=$((count + 1))
done < <({ printf '%s\n' "${component_pids[@]}"; leftover_pids; } | sort -u)
printf 'total RSS of %d cluster processes (components, shims, pods): %d MiB\n' "$count" $((total / 1024))
exit "$down"
