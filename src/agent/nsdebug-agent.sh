#!/bin/sh
# nsdebug-agent: the on-node half of kubectl-nsdebug. It runs inside the
# privileged hostPID helper pod as `sh /nsdebug/agent.sh MODE ARGS...`.
# The contract (modes, output formats, exit codes) is docs/design.md, "The agent".
#
# Every value arrives as argv and is validated; nothing is ever spliced into
# script text. Exit codes of the agent's own failures (one line on stderr):
#   125  usage or invalid input
#   124  target process not found
#   123  the kernel or the available nsenter lacks a requested namespace type
# Otherwise the command's own status passes through.
set -u
LC_ALL=C
export LC_ALL

PROC=${NSDEBUG_PROC:-/proc}
RUN=${NSDEBUG_RUN:-/tmp/nsdebug}
HOST_ROOT=${NSDEBUG_HOST_ROOT:-/host}
NS_TYPES='net pid mnt uts ipc user cgroup time'
# The node's programs are found on the usual PATH, not the helper image's.
HOST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
NL='
'
# The child step of a session that enters a PID namespace: a fresh /proc of
# that namespace, so ps shows the target's processes. Constant text; the
# command reaches it as "$@".
FRESH_PROC='mount -t proc proc /proc 2>/dev/null || echo "nsdebug-agent: warning: could not mount a fresh /proc; ps shows the node'"'"'s processes" >&2; exec "$@"'

die() { # CODE MESSAGE...
  die_code=$1
  shift
  printf 'nsdebug-agent: %s\n' "$*" >&2
  exit "$die_code"
}

# ---------------------------------------------------------------- validation

valid_container_id() {
  case $1 in '' | *[!0-9a-f]*) return 1 ;; esac
  [ ${#1} -ge 12 ] && [ ${#1} -le 64 ]
}

valid_pod_uid() {
  h='[0-9a-f]'
  # shellcheck disable=SC2254 # $h is meant as a pattern here
  case $1 in
    $h$h$h$h$h$h$h$h-$h$h$h$h-$h$h$h$h-$h$h$h$h-$h$h$h$h$h$h$h$h$h$h$h$h) return 0 ;;
  esac
  return 1
}

