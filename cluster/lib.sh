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
# busybox plus util-linux setpriv and nsenter: the helper image of --tools target e2e tests
TOOLBOX_IMAGE=localhost/nsdebug/toolbox:e2e

PKI=$STATE/pki
LOGS=$STATE/logs
RUN=$STATE/run
CONTAINERD_SOCK=$STATE/containerd/containerd.sock
KUBELET_ROOT=$STATE/kubelet-root
CNI_BIN=/usr/lib/cni

# Every process the harness starts, in start order; down.sh stops them in reverse.
COMPONENTS=(etcd containerd apiserver controller-manager scheduler kubelet)

# How many nodes cluster:up runs: 2 (default) or 1 (NSDEBUG_CLUSTER_NODES=1).
CLUSTER_NODES=${NSDEBUG_CLUSTER_NODES:-2}

# The second node (node2.sh): a kubelet and a containerd in their own PID,
# mount, network, UTS and IPC namespaces, the way kind isolates its node
# containers. Its PID 1 is node2-init.sh, started by unshare (component node2).
NODE2_NAME=nsdebug-node-2
NODE2_STATE=$STATE/node2
NODE2_PKI=$PKI/$NODE2_NAME
NODE2_POD_CIDR=10.244.1.0/24
NODE2_BRIDGE=nsdebug1
# A veth pair: $NODE2_VETH on the host ($NODE2_HOST_IP), eth0 in node 2 ($NODE2_IP).
NODE2_VETH=nsdebug-n2
NODE2_HOST_IP=10.250.0.1
NODE2_IP=10.250.0.2
NODE2_LINK_PREFIX=30
# Its pods' cgroups live under this root in every hierarchy, apart from node 1's /kubepods.
NODE2_CGROUP_ROOT=/nsdebug-node-2
# Ordinary pods stay on node 1; tests that want node 2 tolerate this or set nodeName.
NODE2_TAINT=nsdebug.dev/second-node=true:NoSchedule
# Paths inside node 2's mount namespace: /run there is a tmpfs of its own, so the
# runtime state, the IP reservations and the shim sockets die with the node.
NODE2_CONTAINERD_SOCK=/run/containerd/containerd.sock
# node 2's components, in start order (node2 is the unshare process holding its PID 1).
NODE2_COMPONENTS=(node2 node2-containerd node2-kubelet)

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

# --- configuration files (node 1 and node 2 differ only in these arguments) ---

# write_containerd_config FILE ROOT STATE SOCKET OPT RUNC_ROOT CNI_CONF_DIR
write_containerd_config() {
  cat >"$1" <<TOML
version = 2
root = "$2"
state = "$3"
oom_score = 0
[grpc]
  address = "$4"
[plugins."io.containerd.internal.v1.opt"]
  path = "$5"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # Required here: the bounding set lacks CAP_SYS_RESOURCE, so a negative
  # oom_score_adj fails and every sandbox would fail to start.
  restrict_oom_score_adj = true
  disable_hugetlb_controller = true
  tolerate_missing_hugetlb_controller = true
  netns_mounts_under_state_dir = true
  enable_unprivileged_ports = false
  enable_unprivileged_icmp = false
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        BinaryName = "/usr/sbin/runc"
        Root = "$6"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$7"
TOML
}

# write_cni_config FILE BRIDGE POD_CIDR IPAM_DATA_DIR
write_cni_config() {
  cat >"$1" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "nsdebug",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$2",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$3"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$4"
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
}

# write_kubelet_config DIR NODE_IP CONTAINERD_SOCK POD_CIDR CERT_DIR POD_LOGS_DIR [CGROUP_ROOT]
# Writes DIR/config.yaml and DIR/resolv.conf; CERT_DIR holds kubelet-server.{crt,key}.
write_kubelet_config() {
  local dir=$1 ip=$2 sock=$3 cidr=$4 certs=$5 pod_logs=$6 cgroup_root=${7:-}
  # hostNetwork pods (dnsPolicy Default) get this resolver: nothing answers either.
  printf 'nameserver 127.0.0.1\n' >"$dir/resolv.conf"
  cat >"$dir/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# containerd 1.6 lacks the CRI RuntimeConfig call: the driver must be explicit.
cgroupDriver: cgroupfs
failCgroupV1: false
containerRuntimeEndpoint: unix://$sock
imageServiceEndpoint: unix://$sock
# The local images cannot be pulled back once garbage-collected.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
failSwapOn: false
address: $ip
port: 10250
healthzBindAddress: 127.0.0.1
healthzPort: 10248
readOnlyPort: 0
tlsCertFile: $certs/kubelet-server.crt
tlsPrivateKeyFile: $certs/kubelet-server.key
authentication:
  anonymous:
    enabled: false
  x509:
    clientCAFile: $PKI/ca.crt
  webhook:
    enabled: true
authorization:
  mode: Webhook
clusterDomain: cluster.local
# No DNS server runs here. Naming the loopback resolver makes lookups in pods
# fail fast and spares every pod a MissingClusterDNS warning event.
clusterDNS: ["127.0.0.1"]
resolvConf: $dir/resolv.conf
serializeImagePulls: false
podCIDR: $cidr
maxPods: 50
rotateCertificates: false
serverTLSBootstrap: false
cgroupsPerQOS: true
enforceNodeAllocatable: ["pods"]
# podLogsDir (not podLogsDirectory, which the kubelet ignores): pod logs stay
# under the state directory instead of /var/log/pods.
podLogsDir: $pod_logs
YAML
  if [[ -n $cgroup_root ]]; then printf 'cgroupRoot: %s\n' "$cgroup_root" >>"$dir/config.yaml"; fi
}

