#!/bin/sh
# nsdebug-agent: the on-node half of kubectl-nsdebug. It runs inside the
# hostPID helper pod as `sh -c SCRIPT nsdebug-agent MODE ARGS...` (the text
# itself is the argv: see src/agent/argv.ts).
# The contract (modes, output formats, exit codes) is docs/design.md, "The agent".
#
# Every value arrives as argv and is validated; nothing is ever spliced into
# script text. Exit codes of the agent's own failures (one line on stderr;
# AGENT_EXIT in src/agent/argv.ts, kept equal by agent-contract.test.ts):
#   125  usage or invalid input
#   124  target process not found
#   123  the kernel or the available nsenter lacks a requested namespace type
# Otherwise the command's own status passes through.
#
# Layout: constants; validation; /proc readers and the PID lookup; argument
# parsing; the modes; the session's stages; main. Only `main "$@"` runs at
# the top level.
set -u
# No pathname expansion anywhere: every expansion is data. with_glob is the one
# place that turns it on, for one expansion of a constant pattern.
set -f
LC_ALL=C
export LC_ALL

PROC=${NSDEBUG_PROC:-/proc}
RUN=${NSDEBUG_RUN:-/tmp/nsdebug}
HOST_ROOT=${NSDEBUG_HOST_ROOT:-/host}
# The namespace types, in the order `ns` prints them (src/agent/argv.ts has the
# same list; test/agent/agent-contract.test.ts keeps the two equal).
NS_TYPES='net pid mnt uts ipc user cgroup time'
# The node's programs are found on the usual PATH, not the helper image's.
HOST_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
NL='
'
OLD_IFS=$IFS
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

# with_glob DIR PATTERN COMMAND [ARG...]: runs COMMAND ARG... DIR/MATCH...
# (PATTERN left as it is when nothing matches: COMMAND checks that each
# exists). The only place pathname expansion is on, and only for this one
# expansion of a constant PATTERN: DIR is quoted, so it stays data.
with_glob() {
  wg_dir=$1
  wg_pattern=$2
  shift 2
  set +f
  # shellcheck disable=SC2086 # expanding the pattern is the point
  set -- "$@" "$wg_dir"/$wg_pattern
  set -f
  "$@"
}

# ---------------------------------------------------------------- validation

valid_container_id() {
  case $1 in '' | *[!0-9a-f]*) return 1 ;; esac
  [ ${#1} -ge 12 ] && [ ${#1} -le 64 ]
}

valid_pod_uid() { # UID [SEP]: a lowercase UUID whose groups SEP (default -) joins
  h='[0-9a-f]'
  s=${2:--}
  # shellcheck disable=SC2254 # $h is meant as a pattern here
  case $1 in
    $h$h$h$h$h$h$h$h"$s"$h$h$h$h"$s"$h$h$h$h"$s"$h$h$h$h"$s"$h$h$h$h$h$h$h$h$h$h$h$h) return 0 ;;
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

ns_csv() { # the namespace types, comma-separated, for messages
  printf '%s' "$NS_TYPES" | tr ' ' ,
}

# ------------------------------------------------------------ /proc readers

# pod_component COMPONENT: returns 1 unless COMPONENT is a kubelet pod cgroup
# (pod<uid> or pod<uid_> with cgroupfs, *-pod<uid_>.slice with systemd, uid
# being any UUID); then pc_ours is 1 when the pod is $pod_uid, else 0.
pod_component() {
  pc_ours=0
  case $1 in
    *-pod*.slice)
      pc_uid=${1##*-pod}
      pc_uid=${pc_uid%.slice}
      valid_pod_uid "$pc_uid" _ || return 1
      [ "$pc_uid" != "$pod_uid_" ] || pc_ours=1
      ;;
    pod*)
      pc_uid=${1#pod}
      valid_pod_uid "$pc_uid" || valid_pod_uid "$pc_uid" _ || return 1
      if [ "$pc_uid" = "$pod_uid" ] || [ "$pc_uid" = "$pod_uid_" ]; then pc_ours=1; fi
      ;;
    *) return 1 ;;
  esac
  return 0
}