valid_uint() {
  case $1 in '' | *[!0-9]*) return 1 ;; esac
  [ ${#1} -le 9 ]
}

valid_label() {
  case $1 in '' | *[!A-Za-z0-9._/:-]*) return 1 ;; esac
  [ ${#1} -le 128 ]
}

valid_container_name() { # a Kubernetes container name (DNS label)
  case $1 in '' | -* | *- | *[!a-z0-9-]*) return 1 ;; esac
  [ ${#1} -le 63 ]
}

# ------------------------------------------------------------ /proc readers

# cg_scan FILE: reads one /proc/PID/cgroup file and sets
#   cg_ids     " id1 id2 " every container id named by a path component
#              (bare, cri-containerd-ID.scope, crio-ID[.scope], docker-ID.scope)
#   cg_in_pod  1 when a component names the pod $pod_uid (pod<uid>,
#              pod<uid_>, *-pod<uid_>.slice), else 0
#   cg_slot    the container id of the component right below the pod's
#              (empty for the pod-level cgroup itself or crio-conmon-*)
# Components, not substrings, are compared, so `/..` prefixes from a private
# cgroup namespace and any nesting below the container do not matter.
cg_scan() {
  cg_ids=' '
  cg_in_pod=0
  cg_slot=
  cg_prev=
  [ -r "$1" ] || return 1
  while IFS= read -r cg_line || [ -n "$cg_line" ]; do
    cg_path=${cg_line#*:}
    cg_path=${cg_path#*:}
    # v1 lists the same path once per hierarchy: scan it once.
    [ "$cg_path" != "$cg_prev" ] || continue
    cg_prev=$cg_path
    cg_after_pod=0
    set -f
    IFS=/
    for cg_c in $cg_path; do
      IFS=$OLD_IFS
      if [ -n "$pod_uid" ]; then
        case $cg_c in
          "pod$pod_uid" | "pod$pod_uid_" | *"-pod$pod_uid_.slice")
            cg_in_pod=1
            cg_after_pod=1
            continue
            ;;
        esac
      fi
      cg_c=${cg_c%.scope}
      case $cg_c in
        cri-containerd-*) cg_c=${cg_c#cri-containerd-} ;;
        crio-*) cg_c=${cg_c#crio-} ;;
        docker-*) cg_c=${cg_c#docker-} ;;
      esac
      if valid_container_id "$cg_c"; then
        cg_ids="$cg_ids$cg_c "
        if [ "$cg_after_pod" = 1 ] && [ -z "$cg_slot" ]; then cg_slot=$cg_c; fi
      fi
      cg_after_pod=0
    done
    IFS=$OLD_IFS
    set +f
  done 2>/dev/null <"$1"
  return 0
}

# proc_stat PID: sets st_ppid and st_start (field 22, start time in ticks).
proc_stat() {
  st_line=
  [ -r "$PROC/$1/stat" ] || return 1
  IFS= read -r st_line 2>/dev/null <"$PROC/$1/stat" || [ -n "$st_line" ] || return 1
  # comm (field 2) may hold spaces and parentheses: split after the last ')'.
  st_rest=${st_line##*') '}
  set -f
  # shellcheck disable=SC2086 # splitting the stat fields is the point
  set -- $st_rest
  set +f
  [ $# -ge 20 ] || return 1
  st_ppid=$2
  st_start=${20}
}

# pick PID START: keeps the earliest started candidate (ties: lowest PID).
pick() {
  if [ -z "$found_pid" ] || [ "$2" -lt "$found_start" ] ||
    { [ "$2" -eq "$found_start" ] && [ "$1" -lt "$found_pid" ]; }; then
    found_pid=$1
    found_start=$2
  fi
}

# grep_cgroups STRING...: the /proc/PID/cgroup files that mention any STRING.
# One grep over all processes; -s because processes come and go meanwhile
# (grep then exits 2 even with matches: callers use the output, not the status).
grep_cgroups() {
  gc_args=
  for gc_s in "$@"; do gc_args="$gc_args -e $gc_s"; done
  set +f
  # shellcheck disable=SC2086 # validated ids and uids: no spaces, no globs
  grep -l -s -F $gc_args "$PROC"/[0-9]*/cgroup || :
}

# find_container_pid ID: sets found_pid to the container's init process: the
# earliest started process whose cgroup names ID and whose parent's does not
# (the parent of init and of every exec'd process is the runtime's shim).
find_container_pid() {
  found_pid=
  found_start=
  fc_files=$(grep_cgroups "$1")
  IFS=$NL
  for fc_f in $fc_files; do
    IFS=$OLD_IFS
    fc_pid=${fc_f%/cgroup}
    fc_pid=${fc_pid##*/}
    cg_scan "$fc_f" || continue
    case $cg_ids in *" $1 "*) ;; *) continue ;; esac
    proc_stat "$fc_pid" || continue
    fc_start=$st_start
    if cg_scan "$PROC/$st_ppid/cgroup"; then
      case $cg_ids in *" $1 "*) continue ;; esac
    fi
    pick "$fc_pid" "$fc_start"
  done
  IFS=$OLD_IFS
  [ -n "$found_pid" ]
}

# find_sandbox_pid EXCLUDED_IDS: sets found_pid to the pod's sandbox process:
# the earliest started process in a container-level cgroup of the pod that is
# none of the excluded containers, whose parent is outside the pod.
find_sandbox_pid() {
  found_pid=
  found_start=
  fs_files=$(grep_cgroups "pod$pod_uid" "pod$pod_uid_")
  IFS=$NL
  for fs_f in $fs_files; do
    IFS=$OLD_IFS
    fs_pid=${fs_f%/cgroup}
    fs_pid=${fs_pid##*/}
    cg_scan "$fs_f" || continue
    if [ "$cg_in_pod" != 1 ] || [ -z "$cg_slot" ]; then continue; fi
    case " $1 " in *" $cg_slot "*) continue ;; esac
    proc_stat "$fs_pid" || continue
    fs_start=$st_start
    if cg_scan "$PROC/$st_ppid/cgroup" && [ "$cg_in_pod" = 1 ]; then continue; fi
    pick "$fs_pid" "$fs_start"
  done
  IFS=$OLD_IFS
  [ -n "$found_pid" ]
}

# find_target: the PID for --container-id or --sandbox, or exit 124.
find_target() {
  if [ -n "$container_id" ]; then
    find_container_pid "$container_id" ||
      die 124 "no process of container $container_id found on this node; is the container running?"
  else
    find_sandbox_pid "$excludes" ||
      die 124 "no sandbox process of pod $pod_uid found on this node; has the pod finished?"
  fi
  target_pid=$found_pid
}

# ns_inode PID TYPE: sets ns_ino to the namespace inode, empty when unreadable.
ns_inode() {
  ns_ino=$(readlink "$PROC/$1/ns/$2" 2>/dev/null) || ns_ino=
  ns_ino=${ns_ino#*'['}
  ns_ino=${ns_ino%']'}
  case $ns_ino in '' | *[!0-9]*) ns_ino= ;; esac
}

# ----------------------------------------------------------------- arguments

OLD_IFS=$IFS
[ $# -ge 1 ] || die 125 "usage: agent.sh serve|pid|session|ns|stats|heartbeat [OPTIONS] (see docs/design.md)"
mode=$1
shift
case $mode in
  serve | pid | session | ns | stats | heartbeat) ;;
  *) die 125 "unknown mode '$mode'; use serve, pid, session, ns, stats or heartbeat" ;;
esac

pod_uid=
container_id=
sandbox=0
node=0
excludes=
containers=
ns_list=
ns_given=0
tools=
label=
idle=30
idle_start=600
seen=' '

need_value() { [ $# -ge 2 ] || die 125 "$1 needs a value"; }

while [ $# -gt 0 ]; do
  case $1 in
    --) shift; break ;;
    --*) seen="$seen$1 " ;;
  esac
  case $1 in
    --pod-uid)
      need_value "$@"
      valid_pod_uid "$2" || die 125 "invalid pod uid '$2': expected a lowercase UUID"
      pod_uid=$2
      shift 2
      ;;
    --container-id)
      need_value "$@"
      valid_container_id "$2" || die 125 "invalid container id '$2': expected 12 to 64 lowercase hex digits"
      container_id=$2
      shift 2
      ;;
    --exclude)
      need_value "$@"
      valid_container_id "$2" || die 125 "invalid container id '$2' for --exclude: expected 12 to 64 lowercase hex digits"
      excludes="$excludes $2"
      shift 2
      ;;
    --container)
      need_value "$@"
      c_name=${2%%=*}
      c_id=${2#*=}
      valid_container_name "$c_name" || die 125 "invalid --container '$2': expected NAME=ID with a Kubernetes container name"
      valid_container_id "$c_id" || die 125 "invalid container id in --container '$2': expected 12 to 64 lowercase hex digits"
      containers="$containers $c_name=$c_id"
      shift 2
      ;;
    --sandbox) sandbox=1; shift ;;
    --node) node=1; shift ;;
    --ns)
      need_value "$@"
      ns_given=1
      ns_list=
      set -f
      IFS=,
      for n in $2; do
        IFS=$OLD_IFS
        case " $NS_TYPES all " in
          *" $n "*) ;;
          *) die 125 "unknown namespace '$n' in --ns; valid: net,pid,mnt,uts,ipc,user,cgroup,time or all" ;;
        esac
        [ "$n" = all ] && n=$NS_TYPES
        for m in $n; do
          case " $ns_list " in *" $m "*) ;; *) ns_list="$ns_list $m" ;; esac
        done
      done
      IFS=$OLD_IFS
      set +f
      [ -n "$ns_list" ] || die 125 "--ns needs at least one of net,pid,mnt,uts,ipc,user,cgroup,time"
      shift 2
      ;;
    --tools)
      need_value "$@"
      case $2 in helper | host | target) tools=$2 ;; *) die 125 "unknown --tools '$2'; use helper, host or target" ;; esac
      shift 2
      ;;
    --label)
      need_value "$@"
      valid_label "$2" || die 125 "invalid --label '$2': use 1 to 128 of A-Z a-z 0-9 . _ / : -"
      label=$2
      shift 2
      ;;
    --idle | --idle-start)
      need_value "$@"
      valid_uint "$2" || die 125 "$1 needs a whole number of seconds, got '$2'"
      if [ "$1" = --idle ]; then idle=$2; else idle_start=$2; fi
      shift 2
      ;;
    *) die 125 "unexpected argument '$1' for mode $mode" ;;
  esac
