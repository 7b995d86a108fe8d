#!/usr/bin/env bash
# The second node, nsdebug-node-2: a kubelet and a containerd of its own inside
# their own PID, mount, network, UTS and IPC namespaces (see node2-init.sh), on
# a veth pair with the host, with pod CIDR $NODE2_POD_CIDR routed from the host,
# cgroup root $NODE2_CGROUP_ROOT, and the taint $NODE2_TAINT.
# usage: node2.sh up APISERVER_IP   (idempotent: starts only what is missing,
#                                    then waits for the node to be Ready)
#        node2.sh down              (kills the node's PID 1, which ends all its
#                                    processes, then removes its cgroups, link,
#                                    route, state and Node object)
# up.sh and down.sh call it; it needs the control plane of up.sh running.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

[[ $(id -u) == 0 ]] || die "node 2 needs root; run as root"
trap 'log "node2.sh: command failed at line $LINENO"' ERR

# in_node2 COMMAND...: runs COMMAND in node 2's namespaces.
in_node2() {
  local init
  init=$(node2_init_pid) || die "node 2's PID 1 is not running"
  nsenter -t "$init" -p -m -n -u -i --wd=/ -- "$@"
}

node2_ctr() { in_node2 ctr -a "$NODE2_CONTAINERD_SOCK" -n k8s.io "$@"; }

# start_in_node2 NAME COMMAND...: like start, inside node 2. nsenter forks to
# enter the PID namespace; the recorded PID is that child's (the component).
start_in_node2() {
  local name=$1 pid init child="" i
  shift
  if pid=$(component_pid "$name"); then
    log "$name already running (pid $pid)"
    return 0
  fi
  init=$(node2_init_pid) || die "node 2's PID 1 is not running"
  printf '\n===== %s: starting %s\n' "$(date -Is)" "$name" >>"$LOGS/$name.log"
  (close_inherited_fds && exec setsid nsenter -t "$init" -p -m -n -u -i --wd=/ -- "$@") </dev/null >>"$LOGS/$name.log" 2>&1 &
  pid=$!
  for ((i = 0; i < 50; i++)); do
    child=$(cat "/proc/$pid/task/$pid/children" 2>/dev/null) || true
    child=${child%% *}
    [[ -n $child ]] && break
    sleep 0.1
  done
  [[ $child =~ ^[0-9]+$ ]] || { tail_logs "$name"; die "$name did not start in node 2"; }
  record_pid "$name" "$child"
  log "started $name (pid $child, in node 2)"
}

