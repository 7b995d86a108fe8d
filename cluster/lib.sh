# Shared settings and helpers of the local cluster harness; sourced by up.sh,
# down.sh and leak-check.sh (bash). Everything a run creates lives under
# $STATE, except the admin kubeconfig copy in <repo>/.e2e/kubeconfig.
# shellcheck shell=bash
# shellcheck disable=SC2034 # the settings are read by the scripts that source this file

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CLUSTER_DIR=$REPO/cluster

# One cluster per machine (its ports are fixed), so its state has one fixed,
# short home: unix socket paths must stay under 108 bytes.
STATE=${NSDEBUG_CLUSTER_STATE:-/var/lib/nsdebug-cluster}
KUBECONFIG_OUT=$REPO/.e2e/kubeconfig

K8S_VERSION=v1.34.4
NODE_NAME=nsdebug-node
POD_CIDR=10.244.0.0/24
SERVICE_CIDR=10.96.0.0/24
SERVICE_IP=10.96.0.1
BRIDGE=nsdebug0
BUSYBOX_IMAGE=localhost/nsdebug/busybox:e2e
PAUSE_IMAGE=localhost/nsdebug/pause:e2e

PKI=$STATE/pki
LOGS=$STATE/logs
RUN=$STATE/run
CONTAINERD_SOCK=$STATE/containerd/containerd.sock
KUBELET_ROOT=$STATE/kubelet-root
CNI_BIN=/usr/lib/cni

# Every process the harness starts, in start order; down.sh stops them in reverse.
COMPONENTS=(etcd containerd apiserver controller-manager scheduler kubelet)

log() { printf 'cluster: %s\n' "$*" >&2; }
die() { printf 'cluster: %s\n' "$*" >&2; exit 1; }

# The node's address: the IPv4 address of eth0, else of the default route's device.
detect_node_ip() {
  local dev=eth0 ip
  if ! ip -4 -o addr show dev "$dev" >/dev/null 2>&1; then
    dev=$(ip -4 route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") {print $(i + 1); exit}}')
  fi
  ip=$(ip -4 -o addr show dev "$dev" 2>/dev/null | awk '{split($4, a, "/"); print a[1]; exit}')
  [[ -n $ip ]] || die "no IPv4 address on eth0 or the default route's device; set NSDEBUG_NODE_IP"
  printf '%s\n' "$ip"
}

# Start time of a process (field 22 of /proc/PID/stat), to tell a recorded PID
# from a later process that reused it.
proc_start_time() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  awk '{print $20}' <<<"$stat"
}

# Prints the PID of a recorded component if that very process still runs.
component_pid() {
  local file=$RUN/$1.pid pid start
  [[ -f $file ]] || return 1
  read -r pid start <"$file" || return 1
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(proc_start_time "$pid") == "$start" ]] || return 1
  printf '%s\n' "$pid"
}

# Stops a process: TERM, up to $2 seconds of grace, then KILL.
stop_pid() {
  local pid=$1 grace=${2:-10} i
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((i = 0; i < grace * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
}

# PIDs of processes the cluster left: containerd shims serving our socket, and
# anything in a cgroup the kubelet made for pods (/kubepods...).
leftover_pids() {
  local d pid
  for d in /proc/[0-9]*; do
    pid=${d#/proc/}
    [[ $pid == "$$" ]] && continue
    if grep -qsF -- "$CONTAINERD_SOCK" "$d/cmdline" 2>/dev/null \
      || grep -qs ':/kubepods' "$d/cgroup" 2>/dev/null; then
      printf '%s\n' "$pid"
    fi
  done
}

# Mount points under the state directory, deepest first.
state_mounts() {
  awk -v root="$STATE" '$5 == root || index($5, root "/") == 1 {print $5}' /proc/self/mountinfo | sort -r -u
}

# Network interfaces the CNI bridge plugin made: the bridge and veths on it.
cluster_links() {
  ip -o link show 2>/dev/null | awk -F': ' -v br="$BRIDGE" '
    { name = $2; sub(/@.*/, "", name) }
    name == br || index($0, " master " br " ") { print name }'
}

# iptables chains the kubelet (KUBE-*) and the CNI plugins (CNI-*) create.
cluster_iptables_chains() {
  local table
  for table in filter nat mangle; do
    iptables-save -t "$table" 2>/dev/null | awk -v t="$table" '/^:(KUBE|CNI)-/ {print t, substr($1, 2)}'
  done
}