done
# "$@" is now the session's COMMAND, if any.
pod_uid_=$(printf '%s' "$pod_uid" | tr - _)

allow_only() { # OPTION...: every option given must be one of these
  for a in $seen; do
    case " $* " in *" $a "*) ;; *) die 125 "$a is not an option of mode $mode" ;; esac
  done
}

need_pod_uid() { [ -n "$pod_uid" ] || die 125 "mode $mode needs --pod-uid"; }

need_one_target() { # exactly one of --container-id, --sandbox
  if [ -n "$container_id" ] && [ "$sandbox" = 1 ]; then
    die 125 "give either --container-id or --sandbox, not both"
  fi
  [ -n "$container_id" ] || [ "$sandbox" = 1 ] || die 125 "mode $mode needs --container-id ID or --sandbox"
  if [ -n "$container_id" ] && [ -n "$excludes" ]; then
    die 125 "--exclude only applies to --sandbox"
  fi
}

no_command() { [ $# -eq 0 ] || die 125 "mode $mode takes no command"; }

# --------------------------------------------------------------------- modes

# The client proves it is alive by writing the time here (mode heartbeat) while a
# session runs: an exec'd process outlives a client that was killed outright,
# because the runtime does not end it when the stream goes away.
beat() { date +%s >"$RUN/heartbeat"; }

# SIGHUP, then SIGKILL, to every process of the session led by $1 (the
# registered PID is the exec's session leader; its shell may sit in the
# target's PID namespace, but the helper sees it from the node's).
end_session() {
  es_leader=$1
  for es_sig in HUP KILL; do
    set +f
    for es_stat in "$PROC"/[0-9]*/stat; do
      es_line=$(cat "$es_stat" 2>/dev/null) || continue
      # Fields after the command name: state ppid pgrp session ...
      # shellcheck disable=SC2086
      set -- ${es_line##*) }
      [ "${4:-}" = "$es_leader" ] || continue
      es_pid=${es_stat%/stat}
      kill -s "$es_sig" "${es_pid##*/}" 2>/dev/null
    done
    set -f
    [ "$es_sig" = KILL ] || sleep 1
  done
}

mode_serve() {
  mkdir -p "$RUN/sessions" || die 125 "cannot create $RUN/sessions"
  sleeper=
  trap 'if [ -n "$sleeper" ]; then kill "$sleeper" 2>/dev/null; fi; exit 0' TERM INT
  start=$(date +%s)
  ever=0
  last=$start
  while :; do
    now=$(date +%s)
    alive=0
    set +f
    for f in "$RUN/sessions"/*; do
      [ -e "$f" ] || continue
      p=${f##*/}
      case $p in '' | *[!0-9]*) continue ;; esac
      # A session that ended before we looked still counts as started.
      [ "$ever" = 1 ] || last=$now
      ever=1
      if kill -0 "$p" 2>/dev/null; then alive=1; else rm -f "$f"; fi
    done
    set -f
    if [ "$alive" = 1 ]; then
      last=$now
      beat_at=$(cat "$RUN/heartbeat" 2>/dev/null) || beat_at=$now
      case $beat_at in '' | *[!0-9]*) beat_at=$now ;; esac
      if [ $((now - beat_at)) -ge "$idle" ]; then
        echo "nsdebug-agent: no heartbeat from the client for $((now - beat_at))s: ending its sessions" >&2
        set +f
        for f in "$RUN/sessions"/*; do
          [ -e "$f" ] && end_session "${f##*/}"
        done
        set -f
        exit 0
      fi
    elif [ "$ever" = 1 ]; then
      [ $((now - last)) -lt "$idle" ] || exit 0
    else
      [ $((now - start)) -lt "$idle_start" ] || exit 0
    fi
    # Backgrounded so that TERM/INT interrupt the wait at once.
    sleep 1 &
    sleeper=$!
    wait "$sleeper"
    sleeper=
  done
}