# container_component COMPONENT: sets cc_id to the container id that names
# the cgroup COMPONENT: ID, cri-containerd-ID.scope, crio-ID[.scope] or
# docker-ID.scope; returns 1 for anything else (crio-conmon-ID.scope too).
container_component() {
  cc_id=${1%.scope}
  case $cc_id in
    cri-containerd-*) cc_id=${cc_id#cri-containerd-} ;;
    crio-*) cc_id=${cc_id#crio-} ;;
    docker-*) cc_id=${cc_id#docker-} ;;
  esac
  valid_container_id "$cc_id"
}

# cg_slot FILE: reads one /proc/PID/cgroup file and sets cg_slot to the
# container of pod $pod_uid the process is in: the container id named by the
# component right under the pod's own component, where the pod's is the first
# pod component of the path. Empty when no path has one: outside the pod, in
# the pod-level cgroup itself (CRI-O's conmon), in crio-conmon-ID.scope, or
# in a cgroup that a neighbour made and named after the pod or a container
# inside its own pod's subtree (anything a pod can create lies below its own
# pod component, which comes first). Components, not substrings, are compared,
# so `/..` prefixes from a private cgroup namespace and any nesting below the
# container do not matter. The kernel refuses a newline in a cgroup name, so
# each line is one whole path.
cg_slot() {
  cg_slot=
  cg_prev=
  [ -r "$1" ] || return 1
  while IFS= read -r cg_line || [ -n "$cg_line" ]; do
    cg_path=${cg_line#*:}
    cg_path=${cg_path#*:}
    # v1 lists the same path once per hierarchy: scan it once.
    [ "$cg_path" != "$cg_prev" ] || continue
    cg_prev=$cg_path
    cg_under_pod=0
    IFS=/
    for cg_c in $cg_path; do
      IFS=$OLD_IFS
      if [ "$cg_under_pod" = 1 ]; then
        if [ -z "$cg_slot" ] && container_component "$cg_c"; then cg_slot=$cc_id; fi
        break
      fi
      pod_component "$cg_c" || continue
      [ "$pc_ours" = 1 ] || break
      cg_under_pod=1
    done
    IFS=$OLD_IFS
  done 2>/dev/null <"$1"
  return 0
}

# proc_stat PID: sets st_ppid, st_sid (session) and st_start (start time in
# ticks) from /proc/PID/stat. The command name (field 2) may hold anything the
# process wrote to its own comm, newlines and parentheses included, and nothing
# after it holds a ')': so the whole file is read, and split after its last ') '.
proc_stat() {
  st_text=
  [ -r "$PROC/$1/stat" ] || return 1
  while IFS= read -r st_line || [ -n "$st_line" ]; do
    st_text=$st_text$st_line$NL
  done 2>/dev/null <"$PROC/$1/stat"
  case $st_text in *') '*) ;; *) return 1 ;; esac
  IFS=$OLD_IFS
  # shellcheck disable=SC2086 # splitting the fields after the name is the point
  set -- ${st_text##*') '}
  [ $# -ge 20 ] || return 1
  st_ppid=$2
  st_sid=$4
  st_start=${20}
}

# grep_cgroups STRING...: the /proc/PID/cgroup files that mention any STRING.
# One grep over all processes; -s because processes come and go meanwhile
# (grep then exits 2 even with matches: callers use the output, not the status).
grep_cgroups() {
  # Each STRING becomes `-e STRING`, rotated through "$@".
  for gc_s in "$@"; do
    set -- "$@" -e "$gc_s"
    shift
  done
  with_glob "$PROC" '[0-9]*/cgroup' grep -l -s -F "$@" -- || :
}

# find_init TEST STRING...: the one scan behind both lookups. Sets found_pid
# to the init of a container of the pod: among the processes whose cgroup file
# mentions a STRING (a cheap grep first) and whose slot (cg_slot) `TEST SLOT`
# accepts, the earliest started (ties: lowest PID) whose parent is not in that
# same slot (the parent of an init, and of every exec'd process, is the
# runtime's shim or conmon; that of every other process is in the slot).
find_init() {
  fi_test=$1
  shift
  found_pid=
  found_start=
  fi_files=$(grep_cgroups "$@")
  IFS=$NL
  for fi_f in $fi_files; do
    IFS=$OLD_IFS
    fi_pid=${fi_f%/cgroup}
    fi_pid=${fi_pid##*/}
    cg_slot "$fi_f" || continue
    if [ -z "$cg_slot" ] || ! "$fi_test" "$cg_slot"; then continue; fi
    fi_slot=$cg_slot
    proc_stat "$fi_pid" || continue
    fi_start=$st_start
    if cg_slot "$PROC/$st_ppid/cgroup" && [ "$cg_slot" = "$fi_slot" ]; then continue; fi
    if [ -z "$found_pid" ] || [ "$fi_start" -lt "$found_start" ] ||
      { [ "$fi_start" -eq "$found_start" ] && [ "$fi_pid" -lt "$found_pid" ]; }; then
      found_pid=$fi_pid
      found_start=$fi_start
    fi
  done
  IFS=$OLD_IFS
  [ -n "$found_pid" ]
}

slot_is_wanted() { [ "$1" = "$wanted_id" ]; }

slot_not_excluded() {
  case " $excluded_ids " in *" $1 "*) return 1 ;; esac
}

# find_container_pid ID: sets found_pid to the init process of container ID.
find_container_pid() {
  wanted_id=$1
  find_init slot_is_wanted "$1"
}

# find_sandbox_pid EXCLUDED_IDS: sets found_pid to the pod's sandbox process:
# the earliest started init of a container of the pod that is none of the
# excluded ones.
find_sandbox_pid() {
  excluded_ids=$1
  find_init slot_not_excluded "pod$pod_uid" "pod$pod_uid_"
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

need_value() { [ $# -ge 2 ] || die 125 "$1 needs a value"; }

# parse_args MODE [OPTION...] [-- COMMAND...]: validates every value and sets
# mode and the option variables below; args_used is how many arguments were
# options (the caller shifts them: the rest is the session's COMMAND).
parse_args() {
  [ $# -ge 1 ] || die 125 "usage: agent.sh serve|pid|session|ns|stats|heartbeat [OPTIONS] (see docs/design.md)"
  mode=$1
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
  pa_total=$#
  shift
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
        pa_name=${2%%=*}
        pa_id=${2#*=}
        valid_container_name "$pa_name" || die 125 "invalid --container '$2': expected NAME=ID with a Kubernetes container name"
        valid_container_id "$pa_id" || die 125 "invalid container id in --container '$2': expected 12 to 64 lowercase hex digits"
        containers="$containers $pa_name=$pa_id"
        shift 2
        ;;
      --sandbox) sandbox=1; shift ;;
      --node) node=1; shift ;;
      --ns)
        need_value "$@"
        parse_ns_list "$2"
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
  args_used=$((pa_total - $#))
  pod_uid_=$(printf '%s' "$pod_uid" | tr - _)
}

# parse_ns_list LIST: sets ns_list to the types in LIST (comma-separated, or
# all), each once, and ns_given.
parse_ns_list() {
  ns_given=1
  ns_list=
  IFS=,
  for pn_name in $1; do
    IFS=$OLD_IFS
    case " $NS_TYPES all " in
      *" $pn_name "*) ;;
      *) die 125 "unknown namespace '$pn_name' in --ns; valid: $(ns_csv) or all" ;;
    esac
    [ "$pn_name" = all ] && pn_name=$NS_TYPES
    for pn_type in $pn_name; do
      case " $ns_list " in *" $pn_type "*) ;; *) ns_list="$ns_list $pn_type" ;; esac
    done
  done
  IFS=$OLD_IFS
  [ -n "$ns_list" ] || die 125 "--ns needs at least one of $(ns_csv)"
}

allow_only() { # OPTION...: every option given must be one of these
  for ao_given in $seen; do
    case " $* " in *" $ao_given "*) ;; *) die 125 "$ao_given is not an option of mode $mode" ;; esac
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
  for es_sig in HUP KILL; do
    with_glob "$PROC" '[0-9]*/stat' signal_session "$es_sig" "$1"
    [ "$es_sig" = KILL ] || sleep 1
  done
}