# --- process control (up.sh and node2.sh) ---

# tail_logs NAME...: the last lines of each component's log, for a failure report.
tail_logs() {
  local name
  for name in "$@"; do
    printf '\n----- last lines of %s -----\n' "$LOGS/$name.log" >&2
    tail -n 30 "$LOGS/$name.log" >&2 2>/dev/null || echo "(no log)" >&2
  done
}

# record_pid NAME PID: remembers PID and its start time for component_pid.
record_pid() {
  printf '%s %s\n' "$2" "$(proc_start_time "$2")" >"$RUN/$1.pid"
}

# Closes every descriptor above stderr. `flock LOCKFILE bash up.sh` hands its
# lock down as one: a component started with it would hold the cluster lock
# for as long as it runs.
close_inherited_fds() {
  local fd
  for fd in /proc/self/fd/*; do
    fd=${fd##*/}
    if ((fd > 2)); then { exec {fd}>&-; } 2>/dev/null || true; fi
  done
}

# start NAME COMMAND...: runs COMMAND in its own session, in the background,
# unless the recorded process for NAME still runs.
start() {
  local name=$1 pid
  shift
  if pid=$(component_pid "$name"); then
    log "$name already running (pid $pid)"
    return 0
  fi
  printf '\n===== %s: starting %s\n' "$(date -Is)" "$name" >>"$LOGS/$name.log"
  # Without job control, a background job is no process-group leader, so
  # setsid execs in place and $! is the component's own PID.
  (close_inherited_fds && exec setsid "$@") </dev/null >>"$LOGS/$name.log" 2>&1 &
  pid=$!
  record_pid "$name" "$pid"
  log "started $name (pid $pid)"
}

# wait_until NAME SECONDS WHAT COMMAND...: polls COMMAND until it succeeds.
# Fails with NAME's last log lines (and those of the also_logs components) when
# NAME exits or time runs out.
also_logs=()
wait_until() {
  local name=$1 timeout=$2 what=$3 deadline
  shift 3
  deadline=$((SECONDS + timeout))
  while ! "$@" >/dev/null 2>&1; do
    if ! component_pid "$name" >/dev/null; then
      log "$name exited while waiting for $what"
      tail_logs "$name" "${also_logs[@]}"
      exit 1
    fi
    if ((SECONDS >= deadline)); then
      log "timed out after ${timeout}s waiting for $what"
      tail_logs "$name" "${also_logs[@]}"
      exit 1
    fi
    sleep 0.3
  done
}

admin=(kubectl --kubeconfig="$PKI/admin.kubeconfig" --request-timeout=5s)
# node_ready NAME: the node's Ready condition is True.
node_ready() {
  [[ $("${admin[@]}" get node "$1" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') == True ]]
}

# --- node 2 ---

# Prints the host PID of node 2's PID 1 (the child of the recorded unshare).
node2_init_pid() {
  local unshare children
  unshare=$(component_pid node2) || return 1
  children=$(cat "/proc/$unshare/task/$unshare/children" 2>/dev/null) || return 1
  [[ ${children%% *} =~ ^[0-9]+$ ]] || return 1
  printf '%s\n' "${children%% *}"
}

# Host PIDs of every process in node 2's PID namespace (its PID 1 included).
node2_pids() {
  local init ns d
  init=$(node2_init_pid) || return 0
  ns=$(readlink "/proc/$init/ns/pid") || return 0
  for d in /proc/[0-9]*; do
    [[ $(readlink "$d/ns/pid" 2>/dev/null) == "$ns" ]] && printf '%s\n' "${d#/proc/}"
  done
  return 0
}

# Node 2's cgroup root in each hierarchy, where it exists.
node2_cgroup_dirs() {
  local d
  for d in /sys/fs/cgroup/*"$NODE2_CGROUP_ROOT"; do
    [[ -d $d ]] && printf '%s\n' "$d"
  done
  return 0
}

# PIDs in node 2's cgroups (its pods' processes).
node2_cgroup_pids() {
  local dir
  while read -r dir; do
    find "$dir" -name cgroup.procs -exec cat {} + 2>/dev/null || true
  done < <(node2_cgroup_dirs) | sort -u
}

# Pod log directories (<namespace>_<pod>_<uid>) in the kubelet's default place.
stale_pod_log_dirs() {
  find /var/log/pods -mindepth 1 -maxdepth 1 -type d -regextype posix-extended \
    -regex '.*/[a-z0-9.-]+_[a-z0-9.-]+_[0-9a-f-]{36}' 2>/dev/null || true
}