mode_pid() {
  need_pod_uid
  need_one_target
  find_target
  echo "$target_pid"
}

print_ns_line() { # KIND NAME PID
  pn_fields=
  for t in $NS_TYPES; do
    ns_inode "$3" "$t"
    pn_fields="$pn_fields $t:${ns_ino:--}"
  done
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${pn_fields# }"
}

mode_ns() {
  need_pod_uid
  ns_excl=$excludes
  ns_any=
  for pair in $containers; do
    ns_excl="$ns_excl ${pair#*=}"
  done
  for pair in $containers; do
    find_container_pid "${pair#*=}" || continue
    print_ns_line container "${pair%%=*}" "$found_pid"
    ns_any=${ns_any:-$found_pid}
  done
  if find_sandbox_pid "$ns_excl"; then
    print_ns_line sandbox sandbox "$found_pid"
    ns_any=$found_pid
  fi
  [ -n "$ns_any" ] || die 124 "no process of pod $pod_uid found on this node; is it running here?"
  # The node: PID 1 when readable, else the runtime's shim (the parent of the
  # sandbox or container process), which runs in the node's namespaces.
  ns_inode 1 net
  if [ -n "$ns_ino" ]; then
    print_ns_line node node 1
  elif proc_stat "$ns_any" && [ "$st_ppid" -gt 0 ]; then
    print_ns_line node node "$st_ppid"
  fi
}

# cg_resolve MOUNT PATH: sets cg_dir. A path starting with /.. is relative to
# our own cgroup namespace root: find the directory that ends with the rest.
cg_resolve() {
  case $2 in
    /.. | /../*)
      cr_rel=$2
      while :; do
        case $cr_rel in /../*) cr_rel=${cr_rel#/..} ;; *) break ;; esac
      done
      case $cr_rel in '' | /.. | *[!A-Za-z0-9._/:@-]*) return 1 ;; esac
      cg_dir=$(find "$1" -maxdepth 8 -type d -path "*$cr_rel" 2>/dev/null | head -n 1)
      [ -n "$cg_dir" ]
      ;;
    *) cg_dir=$1$2 ;;
  esac
}

dump() { # HEADER FILE: a header line, then the file; nothing when unreadable
  [ -r "$2" ] || return 0
  dump_text=$(cat "$2" 2>/dev/null) || return 0
  printf '### %s\n' "$1"
  if [ -n "$dump_text" ]; then printf '%s\n' "$dump_text"; fi
}

V1_FILES='cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.shares cpu/cpu.stat
cpuacct/cpuacct.usage cpuacct/cpuacct.stat cpuset/cpuset.cpus cpuset/cpuset.effective_cpus
memory/memory.usage_in_bytes memory/memory.limit_in_bytes memory/memory.max_usage_in_bytes
memory/memory.stat memory/memory.oom_control memory/memory.failcnt
blkio/blkio.throttle.io_service_bytes blkio/blkio.throttle.io_service_bytes_recursive
blkio/blkio.throttle.io_serviced pids/pids.current pids/pids.max'
V2_FILES='cgroup.controllers cpu.max cpu.weight cpu.stat cpuset.cpus.effective
memory.current memory.max memory.peak memory.stat memory.events memory.oom.group
memory.swap.current memory.swap.max io.stat pids.current pids.max'

mode_stats() {
  need_pod_uid
  need_one_target
  find_target
  cgfile=$PROC/$target_pid/cgroup
  version=2
  while IFS=: read -r _ st_ctrls _; do
    case $st_ctrls in '' | name=*) ;; *) version=1 ;; esac
  done <"$cgfile"
  echo "### cgroup-version $version"
  echo "### pid $target_pid"
  if [ "$version" = 1 ]; then
    for cf in $V1_FILES; do
      ctrl=${cf%%/*}
      # The line whose controller list holds ctrl, e.g. "4:cpu,cpuacct:/path".
      st_path=
      st_mount=
      while IFS=: read -r _ st_ctrls st_p; do
        case ",$st_ctrls," in
          *",$ctrl,"*) st_path=$st_p; st_mount=$st_ctrls; break ;;
        esac
      done <"$cgfile"
      [ -n "$st_path" ] || continue
      base=$HOST_ROOT/sys/fs/cgroup/$ctrl
      [ -d "$base" ] || base=$HOST_ROOT/sys/fs/cgroup/$st_mount
      cg_resolve "$base" "$st_path" || continue
      dump "v1/$cf" "$cg_dir/${cf#*/}"
    done
  else
    st_path=
    while IFS= read -r st_line; do
      case $st_line in 0::*) st_path=${st_line#0::} ;; esac
    done <"$cgfile"
    if [ -n "$st_path" ] && cg_resolve "$HOST_ROOT/sys/fs/cgroup" "$st_path"; then
      for cf in $V2_FILES; do dump "v2/$cf" "$cg_dir/$cf"; done
    fi
  fi
  dump proc/net/dev "$PROC/$target_pid/net/dev"
  dump proc/status "$PROC/$target_pid/status"
  # What `free` shows inside: the container's own /proc (lxcfs, if any).
  if [ -r "$PROC/$target_pid/root/proc/meminfo" ]; then
    dump proc/meminfo "$PROC/$target_pid/root/proc/meminfo"
  else
    dump proc/meminfo "$PROC/meminfo"
  fi
}