signal_session() { # SIGNAL LEADER STAT_FILE...
  ss_sig=$1
  ss_leader=$2
  shift 2
  for ss_file in "$@"; do
    ss_pid=${ss_file%/stat}
    ss_pid=${ss_pid##*/}
    proc_stat "$ss_pid" || continue
    [ "$st_sid" = "$ss_leader" ] || continue
    kill -s "$ss_sig" "$ss_pid" 2>/dev/null
  done
}

# check_sessions FILE...: the registered sessions ($RUN/sessions/PID): sets
# alive when one still runs, removes the entries of those that ended.
check_sessions() {
  alive=0
  for cs_file in "$@"; do
    [ -e "$cs_file" ] || continue
    cs_pid=${cs_file##*/}
    case $cs_pid in '' | *[!0-9]*) continue ;; esac
    # A session that ended before we looked still counts as started.
    [ "$ever" = 1 ] || last=$now
    ever=1
    if kill -0 "$cs_pid" 2>/dev/null; then alive=1; else rm -f "$cs_file"; fi
  done
}

end_sessions() { # FILE...: ends every registered session
  for en_file in "$@"; do
    [ -e "$en_file" ] && end_session "${en_file##*/}"
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
    with_glob "$RUN/sessions" '*' check_sessions
    if [ "$alive" = 1 ]; then
      last=$now
      beat_at=$(cat "$RUN/heartbeat" 2>/dev/null) || beat_at=$now
      case $beat_at in '' | *[!0-9]*) beat_at=$now ;; esac
      if [ $((now - beat_at)) -ge "$idle" ]; then
        echo "nsdebug-agent: no heartbeat from the client for $((now - beat_at))s: ending its sessions" >&2
        with_glob "$RUN/sessions" '*' end_sessions
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
  for pn_t in $NS_TYPES; do
    ns_inode "$3" "$pn_t"
    pn_fields="$pn_fields $pn_t:${ns_ino:--}"
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
  IFS=:
  for rd in $HOST_PATH; do
    if [ -f "$1$rd/$2" ] && [ -x "$1$rd/$2" ]; then
      resolved=$rd/$2
      break
    fi
  done
  IFS=$OLD_IFS
  [ "$resolved" != "$2" ]
}

