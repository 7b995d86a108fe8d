#!/bin/sh
# Makes (up) and removes (down) a pod laid out as the kubelet does with the
# cgroupfs driver on cgroup v1 (plus the unified mirror, as runc does here),
# without Kubernetes: real namespaces and real cgroup directories.
#   up   UID SANDBOX_ID CONTAINER_ID STATE_DIR   prints "sandbox=PID container=PID"
#   down UID STATE_DIR
# A kubelet may share this machine, and it kills and removes every pod cgroup
# under its own /kubepods that it does not know (within a second or two): so
# the pod lives under the cgroup root $G, as a kubelet started with
# --cgroup-root=$G lays it out. Only directories made here are removed.
# The sandbox is a "pause" (sleep) in new pid, net, uts and ipc namespaces,
# hostname pod-x. The container shares its net, uts and ipc namespaces and has
# its own pid, mount and cgroup namespaces, a tmpfs at /mnt holding `marker`,
# and runs two sleeps (FAKE_POD_COMM: see below). As under a shim, each init's parent stays outside the pod.
# The container's memory limit is 64 MiB. Needs root.
set -eu
R=/sys/fs/cgroup
# keep in step with CGROUP_ROOT in helpers.ts; exported for the sh -c steps below
G=/nsdebug-test
export G
CTRLS='memory pids cpu cpuacct cpuset blkio unified'

cmd=$1
uid=$2
case $cmd in
  up)
    sid=$3 cid=$4 state=$5
    : >"$state/made"
    for c in $CTRLS; do
      for d in "$R/$c$G" "$R/$c$G/kubepods" "$R/$c$G/kubepods/burstable"; do
        [ -d "$d" ] || echo "$d" >>"$state/made"
      done
    done
    for id in "$sid" "$cid"; do
      for c in $CTRLS; do
        d=$R/$c
        for part in "${G#/}" kubepods burstable "pod$uid" "$id"; do
          d=$d/$part
          mkdir -p "$d"
          if [ "$c" = cpuset ]; then
            cat "$R/cpuset/cpuset.cpus" >"$d/cpuset.cpus"
            cat "$R/cpuset/cpuset.mems" >"$d/cpuset.mems"
          fi
        done
      done
    done
    echo 67108864 >"$R/memory$G/kubepods/burstable/pod$uid/$cid/memory.limit_in_bytes"
    # Each init joins its cgroups itself (as runc init does), so its parent,
    # the unshare process, stays outside the pod like a shim.
    # shellcheck disable=SC2016 # expanded by the sh -c that runs it
    join='for c in $1; do echo 0 > "$2/$c$G/kubepods/burstable/pod$3/$4/cgroup.procs"; done'
    # The "shim" only unshares the PID namespace (its own stay the node's);
    # its child, PID 1 there, joins the cgroups and then makes the rest.
    setsid unshare --fork --pid sh -c "$join"'; exec unshare --net --uts --ipc --mount-proc sh -c "hostname pod-x; exec sleep 300"' \
      sh "$CTRLS" "$R" "$uid" "$sid" </dev/null >/dev/null 2>&1 &
    sb_parent=$! # setsid execs: this is unshare, the "shim"
    n=0
    until [ -n "$(cat "$R/pids$G/kubepods/burstable/pod$uid/$sid/cgroup.procs")" ] && sb=$(pgrep -P "$sb_parent") &&
      [ "$(readlink "/proc/$sb/ns/net")" != "$(readlink /proc/self/ns/net)" ]; do
      n=$((n + 1)); [ $n -lt 100 ] || { echo "sandbox did not start" >&2; exit 1; }; sleep 0.02
    done
    # The container joins the sandbox's net, uts and ipc namespaces (through
    # the node's /proc, before it mounts its own).
    # shellcheck disable=SC2016 # expanded by the sh -c that runs it
    # The container's init: the marker, then two sleeps. With FAKE_POD_COMM set
    # (environment, never script text) the init stays a shell that first writes
    # it into its own comm, as any process in a container may.
    # shellcheck disable=SC2016 # expanded by the sh -c that runs it
    init='mount -t tmpfs tmpfs /mnt; echo inside > /mnt/marker; sleep 301 &
      if [ -n "${FAKE_POD_COMM:-}" ]; then printf %s "$FAKE_POD_COMM" > /proc/self/comm; sleep 302; else exec sleep 302; fi'
    # shellcheck disable=SC2016 # expanded by the sh -c that runs it
    setsid unshare --fork --pid sh -c "$join"'; exec nsenter -t "$5" -n -u -i -- unshare --mount-proc --cgroup sh -c "$6"' \
      sh "$CTRLS" "$R" "$uid" "$cid" "$sb" "$init" </dev/null >/dev/null 2>&1 &
    ct_parent=$!
    n=0
    until [ "$(wc -l <"$R/pids$G/kubepods/burstable/pod$uid/$cid/cgroup.procs")" -ge 2 ] && [ -n "$(pgrep -P "$ct_parent")" ]; do
      n=$((n + 1)); [ $n -lt 100 ] || { echo "container did not start" >&2; exit 1; }; sleep 0.02
    done
    ct=$(pgrep -P "$ct_parent")
    echo "$sb_parent $ct_parent" >"$state/shims.pid"
    echo "$sb" >"$state/sandbox.pid"
    echo "$ct" >"$state/container.pid"
    echo "sandbox=$sb container=$ct"
    ;;
  down)
    state=$3
    # Every process in the pod's cgroups, then the directories, deepest first.
    cat "$R/pids$G/kubepods/burstable/pod$uid"/*/cgroup.procs 2>/dev/null | while read -r p; do
      kill -9 "$p" 2>/dev/null || true
    done
    for c in $CTRLS; do
      for d in "$R/$c$G/kubepods/burstable/pod$uid"/*/ "$R/$c$G/kubepods/burstable/pod$uid/"; do
        [ -d "$d" ] || continue
        n=0 # a killed process leaves its cgroup a moment later
        until rmdir "$d" 2>/dev/null || [ $n -ge 50 ]; do n=$((n + 1)); sleep 0.02; done
      done
    done
    if [ -f "$state/shims.pid" ]; then
      read -r p1 p2 <"$state/shims.pid"
      kill -9 "$p1" "$p2" 2>/dev/null || true
    fi
    if [ -f "$state/made" ]; then
      sort -r "$state/made" | while IFS= read -r d; do rmdir "$d" 2>/dev/null || true; done
    fi
    ;;
  *) echo "usage: $0 up|down ..." >&2; exit 2 ;;
esac
