#!/usr/bin/env bash
# Checks that no trace of the local cluster (node 2 included) is left on the
# machine: no process (components, shims, pod processes), no mount, no network
# interface or route, no iptables chain, no pod cgroup, no state (pod log
# directories in /var/log/pods included). Prints one line per check and exits 1
# if any of them found something.
# usage: leak-check.sh [BASELINE_LINKS_FILE]   (interfaces present before cluster:up)
#        leak-check.sh --node2   (node 2 alone was removed; node 1 runs on)
#        leak-check.sh --in-cluster [SINCE]
#   The second form is for a cluster that stays up: it checks that no object the
#   e2e tests made (label nsdebug.dev/e2e=true) and no helper pod of the plugin
#   (app.kubernetes.io/managed-by=kubectl-nsdebug) created since SINCE (RFC 3339
#   UTC, default: ever) remains, waiting up to 60 s for deletions in progress.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

if [[ ${1:-} == --in-cluster ]]; then
  since=${2:-1970-01-01T00:00:00Z}
  k=(kubectl --kubeconfig="$KUBECONFIG_OUT" --request-timeout=10s)
  fmt='{range .items[*]}{.kind}/{.metadata.namespace}/{.metadata.name} {.metadata.creationTimestamp}{"\n"}{end}'
  # Objects created since $since (RFC 3339 UTC: compares as text).
  leftovers() {
    { "${k[@]}" get namespaces,pods -A -l nsdebug.dev/e2e=true -o jsonpath="$fmt" &&
      "${k[@]}" get pods -A -l app.kubernetes.io/managed-by=kubectl-nsdebug -o jsonpath="$fmt"; } |
      awk -v since="$since" '$2 >= since {print $1}' | sort -u
  }
  left=""
  for _ in $(seq 60); do
    left=$(leftovers 2>&1) || left="kubectl failed: $left"
    [[ -z $left ]] && break
    sleep 1
  done
  if [[ -z $left ]]; then
    echo "leak-check: cluster     ok (no e2e object, no helper pod created since $since)"
    exit 0
  fi
  echo "leak-check: cluster     LEAK: $(tr '\n' ' ' <<<"$left")"
  exit 1
fi

leaks=0
report() { # CHECK FOUND...
  local check=$1
  shift
  if (($# == 0)); then
    printf 'leak-check: %-11s ok\n' "$check"
  else
    printf 'leak-check: %-11s LEAK: %s\n' "$check" "$*"
    leaks=1
  fi
}

# Node 2's own traces: processes in its cgroups or naming its state, its link,
# route, cgroups and state (the second form: node 2 alone, node 1 up).
node2_traces() {
  local d pid
  procs=()
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    if grep -qsF -- "$NODE2_STATE" "$d/cmdline" || grep -qsF ":$NODE2_CGROUP_ROOT/" "$d/cgroup"; then
      procs+=("$pid($(tr '\0' ' ' <"$d/cmdline" 2>/dev/null | cut -c1-60))")
    fi
  done
  links=()
  ip link show "$NODE2_VETH" >/dev/null 2>&1 && links+=("$NODE2_VETH")
  mapfile -t routes < <(ip -4 route show "$NODE2_POD_CIDR" 2>/dev/null | sed 's/ *$//')
  mapfile -t cgroups < <(node2_cgroup_dirs)
}

if [[ ${1:-} == --node2 ]]; then
  node2_traces
  report processes "${procs[@]}"
  report interfaces "${links[@]}"
  report routes "${routes[@]}"
  report cgroups "${cgroups[@]}"
  state=()
  [[ -e $NODE2_STATE ]] && state+=("$NODE2_STATE")
  for f in "${NODE2_COMPONENTS[@]}"; do [[ -e $RUN/$f.pid ]] && state+=("$RUN/$f.pid"); done
  if "${admin[@]}" get node "$NODE2_NAME" >/dev/null 2>&1; then state+=("node/$NODE2_NAME"); fi
  report state "${state[@]}"
  exit "$leaks"
fi

baseline=${1:-}
procs=()
for d in /proc/[0-9]*; do
  pid=${d#/proc/}
  [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
  if grep -qsF -- "$STATE" "$d/cmdline" || grep -qsE ":(/kubepods|$NODE2_CGROUP_ROOT/)" "$d/cgroup"; then
    procs+=("$pid($(tr '\0' ' ' <"$d/cmdline" 2>/dev/null | cut -c1-60))")
  fi
done
report processes "${procs[@]}"

mapfile -t mounts < <(grep -F -- "$STATE" /proc/self/mountinfo | awk '{print $5}')
report mounts "${mounts[@]}"

mapfile -t links < <(cluster_links)
if [[ -n $baseline && -f $baseline ]]; then
  # Any veth that was not there before the cluster came up.
  while read -r veth; do
    grep -qx -- "$veth" "$baseline" || links+=("$veth")
  done < <(ip -o link show type veth | awk -F': ' '{sub(/@.*/, "", $2); print $2}')
fi
ip link show "$NODE2_VETH" >/dev/null 2>&1 && links+=("$NODE2_VETH")
report interfaces "${links[@]}"

mapfile -t routes < <(ip -4 route show "$NODE2_POD_CIDR" 2>/dev/null | sed 's/ *$//')
report routes "${routes[@]}"

mapfile -t chains < <(cluster_iptables_chains | tr ' ' ':')
report iptables "${chains[@]}"

mapfile -t cgroups < <(find /sys/fs/cgroup -maxdepth 2 -name 'kubepods*' -type d 2>/dev/null; node2_cgroup_dirs)
report cgroups "${cgroups[@]}"

state=()
[[ -e $STATE ]] && state+=("$STATE")
while IFS= read -r link; do state+=("$link"); done < <(find /var/log/containers -maxdepth 1 \( -lname "$STATE/*" -o -lname "/var/log/pods/*" \) 2>/dev/null)
while IFS= read -r dir; do state+=("$dir"); done < <(stale_pod_log_dirs)
[[ -e $KUBECONFIG_OUT ]] && state+=("$KUBECONFIG_OUT")
[[ -e /var/lib/kubelet/device-plugins/kubelet.sock ]] && state+=(/var/lib/kubelet/device-plugins/kubelet.sock)
report state "${state[@]}"

exit "$leaks"