# nsenter_supports NSENTER... : 0 when that nsenter has every type in $ns_ext.
nsenter_supports() {
  ne_help=$("$@" --help 2>&1) || :
  for ne_t in $ns_ext; do
    case $ne_help in *"--$ne_t"*) ;; *) return 1 ;; esac
  done
}

last_nspid() { # PID: sets nspid to the PID as its own PID namespace sees it
  nspid=$1
  while IFS= read -r ln_line; do
    case $ln_line in
      NSpid:*)
        for ln_x in ${ln_line#NSpid:}; do nspid=$ln_x; done
        ;;
    esac
  done <"$PROC/$1/status"
}

# ------------------------------------------------------------------ session
# mode_session runs these stages in order; the last one execs.

# Checks: the options fit together. No effect has happened yet.
session_checks() {
  [ -n "$tools" ] || die 125 "mode session needs --tools helper|host|target"
  if [ "$node" = 1 ]; then
    [ "$ns_given" = 0 ] || die 125 "--ns does not apply to --node (the helper already shares the node's namespaces)"
    allow_only --node --tools --label
    [ "$tools" != target ] || die 125 "--tools target needs a pod target; use --tools helper or host with --node"
    return 0
  fi
  allow_only --pod-uid --container-id --sandbox --exclude --ns --tools --label
  need_pod_uid
  need_one_target
  [ "$ns_given" = 1 ] || [ "$tools" = target ] || die 125 "mode session needs --ns LIST"
  # mnt goes with target tools: helper and host programs live outside the
  # container's mount namespace; the container's own programs need it.
  if [ "$tools" = target ]; then
    case " $ns_list " in *" mnt "*) ;; *) ns_list="$ns_list mnt" ;; esac
  else
    case " $ns_list " in
      *" mnt "*) die 125 "--ns mnt runs the container's own programs: use --tools target" ;;
    esac
  fi
}