# The cgroup root must exist in every hierarchy before the kubelet starts; a new
# cpuset cgroup is unusable until it has CPUs and memory nodes.
make_cgroup_root() {
  local h dir
  for h in /sys/fs/cgroup/*/; do
    dir=${h%/}$NODE2_CGROUP_ROOT
    mkdir -p "$dir"
  done
  dir=/sys/fs/cgroup/cpuset$NODE2_CGROUP_ROOT
  if [[ -d $dir ]]; then
    [[ -n $(cat "$dir/cpuset.cpus") ]] || cat /sys/fs/cgroup/cpuset/cpuset.cpus >"$dir/cpuset.cpus"
    [[ -n $(cat "$dir/cpuset.mems") ]] || cat /sys/fs/cgroup/cpuset/cpuset.mems >"$dir/cpuset.mems"
  fi
}

# Removes node 2's cgroups, deepest first (rmdir needs them empty: its
# processes must be gone). Retries while the kernel finishes the kills.
remove_cgroup_root() {
  local dir
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    mapfile -t dirs < <(node2_cgroup_dirs)
    ((${#dirs[@]} == 0)) && return 0
    for dir in "${dirs[@]}"; do
      find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
    done
    sleep 0.3
  done
  log "could not remove node 2's cgroups: $(node2_cgroup_dirs | tr '\n' ' ')"
}

# The veth pair, node 2's address and default route, and the host's route to
# its pods (the route goes with the veth when the node ends).
setup_network() {
  local init=$1 peer=${NODE2_VETH}-in
  if ! ip link show "$NODE2_VETH" >/dev/null 2>&1; then
    ip link add "$NODE2_VETH" type veth peer name "$peer"
    ip link set "$peer" netns "$init"
    ip addr add "$NODE2_HOST_IP/$NODE2_LINK_PREFIX" dev "$NODE2_VETH"
    ip link set "$NODE2_VETH" up
    nsenter -t "$init" -n -- ip link set "$peer" name eth0
    nsenter -t "$init" -n -- ip addr add "$NODE2_IP/$NODE2_LINK_PREFIX" dev eth0
    nsenter -t "$init" -n -- ip link set lo up
    nsenter -t "$init" -n -- ip link set eth0 up
    nsenter -t "$init" -n -- ip route add default via "$NODE2_HOST_IP"
    # A new network namespace does not forward: its pods reach others through it.
    nsenter -t "$init" -n -- sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
  fi
  ip route replace "$NODE2_POD_CIDR" via "$NODE2_IP" dev "$NODE2_VETH"
}

up() {
  local apiserver_ip=$1 init i started=$SECONDS
  [[ -f $PKI/done ]] || die "no cluster PKI: run cluster/up.sh (node 2 joins its control plane)"
  mkdir -p "$NODE2_STATE"/{kubelet,kubelet-root,containerd,cni/net.d,pod-logs,binds} "$LOGS" "$RUN"
  "$CLUSTER_DIR/pki.sh" --node "$NODE2_NAME" "$NODE2_IP" "https://$apiserver_ip:6443"

  write_containerd_config "$NODE2_STATE/containerd/config.toml" "$NODE2_STATE/containerd/root" \
    /run/containerd "$NODE2_CONTAINERD_SOCK" "$NODE2_STATE/containerd/opt" /run/runc "$NODE2_STATE/cni/net.d"
  write_cni_config "$NODE2_STATE/cni/net.d/10-nsdebug.conflist" "$NODE2_BRIDGE" "$NODE2_POD_CIDR" /run/cni-ipam
  write_kubelet_config "$NODE2_STATE/kubelet" "$NODE2_IP" "$NODE2_CONTAINERD_SOCK" "$NODE2_POD_CIDR" \
    "$NODE2_PKI" "$NODE2_STATE/pod-logs" "$NODE2_CGROUP_ROOT"

  if ! node2_init_pid >/dev/null; then
    # A new PID 1 means a new node: whatever ran in the old one is gone.
    rm -f "$RUN/node2.pid" "$RUN/node2-containerd.pid" "$RUN/node2-kubelet.pid"
    remove_cgroup_root
    make_cgroup_root
    # --kill-child: should unshare die, its child (node 2's PID 1) dies too.
    start node2 unshare --pid --fork --kill-child --mount --net --uts --ipc --mount-proc --propagation private \
      -- bash "$CLUSTER_DIR/node2-init.sh"
  else
    make_cgroup_root
  fi
  for ((i = 0; i < 100; i++)); do
    init=$(node2_init_pid) && [[ -e /proc/$init/root/run/nsdebug-node2-ready ]] && break
    component_pid node2 >/dev/null || { tail_logs node2; die "node 2's PID 1 exited"; }
    sleep 0.1
  done
  [[ -e /proc/$init/root/run/nsdebug-node2-ready ]] || { tail_logs node2; die "node 2's namespaces did not get ready"; }
  setup_network "$init"

  start_in_node2 node2-containerd containerd --config "$NODE2_STATE/containerd/config.toml"
  wait_until node2-containerd 30 "node 2's containerd socket" node2_ctr version
  local tarfile image
  for image in "$BUSYBOX_IMAGE:busybox" "$PAUSE_IMAGE:pause" "$TOOLBOX_IMAGE:toolbox"; do
    tarfile=$STATE/images/${image##*:}.tar
    image=${image%:*}
    node2_ctr images ls -q | grep -x -- "$image" >/dev/null && continue # no -q: see up.sh's image_present
    [[ -f $tarfile ]] || die "$tarfile is missing: run cluster/up.sh (it builds the images)"
    node2_ctr images import "$tarfile" >/dev/null || { tail_logs node2-containerd; die "importing $tarfile into node 2 failed"; }
    log "imported $image into node 2"
  done

  start_in_node2 node2-kubelet "$STATE/bin/kube-kubelet" \
    --config="$NODE2_STATE/kubelet/config.yaml" --kubeconfig="$NODE2_PKI/kubelet.kubeconfig" \
    --hostname-override="$NODE2_NAME" --node-ip="$NODE2_IP" \
    --root-dir="$NODE2_STATE/kubelet-root" --cert-dir="$NODE2_STATE/kubelet/pki" \
    --register-with-taints="$NODE2_TAINT" --v=1
  also_logs=(node2-containerd)
  wait_until node2-kubelet 120 "node $NODE2_NAME Ready" node_ready "$NODE2_NAME"
  for c in "${NODE2_COMPONENTS[@]}"; do
    component_pid "$c" >/dev/null || { log "$c is not running"; tail_logs "$c"; exit 1; }
  done
  log "node $NODE2_NAME Ready after $((SECONDS - started)) s"
}

down() {
  local init unshare pids
  init=$(node2_init_pid) || init=""
  unshare=$(component_pid node2) || unshare=""
  if [[ -n $init ]]; then
    log "stopping node 2 (its PID 1 is $init)"
    # SIGKILL to a PID namespace's init ends every process in it.
    kill -KILL "$init" 2>/dev/null || true
  fi
  [[ -n $unshare ]] && stop_pid "$unshare" 10
  # Components recorded but outside the namespace (a half-started node).
  for c in node2-kubelet node2-containerd; do
    if pid=$(component_pid "$c"); then stop_pid "$pid" 5; fi
  done
  # Whatever still runs in node 2's cgroups (the kernel's kills take a moment).
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    mapfile -t pids < <(node2_cgroup_pids)
    ((${#pids[@]} == 0)) && break
    kill -KILL "${pids[@]}" 2>/dev/null || true
    sleep 0.3
  done
  remove_cgroup_root
  # With the network namespace gone, the veth and the route are gone; this is
  # for a namespace something else still holds.
  ip link delete "$NODE2_VETH" 2>/dev/null || true
  ip route del "$NODE2_POD_CIDR" 2>/dev/null || true
  rm -rf "$NODE2_STATE"
  rm -f "$RUN/node2.pid" "$RUN/node2-containerd.pid" "$RUN/node2-kubelet.pid"
  # After the kubelet is gone, or it would register the node again. The pod
  # garbage collector then deletes the pods bound to it.
  if [[ -f $PKI/admin.kubeconfig ]] && "${admin[@]}" get --raw /readyz >/dev/null 2>&1; then
    "${admin[@]}" delete node "$NODE2_NAME" --ignore-not-found --wait=false >/dev/null ||
      log "could not delete the Node object $NODE2_NAME"
  fi
  log "node 2 stopped and its state removed"
}

case ${1:-} in
up)
  [[ $# == 2 ]] || die "usage: node2.sh up APISERVER_IP"
  up "$2"
  ;;
down) down ;;
*) die "usage: node2.sh up APISERVER_IP | node2.sh down" ;;
esac