# resolve_in ROOT NAME: sets resolved to NAME's absolute path inside ROOT,
# searched along $HOST_PATH (unchanged when NAME has a / or is not found).
# Exec'ing by absolute path matters: a busybox built with "prefer applets"
# (Debian's busybox-static) runs its own applet for a bare name even after
# chroot or setns, instead of the node's or the container's program.
resolve_in() {
  resolved=$2
  case $2 in */*) return 0 ;; esac
  set -f
  IFS=:
  for rd in $HOST_PATH; do
    if [ -f "$1$rd/$2" ] && [ -x "$1$rd/$2" ]; then
      resolved=$rd/$2
      break
    fi
  done
  IFS=$OLD_IFS
  set +f
  [ "$resolved" != "$2" ]
}

# nsenter_supports NSENTER... : 0 when that nsenter has every type in $ns_ext.
nsenter_supports() {
  ne_help=$("$@" --help 2>&1) || :
  for t in $ns_ext; do
    case $ne_help in *"--$t"*) ;; *) return 1 ;; esac
  done
}

last_nspid() { # PID: sets nspid to the PID as its own PID namespace sees it
  nspid=$1
  while IFS= read -r ln_line; do
    case $ln_line in
      NSpid:*)
        set -f
        for x in ${ln_line#NSpid:}; do nspid=$x; done
        set +f
        ;;
    esac
  done <"$PROC/$1/status"
}

mode_session() {
  [ -n "$tools" ] || die 125 "mode session needs --tools helper|host|target"
  if [ "$node" = 1 ]; then
    [ "$ns_given" = 0 ] || die 125 "--ns does not apply to --node (the helper already shares the node's namespaces)"
    allow_only --node --tools --label
  else
    allow_only --pod-uid --container-id --sandbox --exclude --ns --tools --label
    need_pod_uid
    need_one_target
    [ "$ns_given" = 1 ] || [ "$tools" = target ] || die 125 "mode session needs --ns LIST"
  fi

  # Register before anything else: serve counts this PID as a live session
  # for as long as it runs, and every step below execs in place.
  if ! mkdir -p "$RUN/sessions" || ! : >"$RUN/sessions/$$" || ! beat; then
    die 125 "cannot register the session in $RUN/sessions"
  fi

  if [ -n "$label" ]; then PS1="[$label] # "; else PS1='[nsdebug] # '; fi
  export PS1
  if [ "$tools" = host ]; then
    PATH=$HOST_PATH
    export PATH
  fi

  if [ "$node" = 1 ]; then
    # The helper already shares the node's pid, net and ipc namespaces.
    case $tools in
      helper)
        NSDEBUG_TARGET_ROOT=$HOST_ROOT
        export NSDEBUG_TARGET_ROOT
        [ $# -gt 0 ] || set -- sh
        exec "$@"
        ;;
      host)
        NSDEBUG_TARGET_ROOT=/
        export NSDEBUG_TARGET_ROOT
        if [ $# -eq 0 ]; then
          if [ -x "$HOST_ROOT/bin/bash" ]; then set -- /bin/bash --norc; else set -- /bin/sh; fi
        fi
        cmd=$1
        shift
        resolve_in "$HOST_ROOT" "$cmd" || :
        exec chroot "$HOST_ROOT" "$resolved" "$@"
        ;;
      *) die 125 "--tools target needs a pod target; use --tools helper or host with --node" ;;
    esac
  fi

  if [ "$tools" = target ]; then
    case " $ns_list " in *" mnt "*) ;; *) ns_list="$ns_list mnt" ;; esac
  else
    case " $ns_list " in
      *" mnt "*) die 125 "--ns mnt runs the container's own programs: use --tools target" ;;
    esac
  fi

  find_target

  flags=
  ns_ext=
  enter_pid=0
  for t in $ns_list; do
    if [ ! -L "$PROC/$target_pid/ns/$t" ]; then
      [ -d "$PROC/$target_pid" ] || die 124 "process $target_pid ended; is the target still running?"
      die 123 "this kernel has no $t namespace; leave $t out of --ns"
    fi
    ns_inode "$target_pid" "$t"
    [ -n "$ns_ino" ] || die 124 "cannot read $PROC/$target_pid/ns/$t; is the target still running?"
    tgt_ino=$ns_ino
    ns_inode "$$" "$t"
    # Entering a namespace we are already in is a no-op at best (EINVAL for user).
    [ "$ns_ino" = "$tgt_ino" ] && continue
    case $t in
      net) flags="$flags -n" ;;
      pid) flags="$flags -p"; enter_pid=1 ;;
      mnt) flags="$flags -m" ;;
      uts) flags="$flags -u" ;;
      ipc) flags="$flags -i" ;;
      user) flags="$flags -U" ;;
      cgroup) flags="$flags -C"; ns_ext="$ns_ext cgroup" ;;
      time) flags="$flags -T"; ns_ext="$ns_ext time" ;;
    esac
  done

  # The nsenter to use: the helper image's, or the node's (chroot: util-linux)
  # for tools=host, and for tools=target when only the node's has cgroup/time.
  use_host_nsenter=0
  [ "$tools" = host ] && use_host_nsenter=1
  host_nsenter=
  if resolve_in "$HOST_ROOT" nsenter; then host_nsenter=$resolved; fi
  if [ "$tools" = host ] && [ -n "$flags" ] && [ -z "$host_nsenter" ]; then
    die 123 "the node has no nsenter in $HOST_PATH; use --tools helper"
  fi
  if [ -n "$ns_ext" ]; then
    if [ "$use_host_nsenter" = 1 ]; then
      nsenter_supports chroot "$HOST_ROOT" "$host_nsenter" ||
        die 123 "the node's nsenter cannot enter the${ns_ext} namespace; leave it out of --ns"
    elif ! nsenter_supports nsenter; then
      if [ "$tools" = target ]; then
        PATH=$HOST_PATH
        export PATH
      fi
      if [ "$tools" = target ] && [ -n "$host_nsenter" ] && nsenter_supports chroot "$HOST_ROOT" "$host_nsenter"; then
        use_host_nsenter=1
      else
        die 123 "the helper image's nsenter cannot enter the${ns_ext} namespace; use --tools host (the node's util-linux nsenter) or an image with util-linux nsenter"
      fi
    fi
  fi

  # Where the target's root filesystem is, as the session's /proc sees it.
  if [ "$tools" = target ]; then
    NSDEBUG_TARGET_ROOT=/
  elif [ "$enter_pid" = 1 ]; then
    last_nspid "$target_pid"
    NSDEBUG_TARGET_ROOT=/proc/$nspid/root
  else
    NSDEBUG_TARGET_ROOT=/proc/$target_pid/root
  fi
  export NSDEBUG_TARGET_ROOT

  if [ $# -eq 0 ]; then
    if [ "$tools" = host ] && [ -x "$HOST_ROOT/bin/bash" ]; then set -- /bin/bash --norc; else set -- sh; fi
  fi
  # The program's absolute path in the filesystem it comes from (see resolve_in).
  if [ "$tools" = target ] || { [ "$tools" = host ] && [ -z "$flags" ]; }; then
    if [ "$tools" = target ]; then cmd_root=$PROC/$target_pid/root; else cmd_root=$HOST_ROOT; fi
    cmd=$1
    shift
    resolve_in "$cmd_root" "$cmd" || :
    set -- "$resolved" "$@"
  fi

  # helper and host with pid: a private mount namespace (private propagation:
  # nothing leaks to the node) in which the child mounts a fresh /proc.
  if [ "$enter_pid" = 1 ] && [ "$tools" != target ]; then
    set -- sh -c "$FRESH_PROC" nsdebug-agent "$@"
  fi
  if [ -n "$flags" ]; then
    set -- -- "$@"
    for f in $flags; do set -- "$f" "$@"; done
    if [ "$use_host_nsenter" = 1 ]; then
      set -- chroot "$HOST_ROOT" "$host_nsenter" -t "$target_pid" "$@"
    else
      set -- nsenter -t "$target_pid" "$@"
    fi
  elif [ "$tools" = host ]; then
    set -- chroot "$HOST_ROOT" "$@"
  fi
  if [ "$enter_pid" = 1 ] && [ "$tools" != target ]; then
    set -- unshare -m --propagation private -- "$@"
  fi
  # exec keeps this PID (the registered one) alive for the whole session:
  # nsenter waits for its child when it forks, and passes its status through.
  exec "$@"
}

case $mode in
  serve)
    allow_only --idle --idle-start
    no_command "$@"
    mode_serve
    ;;
  pid)
    allow_only --pod-uid --container-id --sandbox --exclude
    no_command "$@"
    mode_pid
    ;;
  ns)
    allow_only --pod-uid --container --exclude
    no_command "$@"
    mode_ns
    ;;
  stats)
    allow_only --pod-uid --container-id --sandbox --exclude
    no_command "$@"
    mode_stats
    ;;
  heartbeat)
    allow_only
    no_command "$@"
    mkdir -p "$RUN" && beat
    ;;
  session) mode_session "$@" ;;
esac