# Register: serve counts this PID as a live session for as long as it runs,
# and every later step execs in place. Then the session's environment.
session_register() {
  if ! mkdir -p "$RUN/sessions" || ! : >"$RUN/sessions/$$" || ! beat; then
    die 125 "cannot register the session in $RUN/sessions"
  fi
  if [ -n "$label" ]; then PS1="[$label] # "; else PS1='[nsdebug] # '; fi
  export PS1
  if [ "$tools" = host ]; then
    PATH=$HOST_PATH
    export PATH
  fi
}

# A node session: the helper already shares the node's pid, net and ipc
# namespaces, so there is nothing to enter. Execs COMMAND.
session_node() {
  if [ "$tools" = helper ]; then
    NSDEBUG_TARGET_ROOT=$HOST_ROOT
    export NSDEBUG_TARGET_ROOT
    [ $# -gt 0 ] || set -- sh
    exec "$@"
  fi
  NSDEBUG_TARGET_ROOT=/
  export NSDEBUG_TARGET_ROOT
  if [ $# -eq 0 ]; then
    if [ -x "$HOST_ROOT/bin/bash" ]; then set -- /bin/bash --norc; else set -- /bin/sh; fi
  fi
  resolve_in "$HOST_ROOT" "$1" || :
  shift
  exec chroot "$HOST_ROOT" "$resolved" "$@"
}

# Namespace flags: sets ns_enter to the types of ns_list the target does not
# share with us (entering a namespace we are already in is a no-op at best,
# EINVAL for user), enter_pid, and ns_ext (the types busybox's nsenter lacks).
session_namespaces() {
  ns_enter=
  ns_ext=
  enter_pid=0
  for sn_t in $ns_list; do
    if [ ! -L "$PROC/$target_pid/ns/$sn_t" ]; then
      [ -d "$PROC/$target_pid" ] || die 124 "process $target_pid ended; is the target still running?"
      die 123 "this kernel has no $sn_t namespace; leave $sn_t out of --ns"
    fi
    ns_inode "$target_pid" "$sn_t"
    [ -n "$ns_ino" ] || die 124 "cannot read $PROC/$target_pid/ns/$sn_t; is the target still running?"
    sn_target_ino=$ns_ino
    ns_inode "$$" "$sn_t"
    [ "$ns_ino" != "$sn_target_ino" ] || continue
    ns_enter="$ns_enter $sn_t"
    case $sn_t in
      pid) enter_pid=1 ;;
      cgroup | time) ns_ext="$ns_ext $sn_t" ;;
    esac
  done
}

ns_flag() { # TYPE: sets flag to nsenter's option for TYPE
  case $1 in
    net) flag=-n ;;
    pid) flag=-p ;;
    mnt) flag=-m ;;
    uts) flag=-u ;;
    ipc) flag=-i ;;
    user) flag=-U ;;
    cgroup) flag=-C ;;
    time) flag=-T ;;
  esac
}

# Choice of nsenter: the helper image's, or the node's (chroot: util-linux)
# for tools=host, and for tools=target when only the node's has cgroup/time.
# Sets use_host_nsenter and host_nsenter.
session_nsenter() {
  use_host_nsenter=0
  [ "$tools" != host ] || use_host_nsenter=1
  host_nsenter=
  if resolve_in "$HOST_ROOT" nsenter; then host_nsenter=$resolved; fi
  if [ "$tools" = host ] && [ -n "$ns_enter" ] && [ -z "$host_nsenter" ]; then
    die 123 "the node has no nsenter in $HOST_PATH; use --tools helper"
  fi
  [ -n "$ns_ext" ] || return 0
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
}

# Target root: where the target's root filesystem is, as the session's /proc
# sees it.
session_target_root() {
  if [ "$tools" = target ]; then
    NSDEBUG_TARGET_ROOT=/
  elif [ "$enter_pid" = 1 ]; then
    last_nspid "$target_pid"
    NSDEBUG_TARGET_ROOT=/proc/$nspid/root
  else
    NSDEBUG_TARGET_ROOT=/proc/$target_pid/root
  fi
  export NSDEBUG_TARGET_ROOT
}

# The final argv, composed outermost-first after COMMAND's arguments, which
# then move to the end:
#   unshare -m --propagation private --   helper/host with pid: a private mount
#                                         namespace (nothing leaks to the node)...
#   [chroot ROOT] nsenter -t PID FLAG... --   the namespaces to enter, or
#   chroot ROOT                               tools=host entering none
#   sh -c FRESH_PROC nsdebug-agent        ...in which a fresh /proc is mounted
#   PROGRAM ARG...
# exec keeps this PID (the registered one) alive for the whole session:
# nsenter waits for its child when it forks, and passes its status through.
session_exec() { # [COMMAND [ARG...]]
  if [ $# -eq 0 ]; then
    if [ "$tools" = host ] && [ -x "$HOST_ROOT/bin/bash" ]; then set -- /bin/bash --norc; else set -- sh; fi
  fi
  # The program's absolute path in the filesystem it comes from (see resolve_in).
  resolved=$1
  if [ "$tools" = target ]; then
    resolve_in "$PROC/$target_pid/root" "$1" || :
  elif [ "$tools" = host ] && [ -z "$ns_enter" ]; then
    resolve_in "$HOST_ROOT" "$1" || :
  fi
  shift
  se_args=$#
  se_fresh_proc=0
  if [ "$enter_pid" = 1 ] && [ "$tools" != target ]; then se_fresh_proc=1; fi

  if [ "$se_fresh_proc" = 1 ]; then set -- "$@" unshare -m --propagation private --; fi
  if [ -n "$ns_enter" ]; then
    if [ "$use_host_nsenter" = 1 ]; then
      set -- "$@" chroot "$HOST_ROOT" "$host_nsenter"
    else
      set -- "$@" nsenter
    fi
    set -- "$@" -t "$target_pid"
    for se_t in $ns_enter; do
      ns_flag "$se_t"
      set -- "$@" "$flag"
    done
    set -- "$@" --
  elif [ "$tools" = host ]; then
    set -- "$@" chroot "$HOST_ROOT"
  fi
  if [ "$se_fresh_proc" = 1 ]; then set -- "$@" sh -c "$FRESH_PROC" nsdebug-agent; fi
  set -- "$@" "$resolved"
  while [ "$se_args" -gt 0 ]; do
    set -- "$@" "$1"
    shift
    se_args=$((se_args - 1))
  done
  exec "$@"
}

mode_session() { # [COMMAND [ARG...]]
  session_checks
  session_register
  [ "$node" = 0 ] || session_node "$@"
  find_target
  session_namespaces
  session_nsenter
  session_target_root
  session_exec "$@"
}

# --------------------------------------------------------------------- main

main() {
  parse_args "$@"
  shift "$args_used"
  # "$@" is now the session's COMMAND, if any.
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
}

main "$@"
