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
#        (catch: or the kernel lacks the cgroup freezer), or this helper does
#        not mount a node path the mode needs
#   122  catch: the container exited (or would not freeze) before it was frozen
#   121  catch: no new start of the container within --timeout
#   120  --tools target refused: the helper image or the target lacks what running a program as the target takes (one `error:` line)
# Otherwise the command's own status passes through; with --marked-exit
# (session, needs --session-id) a command's 0 leaves as 218 (EXIT_OK), its own
# 217-219 as 217 (EXIT_ASK: read the status record), and 219 (EXIT_BUSY) means
# a --keep-warm session found the warm helper busy or over and ran nothing.
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
EXIT_ASK=217
EXIT_OK=218
EXIT_BUSY=219
# The child step of a session that enters a PID namespace: a fresh /proc of
# that namespace, so ps shows the target's processes. Constant text; the
# command reaches it as "$@".
FRESH_PROC='mount -t proc proc /proc 2>/dev/null || echo "nsdebug-agent: warning: could not mount a fresh /proc; ps shows the node'"'"'s processes" >&2; exec "$@"'

die() { # CODE MESSAGE...
  die_code=$1
  shift
  # 120 is the user's own error line (the client passes the session's stderr through).
  if [ "$die_code" = 120 ]; then
    printf 'error: %s\n' "$*" >&2
  else
    printf 'nsdebug-agent: %s\n' "$*" >&2
  fi
  exit "$die_code"
}

# need_host NODE_PATH WHAT: each helper mounts only the node paths its job needs
# (src/helper/privileges.ts); a mode that needs one this helper lacks says so
# instead of reading an empty tree. The node's / is known by its /proc.
need_host() {
  nh_probe=$1
  [ "$1" != / ] || nh_probe=/proc
  [ -d "$HOST_ROOT$nh_probe" ] ||
    die 123 "this helper does not mount the node's $1 at $HOST_ROOT${1%/}, which $2 needs; run $2 in a new helper (kubectl nsdebug creates each one with what its job needs)"
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

valid_epoch() { # seconds since 1970 (more digits than valid_uint allows)
  case $1 in '' | *[!0-9]*) return 1 ;; esac
  [ ${#1} -le 12 ]
}

valid_session_id() {
  case $1 in '' | *[!a-z0-9]*) return 1 ;; esac
  [ ${#1} -ge 8 ] && [ ${#1} -le 32 ]
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

# proc_stat PID: sets st_state, st_ppid, st_sid (session), st_utime and
# st_stime (CPU time in ticks) and st_start (start time in ticks) from
# /proc/PID/stat. The command name (field 2) may hold anything the
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
  st_state=$1
  st_ppid=$2
  st_sid=$4
  st_utime=${12}
  st_stime=${13}
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
  [ $# -ge 1 ] || die 125 "usage: agent.sh serve|pid|session|catch|release|ns|stats|heartbeat|status|cp-in|cp-out|diff [OPTIONS] (see docs/design.md)"
  mode=$1
  case $mode in
    serve | pid | session | catch | release | ns | stats | heartbeat | status | cp-in | cp-out | diff) ;;
    *) die 125 "unknown mode '$mode'; use serve, pid, session, catch, release, ns, stats, heartbeat, status, cp-in, cp-out or diff" ;;
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
  session_id=
  idle=30
  idle_start=600
  freeze_idle=5
  container_name=
  timeout=600
  kill_on_exit=0
  print_env=0
  hold=0
  target_env=0
  marked_exit=0
  keep_warm=
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
      --container-name)
        need_value "$@"
        valid_container_name "$2" || die 125 "invalid --container-name '$2': expected a Kubernetes container name"
        container_name=$2
        shift 2
        ;;
      --timeout)
        need_value "$@"
        if ! valid_uint "$2" || [ "$2" -eq 0 ]; then die 125 "--timeout needs a whole number of seconds above 0, got '$2'"; fi
        timeout=$2
        shift 2
        ;;
      --kill-on-exit) kill_on_exit=1; shift ;;
      --print-env) print_env=1; shift ;;
      --hold) hold=1; shift ;;
      --target-env) target_env=1; shift ;;
      --marked-exit) marked_exit=1; shift ;;
      --keep-warm)
        need_value "$@"
        if ! valid_uint "$2" || [ "$2" -eq 0 ]; then die 125 "--keep-warm needs a whole number of seconds above 0, got '$2'"; fi
        keep_warm=$2
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
      --session-id)
        need_value "$@"
        valid_session_id "$2" || die 125 "invalid --session-id '$2': use 8 to 32 of a-z 0-9"
        session_id=$2
        shift 2
        ;;
      --idle | --idle-start | --freeze-idle)
        need_value "$@"
        valid_uint "$2" || die 125 "$1 needs a whole number of seconds, got '$2'"
        case $1 in
          --idle) idle=$2 ;;
          --idle-start) idle_start=$2 ;;
          *)
            [ "$2" -gt 0 ] || die 125 "--freeze-idle needs a whole number of seconds above 0, got '$2'"
            freeze_idle=$2
            ;;
        esac
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

# The client proves it is alive by writing the time here (mode heartbeat) for as
# long as it holds the helper: an exec'd process outlives a client that was killed
# outright, because the runtime does not end it when the stream goes away.
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

# ------------------------------------------------------- frozen cgroups
# A catch session records each cgroup it freezes, before the freeze, as
# $RUN/frozen/<its PID>: one line `ACTION CONTROL_FILE`, ACTION thaw or kill
# (--kill-on-exit), CONTROL_FILE the cgroup's freezer.state (v1) or
# cgroup.freeze (v2). The session releases its own on exit; serve releases
# those of a session that died, and all of them when the client stops beating
# and before it exits: a freeze never outlives the session.

# release_record FILE: kills the cgroup's processes (kill) and thaws it, then
# removes FILE. Returns 1, keeping FILE for the next try, when the cgroup is
# still there but could not be thawed.
release_record() {
  [ -f "$1" ] || return 0
  rr_action=
  rr_ctl=
  IFS=' ' read -r rr_action rr_ctl <"$1" || :
  case $rr_ctl in
    *'/../'* | *'/..') rr_ctl= ;;
    "$HOST_ROOT"/sys/fs/cgroup/*/freezer.state) rr_thawed=THAWED ;;
    "$HOST_ROOT"/sys/fs/cgroup/*/cgroup.freeze) rr_thawed=0 ;;
    *) rr_ctl= ;;
  esac
  case $rr_action in thaw | kill) ;; *) rr_ctl= ;; esac
  if [ -z "$rr_ctl" ]; then
    echo "nsdebug-agent: warning: ignoring a malformed freeze record $1" >&2
    rm -f "$1"
    return 0
  fi
  rr_dir=${rr_ctl%/*}
  if [ -d "$rr_dir" ]; then
    [ "$rr_action" = thaw ] || kill_cgroup "$rr_dir"
    echo "$rr_thawed" 2>/dev/null >"$rr_ctl" || [ ! -d "$rr_dir" ] || return 1
  fi
  rm -f "$1"
}

# kill_cgroup DIR: SIGKILL to every process in the cgroup (cgroup.kill where
# v2 has it). Frozen processes die as soon as they are thawed.
kill_cgroup() {
  if [ -f "$1/cgroup.kill" ]; then
    echo 1 2>/dev/null >"$1/cgroup.kill" && return 0
  fi
  while IFS= read -r kc_pid; do
    case $kc_pid in '' | *[!0-9]*) continue ;; esac
    kill -s KILL "$kc_pid" 2>/dev/null
  done 2>/dev/null <"$1/cgroup.procs"
}

release_records() { # FILE...: releases every record
  for rs_file in "$@"; do
    [ -e "$rs_file" ] || continue
    release_record "$rs_file" || echo "nsdebug-agent: warning: could not thaw the cgroup recorded in $rs_file" >&2
  done
}

release_orphans() { # FILE...: releases the records whose session has ended
  for ro_file in "$@"; do
    [ -e "$ro_file" ] || continue
    ro_pid=${ro_file##*/}
    case $ro_pid in '' | *[!0-9]*) continue ;; esac
    kill -0 "$ro_pid" 2>/dev/null || release_record "$ro_file" || :
  done
}

# release_unbeaten FILE...: releases every record when the client has not
# beaten for --freeze-idle seconds. A frozen container is one the kubelet
# expects to run, so while one is held the client beats every second (see
# CATCH_BEAT_MS in src/agent/argv.ts) and a silence of a few seconds means it
# died: the freeze ends now; its sessions still end at --idle, as any session's.
release_unbeaten() {
  ru_any=0
  for ru_file in "$@"; do
    [ -e "$ru_file" ] && ru_any=1
  done
  [ "$ru_any" = 1 ] || return 0
  ru_beat=$(cat "$RUN/heartbeat" 2>/dev/null) || return 0
  case $ru_beat in '' | *[!0-9]*) return 0 ;; esac
  [ $((now - ru_beat)) -ge "$freeze_idle" ] || return 0
  echo "nsdebug-agent: no heartbeat from the client for $((now - ru_beat))s while a container is frozen: thawing it" >&2
  release_records "$@"
}

# serve_exit: thaws every recorded cgroup, then exits 0.
serve_exit() {
  with_glob "$RUN/frozen" '*' release_records
  exit 0
}

mode_serve() {
  mkdir -p "$RUN/sessions" || die 125 "cannot create $RUN/sessions"
  sleeper=
  trap 'if [ -n "$sleeper" ]; then kill "$sleeper" 2>/dev/null; fi; serve_exit' TERM INT
  start=$(date +%s)
  ever=0
  last=$start
  while :; do
    now=$(date +%s)
    with_glob "$RUN/sessions" '*' check_sessions
    with_glob "$RUN/frozen" '*' release_orphans
    with_glob "$RUN/frozen" '*' release_unbeaten
    if [ "$alive" = 1 ]; then
      last=$now
      beat_at=$(cat "$RUN/heartbeat" 2>/dev/null) || beat_at=$now
      case $beat_at in '' | *[!0-9]*) beat_at=$now ;; esac
      if [ $((now - beat_at)) -ge "$idle" ]; then
        echo "nsdebug-agent: no heartbeat from the client for $((now - beat_at))s: ending its sessions" >&2
        with_glob "$RUN/sessions" '*' end_sessions
        serve_exit
      fi
    elif [ "$ever" = 1 ]; then
      # A warm helper (a session ended with --keep-warm) stays until its warm
      # time is over, and not a second longer; otherwise --idle after the last.
      if warm_until=$(cat "$RUN/warm-until" 2>/dev/null) && valid_epoch "$warm_until"; then
        [ "$now" -lt "$warm_until" ] || serve_exit
      else
        [ $((now - last)) -lt "$idle" ] || serve_exit
      fi
    elif beat_at=$(cat "$RUN/heartbeat" 2>/dev/null); then
      # The client beats while it holds the helper without a session (picker,
      # ns, stats --watch): its beats replace the start window, and when they
      # stop (client killed) the helper ends after --idle.
      case $beat_at in '' | *[!0-9]*) beat_at=$now ;; esac
      [ $((now - beat_at)) -lt "$idle" ] || serve_exit
    else
      [ $((now - start)) -lt "$idle_start" ] || serve_exit
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
  need_host /sys/fs/cgroup stats
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
    allow_only --node --tools --label --session-id --marked-exit --keep-warm
    check_marked
    [ "$tools" != target ] || die 125 "--tools target needs a pod target; use --tools helper or host with --node"
    return 0
  fi
  allow_only --pod-uid --container-id --sandbox --exclude --ns --tools --label --session-id --target-env --marked-exit --keep-warm
  check_marked
  need_pod_uid
  need_one_target
  check_ns_tools
  if [ "$target_env" = 1 ] && [ "$tools" != target ]; then
    die 125 "--target-env gives the container's programs its environment: use it with --tools target"
  fi
}

# --marked-exit needs the recorded status (--session-id); --keep-warm's refusal
# (busy) is only told apart from a command's own status when exits are marked.
check_marked() {
  if [ "$marked_exit" = 1 ] && [ -z "$session_id" ]; then die 125 "--marked-exit needs --session-id"; fi
  if [ -n "$keep_warm" ] && [ "$marked_exit" = 0 ]; then die 125 "--keep-warm needs --marked-exit"; fi
  return 0
}

# The namespaces and tools of a pod session (session, catch).
check_ns_tools() {
  [ "$ns_given" = 1 ] || [ "$tools" = target ] || die 125 "mode $mode needs --ns LIST"
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
  [ -z "$keep_warm" ] || session_claim
  if ! mkdir -p "$RUN/sessions" || ! : >"$RUN/sessions/$$" || ! beat; then
    die 125 "cannot register the session in $RUN/sessions"
  fi
  if [ -n "$session_id" ]; then
    { mkdir -p "$RUN/status" && echo running >"$RUN/status/$session_id"; } || die 125 "cannot record the session in $RUN/status"
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
  need_host / "a node session"
  if [ "$tools" = helper ]; then
    NSDEBUG_TARGET_ROOT=$HOST_ROOT
    export NSDEBUG_TARGET_ROOT
    [ $# -gt 0 ] || set -- sh
    finish "$@"
  fi
  NSDEBUG_TARGET_ROOT=/
  export NSDEBUG_TARGET_ROOT
  if [ $# -eq 0 ]; then
    if [ -x "$HOST_ROOT/bin/bash" ]; then set -- /bin/bash --norc; else set -- /bin/sh; fi
  fi
  resolve_in "$HOST_ROOT" "$1" || :
  shift
  finish chroot "$HOST_ROOT" "$resolved" "$@"
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
  if [ "$tools" = host ]; then
    need_host / "--tools host"
    use_host_nsenter=1
  fi
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
    elif [ "$tools" = target ]; then
      # A target-tools helper does not mount the node's / (src/helper/privileges.ts).
      die 123 "the helper image's nsenter cannot enter the${ns_ext} namespace and this helper has no node nsenter to fall back on; leave${ns_ext} out of --ns, or use an image with util-linux nsenter (--image)"
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
  if [ "$tools" = target ]; then
    target_exec "$@"
    return
  fi
  if [ $# -eq 0 ]; then
    if [ "$tools" = host ] && [ -x "$HOST_ROOT/bin/bash" ]; then set -- /bin/bash --norc; else set -- sh; fi
  fi
  # The program's absolute path in the filesystem it comes from (see resolve_in).
  resolved=$1
  if [ "$tools" = host ] && [ -z "$ns_enter" ]; then
    resolve_in "$HOST_ROOT" "$1" || :
  fi
  shift
  se_args=$#
  se_fresh_proc=0
  if [ "$enter_pid" = 1 ]; then se_fresh_proc=1; fi

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
  # catch runs it as a child instead: it must thaw the container afterwards.
  if [ "${session_forks:-0}" = 1 ]; then
    "$@"
    return
  fi
  finish "$@"
}

# The session's last step. With --session-id the shell stays as the command's
# parent and records its exit status in $RUN/status/ID, which the client reads
# (mode status) before it trusts a 0: when the kubelet or the runtime restarts,
# the API reports Success for the broken stream. INT/QUIT are trapped, not
# ignored, so they reach only the command (a trap resets to default at exec).
finish() { # COMMAND [ARG...]
  # A shell function (target tools' launcher) cannot be exec'd: it runs as a child.
  [ -n "$session_id" ] || [ "$1" = target_launch ] || exec "$@"
  trap : INT QUIT
  if "$@"; then fi_status=0; else fi_status=$?; fi
  [ -z "$session_id" ] || echo "$fi_status" >"$RUN/status/$session_id"
  if [ -n "$keep_warm" ]; then
    # Warm from now on: serve stays until then (see mode_serve), then frees the claim.
    echo $(($(date +%s) + keep_warm)) >"$RUN/warm-until"
    rm -rf "$RUN/claim"
  fi
  [ "$marked_exit" = 1 ] || exit "$fi_status"
  # Marked: a 0 the stream reports could be a broken stream's, so the command's 0
  # leaves as EXIT_OK; a command's own 217-219 as EXIT_ASK (the client reads the
  # status record then).
  case $fi_status in
    0) exit "$EXIT_OK" ;;
    "$EXIT_ASK" | "$EXIT_OK" | "$EXIT_BUSY") exit "$EXIT_ASK" ;;
  esac
  exit "$fi_status"
}

# session_claim: a warm helper serves one session at a time. The claim is a
# directory (mkdir is atomic) holding the claiming shell's PID; one whose PID
# is gone is stale and taken over. Busy, or warm time over: exit EXIT_BUSY
# silently, before anything ran (the client then creates a helper of its own).
session_claim() {
  if sc_until=$(cat "$RUN/warm-until" 2>/dev/null) && valid_epoch "$sc_until" && [ "$(date +%s)" -ge "$sc_until" ]; then
    exit "$EXIT_BUSY"
  fi
  mkdir -p "$RUN" 2>/dev/null
  for sc_try in 1 2; do
    if mkdir "$RUN/claim" 2>/dev/null; then
      echo "$$" >"$RUN/claim/pid" || exit "$EXIT_BUSY"
      return 0
    fi
    [ "$sc_try" = 1 ] || break
    sc_pid=$(cat "$RUN/claim/pid" 2>/dev/null) || sc_pid=
    # A claim still being written (no PID yet) belongs to a live session.
    valid_uint "$sc_pid" || break
    ! kill -0 "$sc_pid" 2>/dev/null || break
    rm -rf "$RUN/claim"
  done
  exit "$EXIT_BUSY"
}

# Prints what $RUN/status/ID says: the exit status, running, or unknown.
mode_status() {
  [ -n "$session_id" ] || die 125 "mode status needs --session-id"
  if [ -r "$RUN/status/$session_id" ]; then cat "$RUN/status/$session_id"; else echo unknown; fi
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

# ------------------------------------------------------------- target tools
# A program from the target's filesystem runs with no more than the target's
# init has (docs/design.md, "Target tools"): its uid, gids and groups, its
# capability sets (bounding set included), no_new_privs when it has it, its
# cgroup in every hierarchy, its environment and working directory.
#
# The helper's own programs that set this up must never run with the target's
# root while they hold more than the target: a dynamic binary would load the
# container's /etc/ld.so.preload (ld.so reads it even when run by hand). So
# the dynamic steps (util-linux setpriv, nsenter) run in the helper's root,
# keeping only CAP_SYS_CHROOT, CAP_SYS_PTRACE and CAP_SYS_ADMIN (setns, the
# target's /proc/PID/ns) beyond the target's sets, and the steps after the
# mount namespace are the helper's *static* busybox (setpriv drops those three,
# env sets the environment), reached as /proc/H/root/... through the target's
# own procfs, where H (the holder) is a helper process in the target's PID
# namespace that kept the helper's root. No helper file descriptor is ever
# open in the target (a directory fd would lead out of its root), and the
# holder exits as soon as the target's program runs.

# The node's cgroupfs as the helper sees it: a hostPath of it at
# /nsdebug/cgroup when the helper has one, else under the node's root.
CGROUP_ROOT=${NSDEBUG_CGROUP_ROOT:-}
if [ -z "$CGROUP_ROOT" ]; then
  if [ -d /nsdebug/cgroup ]; then CGROUP_ROOT=/nsdebug/cgroup; else CGROUP_ROOT=$HOST_ROOT/sys/fs/cgroup; fi
fi
# What the setup steps hold beyond the target: CAP_SYS_CHROOT, CAP_SYS_PTRACE, CAP_SYS_ADMIN.
TT_SETUP_MASK=$(((1 << 18) | (1 << 19) | (1 << 21)))
TT_IMAGE_HINT='run with --image IMAGE naming an image with a static busybox and util-linux setpriv (such as debian:bookworm-slim plus busybox-static; see README), or use --tools helper'
TAB='	'

valid_id() { # a uid or gid: 0 to 4294967294
  case $1 in '' | *[!0-9]*) return 1 ;; esac
  [ ${#1} -le 10 ] && [ "$1" -le 4294967294 ]
}

valid_mask() { # a capability mask as /proc/PID/status prints it
  case $1 in *[!0-9a-f]*) return 1 ;; esac
  [ ${#1} -eq 16 ]
}

# ident_read FILE: the identity in a /proc/PID/status. It is the kernel's text,
# but its Name: line holds what the process wrote into its own comm, so every
# value is checked, and a key seen twice (only a forged line could be) makes
# it fail. Sets id_ruid id_euid id_rgid id_egid, id_groups (comma-separated,
# maybe empty), id_inh id_prm id_eff id_bnd id_amb (16 hex digits) and id_nnp.
ident_read() {
  ir_file=$1
  ir_seen=' '
  id_groups=
  [ -r "$ir_file" ] || return 1
  while IFS= read -r ir_line || [ -n "$ir_line" ]; do
    ir_key=${ir_line%%:*}
    case $ir_key in Uid | Gid | Groups | CapInh | CapPrm | CapEff | CapBnd | CapAmb | NoNewPrivs) ;; *) continue ;; esac
    case $ir_seen in *" $ir_key "*) return 1 ;; esac
    ir_seen="$ir_seen$ir_key "
    IFS=" $TAB"
    # shellcheck disable=SC2086 # splitting the value into its fields is the point (set -f is on)
    set -- ${ir_line#*:}
    IFS=$OLD_IFS
    case $ir_key in
      Uid | Gid)
        [ $# -eq 4 ] || return 1
        for ir_v in "$@"; do valid_id "$ir_v" || return 1; done
        if [ "$ir_key" = Uid ]; then id_ruid=$1 id_euid=$2; else id_rgid=$1 id_egid=$2; fi
        ;;
      Groups)
        for ir_v in "$@"; do
          valid_id "$ir_v" || return 1
          id_groups=$id_groups${id_groups:+,}$ir_v
        done
        ;;
      NoNewPrivs)
        [ $# -eq 1 ] || return 1
        case $1 in 0 | 1) id_nnp=$1 ;; *) return 1 ;; esac
        ;;
      *)
        [ $# -eq 1 ] && valid_mask "$1" || return 1
        case $ir_key in
          CapInh) id_inh=$1 ;;
          CapPrm) id_prm=$1 ;;
          CapEff) id_eff=$1 ;;
          CapBnd) id_bnd=$1 ;;
          CapAmb) id_amb=$1 ;;
        esac
        ;;
    esac
  done <"$ir_file"
  for ir_key in Uid Gid Groups CapInh CapPrm CapEff CapBnd CapAmb NoNewPrivs; do
    case $ir_seen in *" $ir_key "*) ;; *) return 1 ;; esac
  done
}

# ident_caps: the sets the program is given, as numbers: tt_bnd, tt_inh,
# tt_amb (bits up to tt_last). At exec the kernel gives a process whose real
# or effective uid is 0 permitted = effective = inheritable | bounding
# (| ambient), and any other its ambient set (file capabilities aside: the
# target's own processes get those the same way, and no_new_privs stops them
# for both). Where the target's init holds less than that (a root process that
# dropped capabilities), the bounding and inheritable sets are narrowed to
# what it holds (tt_narrowed=1): never more than the target, even if then
# not the same.
ident_caps() {
  tt_last=40
  IFS= read -r ic_last 2>/dev/null <"$PROC/sys/kernel/cap_last_cap" || ic_last=
  if valid_uint "$ic_last" && [ "$ic_last" -le 62 ]; then tt_last=$ic_last; fi
  ic_all=$(((1 << (tt_last + 1)) - 1))
  ic_allowed=$((0x$id_prm & 0x$id_eff & ic_all))
  tt_bnd=$((0x$id_bnd & ic_all))
  tt_inh=$((0x$id_inh & ic_all))
  tt_amb=$((0x$id_amb & ic_allowed))
  tt_narrowed=0
  if [ "$id_ruid" = 0 ] || [ "$id_euid" = 0 ]; then
    if [ $(((tt_inh | tt_bnd) & ~ic_allowed)) -ne 0 ]; then
      tt_bnd=$((tt_bnd & ic_allowed))
      tt_inh=$((tt_inh & ic_allowed))
      tt_narrowed=1
    fi
  fi
  # The kernel keeps inheritable within the bounding set (for a process that
  # lacks it) and ambient within permitted and inheritable.
  tt_inh=$((tt_inh & tt_bnd))
  tt_amb=$((tt_amb & tt_inh))
}

# cap_list MASK ul|bb: sets caps to MASK as util-linux setpriv takes it
# (-all,+cap_N...) or as busybox setpriv does (+cap_N or -cap_N for every N:
# it knows no `all`).
cap_list() {
  cl_n=0
  caps=
  [ "$2" = bb ] || caps=-all
  while [ "$cl_n" -le "$tt_last" ]; do
    if [ $((($1 >> cl_n) & 1)) -eq 1 ]; then
      caps="$caps,+cap_$cl_n"
    elif [ "$2" = bb ]; then
      caps="$caps,-cap_$cl_n"
    fi
    cl_n=$((cl_n + 1))
  done
  caps=${caps#,}
}

# container_prefix PATH: sets cx_prefix to the cgroup PATH up to the
# container's own component: the one right under the first pod component,
# which must be $pod_uid's. Returns 1 when PATH has none (a hierarchy the
# runtime leaves alone shows `/`).
container_prefix() {
  cx_prefix=
  cx_pod=0
  IFS=/
  for cx_c in $1; do
    IFS=$OLD_IFS
    [ -n "$cx_c" ] || continue
    cx_prefix=$cx_prefix/$cx_c
    if [ "$cx_pod" = 1 ]; then
      container_component "$cx_c"
      return
    fi
    if pod_component "$cx_c"; then
      [ "$pc_ours" = 1 ] || return 1
      cx_pod=1
    fi
  done
  IFS=$OLD_IFS
  return 1
}

# target_cgroups: sets tt_cg_dirs (one directory a line) to the target
# container's cgroup in each hierarchy of its /proc/PID/cgroup, under
# $CGROUP_ROOT: v1 by its controllers' directory (`cpu,cpuacct`, or each
# controller, `name=systemd` as systemd), v2 at the root (or unified/ on a
# hybrid host). A v1 freezer cgroup that is frozen (catch) is left out: the
# session would freeze with it. v2 cannot: every process that joins a frozen
# cgroup is frozen, so a frozen one refuses.
target_cgroups() {
  tt_cg_dirs=
  tc_file=$PROC/$target_pid/cgroup
  [ -r "$tc_file" ] || die 124 "cannot read $tc_file; is the target still running?"
  while IFS=: read -r _ tc_ctrls tc_path || [ -n "$tc_path" ]; do
    container_prefix "$tc_path" || continue
    tc_base=
    if [ -z "$tc_ctrls" ]; then
      tc_base=$CGROUP_ROOT
      [ -f "$tc_base/cgroup.controllers" ] || tc_base=$CGROUP_ROOT/unified
    elif [ -d "$CGROUP_ROOT/$tc_ctrls" ]; then
      tc_base=$CGROUP_ROOT/$tc_ctrls
    else
      IFS=,
      for tc_c in $tc_ctrls; do
        IFS=$OLD_IFS
        if [ -z "$tc_base" ] && [ -d "$CGROUP_ROOT/${tc_c#name=}" ]; then tc_base=$CGROUP_ROOT/${tc_c#name=}; fi
      done
      IFS=$OLD_IFS
    fi
    if [ -z "$tc_base" ] || ! cg_resolve "$tc_base" "$cx_prefix" || [ ! -f "$cg_dir/cgroup.procs" ]; then
      die 120 "--tools target cannot find the target's ${tc_ctrls:-unified} cgroup ($cx_prefix) under $CGROUP_ROOT; the helper needs the node's cgroupfs there (NSDEBUG_CGROUP_ROOT), or use --tools helper"
    fi
    if [ -f "$cg_dir/freezer.state" ]; then
      tc_state=
      IFS= read -r tc_state 2>/dev/null <"$cg_dir/freezer.state" || :
      # Quietly: a catch session knows its container is frozen.
      [ "$tc_state" = THAWED ] || continue
    fi
    if [ -f "$cg_dir/cgroup.freeze" ]; then
      tc_state=
      IFS= read -r tc_state 2>/dev/null <"$cg_dir/cgroup.freeze" || :
      [ "$tc_state" != 1 ] || die 120 "--tools target cannot join the frozen container's cgroup v2 (its processes would freeze too); use --tools helper (the container's files are at \$NSDEBUG_TARGET_ROOT)"
    fi
    tt_cg_dirs=$tt_cg_dirs$cg_dir$NL
  done <"$tc_file"
  [ -n "$tt_cg_dirs" ] || die 120 "--tools target found no cgroup of the target container in $tc_file; use --tools helper"
}

# elf_static FILE: 0 when FILE is an ELF executable with no program
# interpreter (PT_INTERP): it loads no library from the root it runs in.
elf_static() {
  es_file=$1
  es_id=$(od -An -v -tu1 -N 6 "$es_file" 2>/dev/null) || return 1
  # shellcheck disable=SC2086 # the bytes, one field each
  set -- $es_id
  [ "$1 $2 $3 $4" = '127 69 76 70' ] || return 1
  es_be=0
  [ "$6" != 2 ] || es_be=1
  if [ "$5" = 2 ]; then
    elf_num 32 8 && es_phoff=$en_num
    elf_num 54 2 && es_phsize=$en_num
    elf_num 56 2 && es_phnum=$en_num
  else
    elf_num 28 4 && es_phoff=$en_num
    elf_num 42 2 && es_phsize=$en_num
    elf_num 44 2 && es_phnum=$en_num
  fi
  es_i=0
  while [ "$es_i" -lt "$es_phnum" ]; do
    elf_num $((es_phoff + es_i * es_phsize)) 4 || return 1
    [ "$en_num" != 3 ] || return 1
    es_i=$((es_i + 1))
  done
}

elf_num() { # OFFSET SIZE: sets en_num to the unsigned number there in es_file (es_be)
  en_bytes=$(od -An -v -tu1 -j "$1" -N "$2" "$es_file" 2>/dev/null) || return 1
  en_num=0
  en_mul=1
  for en_b in $en_bytes; do
    if [ "$es_be" = 1 ]; then
      en_num=$((en_num * 256 + en_b))
    else
      en_num=$((en_num + en_b * en_mul))
      en_mul=$((en_mul * 256))
    fi
  done
}

# path_file NAME [TEST]: sets found_file to the first executable file NAME
# along PATH (for which `TEST FILE` succeeds, if given).
path_file() {
  found_file=
  IFS=:
  for pf_d in $PATH; do
    IFS=$OLD_IFS
    if [ -z "$found_file" ] && [ -f "$pf_d/$1" ] && [ -x "$pf_d/$1" ]; then
      if [ $# -lt 2 ] || "$2" "$pf_d/$1"; then found_file=$pf_d/$1; fi
    fi
  done
  IFS=$OLD_IFS
  [ -n "$found_file" ]
}

util_linux_setpriv() { # FILE: util-linux's setpriv (busybox's cannot set uids or the bounding set)
  case $("$1" --help 2>&1) in *--bounding-set*) return 0 ;; esac
  return 1
}

# target_image: the helper image's programs for target tools, or exit 120:
# tt_bb (a static busybox whose setpriv sets ambient capabilities) and
# tt_setpriv (util-linux setpriv).
target_image() {
  path_file busybox || die 120 "--tools target needs a static busybox in the helper image, and it has none on PATH; $TT_IMAGE_HINT"
  tt_bb=$found_file
  elf_static "$tt_bb" || die 120 "--tools target needs a static busybox in the helper image ($tt_bb loads libraries: it would load the container's); $TT_IMAGE_HINT"
  case $("$tt_bb" setpriv --help 2>&1) in
    *--ambient-caps*) ;;
    *) die 120 "--tools target needs busybox's setpriv with --ambient-caps in the helper image ($tt_bb has none); $TT_IMAGE_HINT" ;;
  esac
  path_file setpriv util_linux_setpriv || die 120 "--tools target needs util-linux setpriv in the helper image (busybox's cannot set the uid or the bounding set); $TT_IMAGE_HINT"
  tt_setpriv=$found_file
}

# target_checks: targets whose identity target tools cannot reproduce
# safely; exit 120.
target_checks() {
  ns_inode "$target_pid" user
  tk_user=$ns_ino
  ns_inode "$$" user
  [ "$tk_user" = "$ns_ino" ] ||
    die 120 "--tools target cannot run a program as the target yet: it runs in its own user namespace; use --tools helper (its files are at \$NSDEBUG_TARGET_ROOT)"
  ident_read "$PROC/$target_pid/status" ||
    die 124 "cannot read the identity of process $target_pid ($PROC/$target_pid/status); is the target still running?"
  # A target that may hold CAP_SYS_ADMIN (remount its /proc) or CAP_SYS_PTRACE
  # (trace a process in its PID namespace) could take over the setup steps,
  # which hold both for a few milliseconds; a fully privileged one owns the
  # node anyway.
  tk_own=
  while IFS= read -r tk_line; do
    case $tk_line in CapBnd:*) tk_own=${tk_line#CapBnd:} ;; esac
  done <"$PROC/self/status"
  tk_own=$(printf '%s' "$tk_own" | tr -d ' \t')
  valid_mask "$tk_own" || tk_own=0000000000000000
  if [ $((0x$id_bnd & ((1 << 19) | (1 << 21)))) -ne 0 ] && [ $((0x$tk_own & ~0x$id_bnd)) -ne 0 ]; then
    die 120 "--tools target will not enter a target that can gain CAP_SYS_ADMIN or CAP_SYS_PTRACE (its bounding set has them) without being privileged: it could take over the session's setup; use --tools helper (its files are at \$NSDEBUG_TARGET_ROOT)"
  fi
  # The setup steps are reached through the container's /proc: it must be the runtime's procfs.
  target_proc_is_procfs || die 120 "--tools target needs the container's /proc to be the runtime's procfs, and it is not; use --tools helper"
}

# target_proc_is_procfs: 0 when the target's /proc is a procfs mount (what runs
# through /proc/self/... there relies on it; a container could mount a fake one).
target_proc_is_procfs() {
  tp_fs=
  while read -r _ _ _ _ tp_mp tp_rest; do
    [ "$tp_mp" = /proc ] && tp_fs=${tp_rest##* - }
  done <"$PROC/$target_pid/mountinfo"
  case $tp_fs in proc\ *) return 0 ;; *) return 1 ;; esac
}

# The holder: a helper process in the target's PID namespace that kept the
# helper's root, so that /proc/H/root/... in the target's procfs leads to the
# helper's static busybox without any file descriptor. It writes its PID (as
# that namespace numbers it) to $1, then watches the session's process ($2)
# and the live child it forks (nsenter forks into a PID namespace; a child that
# has just exited, or one mid-exec, tells nothing and is looked at again) and
# exits once that one is in another mount namespace and runs none of the
# setup's programs (device:inode $3...): the target's program runs. At most 30 s.
# shellcheck disable=SC2016 # constant script text: its $ expands in the child
TT_HOLD_SCRIPT='echo $$ >"$1" || exit 1
chain=$2
shift 2
me=$(readlink /proc/self/ns/mnt)
n=0
while [ "$n" -lt 3000 ] && [ -d "/proc/$chain" ]; do
  leaf=$chain
  while :; do
    next=
    for kid in $(cat "/proc/$leaf/task/$leaf/children" 2>/dev/null); do
      [ -z "$next" ] && [ -n "$(readlink "/proc/$kid/ns/mnt" 2>/dev/null)" ] && next=$kid
    done
    [ -n "$next" ] || break
    leaf=$next
  done
  mnt=$(readlink "/proc/$leaf/ns/mnt" 2>/dev/null) || mnt=
  id=$(stat -L -c %d:%i "/proc/$leaf/exe" 2>/dev/null) || id=
  if [ -n "$mnt" ] && [ "$mnt" != "$me" ] && [ -n "$id" ]; then
    case " $* " in *" $id "*) ;; *) exit 0 ;; esac
  fi
  n=$((n + 1))
  sleep 0.01 2>/dev/null || sleep 1
done'

# target_exec [COMMAND [ARG...]]: the final argv for target tools, composed
# outermost-first after COMMAND's arguments (see session_exec), then
# target_launch runs it (as a child, so that it can be a subshell):
#   BB setpriv --inh-caps +SETUP --                  helper's root, full root
#   SETPRIV --ruid --euid --rgid --egid --groups|--clear-groups
#           --bounding-set B --inh-caps I+SETUP --ambient-caps A+SETUP [--nnp] --
#   [chroot HOST_ROOT] NSENTER -t PID FLAG... -w --  enters; -w: the target's cwd
#   /proc/H/root/BB setpriv --inh-caps I --ambient-caps A --   target's root from here
#   /proc/H/root/BB env -i -- VAR... PS1=... NSDEBUG_TARGET_ROOT=/ [TERM=...]
#   PROGRAM ARG...                                   found along the target's PATH
target_exec() {
  target_image
  target_checks
  ident_caps
  target_cgroups
  [ $# -gt 0 ] || set -- sh
  te_prog=$1
  shift
  te_args=$#
  # The helper's busybox as the target's procfs shows it through the holder
  # (its PID is filled in by target_launch, in these two arguments only).
  te_bb=/proc/@HOLDER@/root$tt_bb
  cap_list "$TT_SETUP_MASK" ul
  te_setup=$caps
  set -- "$@" "$tt_bb" setpriv --inh-caps "${te_setup#-all,}" -- "$tt_setpriv" --ruid "$id_ruid" --euid "$id_euid" --rgid "$id_rgid" --egid "$id_egid"
  if [ -n "$id_groups" ]; then set -- "$@" --groups "$id_groups"; else set -- "$@" --clear-groups; fi
  cap_list "$tt_bnd" ul
  set -- "$@" --bounding-set "$caps"
  cap_list $((tt_inh | TT_SETUP_MASK)) ul
  set -- "$@" --inh-caps "$caps"
  cap_list $((tt_amb | TT_SETUP_MASK)) ul
  set -- "$@" --ambient-caps "$caps"
  [ "$id_nnp" = 0 ] || set -- "$@" --nnp
  set -- "$@" --
  target_nsenter
  te_ids=$(stat -L -c %d:%i "$tt_bb" 2>/dev/null) || te_ids=
  if [ "$use_host_nsenter" = 1 ]; then
    set -- "$@" chroot "$HOST_ROOT" "$host_nsenter"
    te_ids="$te_ids $(stat -L -c %d:%i "$HOST_ROOT$host_nsenter" 2>/dev/null)"
  else
    set -- "$@" "$tt_nsenter"
    te_ids="$te_ids $(stat -L -c %d:%i "$tt_nsenter" 2>/dev/null)"
  fi
  set -- "$@" -t "$target_pid"
  for te_t in $ns_enter; do
    ns_flag "$te_t"
    set -- "$@" "$flag"
  done
  set -- "$@" -w --
  cap_list "$tt_inh" bb
  set -- "$@" "$te_bb" setpriv --inh-caps "$caps"
  cap_list "$tt_amb" bb
  set -- "$@" --ambient-caps "$caps" -- "$te_bb" env -i --
  # The target's environment, each variable a line of \NNN escapes (every
  # byte: the text is the container's), turned back into bytes by printf;
  # the x keeps a trailing newline from being stripped.
  te_lines=$(od -An -v -to1 "$PROC/$target_pid/environ" | awk '
    { for (i = 1; i <= NF; i++) { if ($i == "000") { if (w != "") print w; w = "" } else w = w "\\" $i } }
    END { if (w != "") print w }') || die 124 "cannot read the environment of process $target_pid"
  te_path=
  te_path_set=0
  IFS=$NL
  for te_line in $te_lines; do
    IFS=$OLD_IFS
    # shellcheck disable=SC2059 # the format is nothing but octal escapes made above
    te_var=$(printf "${te_line}x")
    te_var=${te_var%x}
    # What env takes as a variable: NAME=VALUE with a NAME (kubectl exec has no other kind).
    case $te_var in *=*) ;; *) continue ;; esac
    case $te_var in =*) continue ;; esac
    if [ "$te_path_set" = 0 ]; then
      case $te_var in PATH=*) te_path=${te_var#PATH=} te_path_set=1 ;; esac
    fi
    set -- "$@" "$te_var"
  done
  IFS=$OLD_IFS
  [ "$te_path_set" = 1 ] || te_path=$HOST_PATH
  target_program "$te_prog"

  set -- "$@" "PS1=$PS1" "NSDEBUG_TARGET_ROOT=$NSDEBUG_TARGET_ROOT"
  if [ -n "${TERM:-}" ]; then set -- "$@" "TERM=$TERM"; fi
  set -- "$@" "$resolved"
  while [ "$te_args" -gt 0 ]; do
    set -- "$@" "$1"
    shift
    te_args=$((te_args - 1))
  done
  if [ "$tt_narrowed" = 1 ]; then
    echo "nsdebug-agent: note: the target's init runs with fewer capabilities than its bounding set allows; the session's bounding set is narrowed to what it holds" >&2
  fi
  if [ "${session_forks:-0}" = 1 ]; then
    target_launch "$@"
    return
  fi
  finish target_launch "$@"
}

# target_program NAME: sets resolved to NAME's path in the target's root along
# its own PATH (te_path), or exits 127. A busybox shell with "prefer applets"
# would otherwise run its own applet for a bare name.
target_program() {
  resolved=$1
  case $1 in */*) return 0 ;; esac
  IFS=:
  for tp_d in $te_path; do
    IFS=$OLD_IFS
    case $tp_d in /*) ;; *) continue ;; esac
    tp_f=$PROC/$target_pid/root$tp_d/$1
    # An absolute symlink is resolved here against the helper's root: take it
    # as found, the kernel resolves it inside the target.
    if [ -L "$tp_f" ] || { [ -f "$tp_f" ] && [ -x "$tp_f" ]; }; then
      resolved=$tp_d/$1
      break
    fi
  done
  IFS=$OLD_IFS
  [ "$resolved" = "$1" ] || return 0
  # 127, as a shell says it: command not found.
  printf 'nsdebug-agent: %s: not found along the container'"'"'s PATH (%s)\n' "$1" "$te_path" >&2
  exit 127
}

# The nsenter of the chain, by absolute path: the helper's (tt_nsenter), or
# the node's (use_host_nsenter, host_nsenter) when only that one has the
# cgroup or time namespace.
target_nsenter() {
  path_file nsenter || die 123 "the helper image has no nsenter on PATH"
  tt_nsenter=$found_file
  use_host_nsenter=0
  [ -n "$ns_ext" ] || return 0
  nsenter_supports "$tt_nsenter" && return 0
  if [ -n "$host_nsenter" ] && nsenter_supports chroot "$HOST_ROOT" "$host_nsenter"; then
    use_host_nsenter=1
    return 0
  fi
  die 123 "neither the helper image's nor the node's nsenter can enter the${ns_ext} namespace; leave it out of --ns"
}

# target_launch ARGV...: in a subshell (its own process, the one that joins
# the cgroups and execs the chain): starts the holder, fills in its PID,
# joins the target's cgroups, execs.
target_launch() {
  # Test hook: the cgroups to join and the argv, NUL-terminated, instead of running them.
  if [ "${NSDEBUG_DRY_RUN:-}" = 1 ]; then
    IFS=$NL
    for tl_d in $tt_cg_dirs; do printf 'cgroup:%s\0' "$tl_d"; done
    IFS=$OLD_IFS
    printf '%s\0' "$@"
    return 0
  fi
  (
    read -r tl_self _ </proc/self/stat
    tl_file=$RUN/hold/$tl_self
    mkdir -p "$RUN/hold" || die 125 "cannot create $RUN/hold"
    rm -f "$tl_file"
    ns_inode "$target_pid" pid
    tl_pidns=$ns_ino
    ns_inode "$tl_self" pid
    # Detached (a double fork), so it is nobody's child in the session.
    # shellcheck disable=SC2086 # te_ids: one argument per device:inode (set -f is on)
    if [ "$tl_pidns" = "$ns_ino" ]; then
      ("$tt_bb" sh -c "$TT_HOLD_SCRIPT" sh "$tl_file" "$tl_self" $te_ids </dev/null >/dev/null 2>&1 &)
    else
      ("$tt_nsenter" -t "$target_pid" -p -- "$tt_bb" sh -c "$TT_HOLD_SCRIPT" sh "$tl_file" "$tl_self" $te_ids </dev/null >/dev/null 2>&1 &)
    fi
    tl_h=
    tl_n=0
    until [ -n "$tl_h" ] || [ "$tl_n" -ge 500 ]; do
      IFS= read -r tl_h 2>/dev/null <"$tl_file" || tl_h=
      valid_uint "$tl_h" || tl_h=
      tl_n=$((tl_n + 1))
      [ -n "$tl_h" ] || sleep 0.01 2>/dev/null || sleep 1
    done
    rm -f "$tl_file"
    [ -n "$tl_h" ] || die 125 "the helper's holder process in the target's PID namespace did not start"
    # The two busybox steps are the first two such arguments (the user's own come later).
    tl_n=$#
    tl_done=0
    while [ "$tl_n" -gt 0 ]; do
      case $tl_done:$1 in
        [01]:/proc/@HOLDER@/root/*)
          set -- "$@" "/proc/$tl_h/root/${1#/proc/@HOLDER@/root/}"
          tl_done=$((tl_done + 1))
          ;;
        *) set -- "$@" "$1" ;;
      esac
      shift
      tl_n=$((tl_n - 1))
    done
    IFS=$NL
    for tl_d in $tt_cg_dirs; do
      IFS=$OLD_IFS
      echo 0 2>/dev/null >"$tl_d/cgroup.procs" && continue
      # cgroup v2 with nsdelegate: a writer in a private cgroup namespace cannot
      # move a process out of it (ENOENT). Write from the node's (PID 1's).
      # Untested here: this machine runs cgroup v1.
      # shellcheck disable=SC2016 # constant script text: its "$@" expands in the child
      if [ -r /proc/1/ns/cgroup ] &&
        "$tt_nsenter" --cgroup=/proc/1/ns/cgroup -- "$tt_bb" sh -c 'echo "$1" >"$2"' sh "$tl_self" "$tl_d/cgroup.procs" 2>/dev/null; then
        continue
      fi
      die 120 "--tools target cannot join the target's cgroup $tl_d; use --tools helper"
    done
    IFS=$OLD_IFS
    exec "$@"
  )
}

# ----------------------------------------------------------- cp and diff
# The container side of `cp` runs the helper's own static busybox with the
# container's mount namespace as its root, so every path (absolute symlinks,
# `..`, a component swapped while we copy) is resolved by the kernel against
# the container's root and nothing can reach the node's or the helper's files.
# How the binary gets there without being copied in (docs/design.md, "cp"):
#   fd 3  the helper's directory holding busybox, opened before any setns;
#   fd 4  the target's mount namespace, fd 5 its PID namespace;
#   nsenter --mount=fd4 --pid=fd5 forks a child inside both and execs
#   /proc/self/fd/3/busybox: /proc there is the container's procfs of its own
#   PID namespace (where the child now lives), and the fd link leads back to
#   the helper's busybox. Whatever the child opens afterwards is looked up
#   from the container's root.
# Trust: the exec goes through the container's /proc, so it must be the
# runtime's procfs. The target must share our user namespace (then it lacks
# CAP_SYS_ADMIN over its mount namespace unless it is privileged, which owns
# the node anyway) and its /proc must be a proc mount; both are checked after
# the namespace fds are open, so they describe the namespace we enter.
cp_enter() { # APPLET [ARG...]: runs a busybox applet rooted in the target
  # A file on PATH: busybox sh answers `command -v busybox` with the applet's name.
  cp_bb=''
  IFS=:
  for ce_d in $PATH; do
    [ -z "$cp_bb" ] && [ -f "$ce_d/busybox" ] && [ -x "$ce_d/busybox" ] && cp_bb=$ce_d/busybox
  done
  IFS=$OLD_IFS
  case $cp_bb in /*) ;; *) die 125 "the helper image has no busybox on PATH; use an image with a static busybox" ;; esac
  exec 3<"${cp_bb%/*}" 4<"$PROC/$target_pid/ns/mnt" 5<"$PROC/$target_pid/ns/pid" ||
    die 124 "cannot open the namespaces of process $target_pid; did the container just stop?"
  [ "$(readlink "$PROC/$target_pid/ns/mnt")" = "$(readlink /proc/self/fd/4)" ] ||
    die 124 "the target changed its mount namespace while we looked; retry"
  [ "$(readlink "$PROC/$target_pid/ns/user")" = "$(readlink /proc/self/ns/user)" ] ||
    die 125 "the target runs in its own user namespace; cp into it is not supported (use a session with --tools target)"
  target_proc_is_procfs || die 125 "the container's /proc is not the runtime's procfs; refusing to run anything through it"
  exec nsenter --mount=/proc/self/fd/4 --pid=/proc/self/fd/5 -- /proc/self/fd/3/busybox "$@"
}

# Constant scripts run by the helper's busybox sh inside the container's root;
# values arrive as "$@" only. "$0" is the busybox path (/proc/self/fd/3/busybox).
# shellcheck disable=SC2016 # constant script text: its "$@" expands in the child
CP_OUT_SCRIPT='cd -- "$1" || exit 2
[ -e "$2" ] || [ -L "$2" ] || { echo "nsdebug-agent: $1/$2: no such file or directory in the container" >&2; exit 2; }
exec "$0" tar -c -f - -- "$2"'
# shellcheck disable=SC2016 # constant script text: its "$@" expands in the child
CP_IN_SCRIPT='dest=$1 parent=$2 base=$3 name=$4
# A failure reads the rest of stdin before it exits: with stdin attached, the
# kubelet reports the exit status only once stdin ends, and a client still sending
# into a pipe nobody reads would wait forever (its data backs up to the API server).
# tail -c 0 reads to the end and writes nothing (a distroless root has no /dev/null).
drain() { "$0" tail -c 0; exit "$1"; }
if [ -d "$dest" ]; then cd -- "$dest" || drain 2
elif [ -z "$name" ] || [ "${dest%/}" != "$dest" ]; then echo "nsdebug-agent: $dest: no such directory in the container" >&2; drain 2
elif [ -d "$parent" ]; then cd -- "$parent" || drain 2
else echo "nsdebug-agent: $parent: no such directory in the container" >&2; drain 2
fi
# A probe that also serves as the staging directory (root passes test -w even on a read-only mount).
tmp=$("$0" mktemp -d .nsdebug-cp.XXXXXX 2>&1) || { echo "nsdebug-agent: cannot write in $(pwd): ${tmp##*: }" >&2; drain 30; }
if [ -d "$dest" ] || [ "$name" = "$base" ] || [ -z "$name" ]; then "$0" rmdir -- "$tmp"; "$0" tar -x -o -f - || drain 1; exit 0; fi
"$0" tar -x -o -f - -C "$tmp" || { "$0" rm -rf -- "$tmp"; drain 1; }
"$0" mv -f -- "$tmp/$name" "$base"; st=$?
"$0" rm -rf -- "$tmp"
exit "$st"'

mode_cp_out() { # PARENT BASE: a tar of BASE (file or tree) in PARENT, on stdout
  [ $# -eq 2 ] || die 125 "mode cp-out takes -- PARENT BASE"
  cp_path "$1"
  need_pod_uid
  need_one_target
  find_target
  cp_enter sh -c "$CP_OUT_SCRIPT" "/proc/self/fd/3/busybox" "$1" "$2"
}

mode_cp_in() { # DEST PARENT BASE NAME: extract the tar on stdin (entries NAME[/...])
  [ $# -eq 4 ] || die 125 "mode cp-in takes -- DEST PARENT BASE NAME"
  cp_path "$1"
  cp_path "$2"
  case $4 in */* | . | ..) die 125 "invalid entry name '$4'" ;; esac
  need_pod_uid
  need_one_target
  find_target
  cp_enter sh -c "$CP_IN_SCRIPT" "/proc/self/fd/3/busybox" "$1" "$2" "$3" "$4"
}

cp_path() { # the client sends absolute paths only
  case $1 in /*) ;; *) die 125 "cp paths must be absolute, got '$1'" ;; esac
  case $1 in *"$NL"*) die 125 "a cp path may not contain a newline" ;; esac
}

# diff: the container's writable layer, read from the upperdir of its root
# overlay mount (the super options in its mountinfo, a node path). Records are
# `A|C|D<TAB>/path` terminated by NUL (a path may hold a newline). A whiteout
# (char device 0:0) is a deletion; an entry that some lower layer also has is a
# change, else an addition. An opaque directory hides its lower contents: a
# lower child that is neither in the upper layer nor visible in the merged
# view (/proc/PID/root) was deleted.
# shellcheck disable=SC2016 # constant script text: its "$@" expands in the child
DIFF_SCRIPT='up=$1 lowers=$2 merged=$3 mounts=$4
shift 4
for f in "$@"; do
  rel=${f#"$up"}
  case "$mounts" in *"
$rel
"*) continue ;; esac
  if [ -c "$f" ] && [ "$(stat -c %t:%T "$f")" = 0:0 ]; then printf "D\t%s\0" "$rel"; continue; fi
  kind=A
  IFS=:
  for l in $lowers; do
    if [ -e "$l$rel" ] || [ -L "$l$rel" ]; then kind=C; lower=$l; break; fi
  done
  unset IFS
  printf "%s\t%s\0" "$kind" "$rel"
  [ "$kind" = C ] && [ -d "$f" ] && [ ! -L "$f" ] || continue
  IFS=:
  for l in $lowers; do
    [ -d "$l$rel" ] || continue
    for c in "$l$rel"/* "$l$rel"/.[!.]* "$l$rel"/..?*; do
      [ -e "$c" ] || [ -L "$c" ] || continue
      n=${c##*/}
      [ -e "$f/$n" ] || [ -L "$f/$n" ] || [ -e "$merged$rel/$n" ] || [ -L "$merged$rel/$n" ] || printf "D\t%s\0" "$rel/$n"
    done
  done
  unset IFS
done'

mode_diff() {
  need_pod_uid
  [ -n "$container_id" ] || die 125 "mode diff needs --container-id"
  need_host / diff
  find_target
  df_opts=
  # The runtime's own mount points (/etc/hosts, /etc/resolv.conf...) are not the container's changes.
  df_mounts=$NL
  while read -r _ _ _ _ df_mp df_rest; do
    [ "$df_mp" = / ] && df_opts=${df_rest##* - }
    df_mounts="$df_mounts$df_mp$NL"
  done <"$PROC/$target_pid/mountinfo"
  case $df_opts in overlay\ *) ;; *) die 125 "the container's root is not an overlay mount (${df_opts%% *}); diff needs the overlayfs snapshotter" ;; esac
  df_up=''
  df_low=''
  IFS=,
  for df_o in ${df_opts#* * }; do
    case $df_o in upperdir=*) df_up=$HOST_ROOT${df_o#upperdir=} ;; lowerdir=*) df_low=${df_o#lowerdir=} ;; esac
  done
  IFS=$OLD_IFS
  [ -n "$df_up" ] || die 125 "the container's root overlay has no upperdir (read-only root?)"
  [ -d "$df_up" ] || die 124 "the container's upper layer $df_up is not visible from the helper"
  df_lowers=
  IFS=:
  for df_l in $df_low; do df_lowers="$df_lowers${df_lowers:+:}$HOST_ROOT$df_l"; done
  IFS=$OLD_IFS
  # with globs on inside DIFF_SCRIPT only: it lists lower directories.
  find "$df_up" -mindepth 1 -exec sh -c "set +f; $DIFF_SCRIPT" sh "$df_up" "$df_lowers" "$PROC/$target_pid/root" "$df_mounts" {} +
}

# -------------------------------------------------------------------- catch
# mode_catch waits for the next start of container NAME of the pod, freezes
# it as soon as its own program runs, and then runs a session in its
# namespaces (reusing the session's stages) or prints its command line and
# environment. On the way out it thaws the container (or kills it): the
# container carries on, and the kubelet's crash loop with it.
#
# Why after the exec: until then the cgroup's only process is the runtime's
# `runc init`, and freezing it stalls the runtime (the start times out).
# The container is identified by its mounts: the kubelet bind-mounts its
# termination-message file from .../pods/UID/containers/NAME/.

# Machine-readable progress lines for the client go to stderr:
#   nsdebug-catch: waiting freezer=v1|v2 timeout=SECONDS
#   nsdebug-catch: vanished container=ID lived_ms=MS   (a start not known to be NAME's)
#   nsdebug-catch: frozen container=ID pid=PID state=S procs=N cpu_ticks=T
#       started=TICKS frozen=CENTISECONDS hz=HZ start_to_freeze_ms=MS seen_to_freeze_ms=MS
#       settle_ms=MS
#   nsdebug-catch: escaped container=ID lived_ms=MS
#   nsdebug-catch: released container=ID action=thaw|kill frozen_ms=MS
catch_event() { # WORD KEY=VALUE...
  printf 'nsdebug-catch: %s\n' "$*" >&2
}

# uptime_cs: sets now_cs to the time since boot in hundredths of a second
# (/proc/uptime; busybox date has no %N).
uptime_cs() {
  ut_up=
  IFS=' ' read -r ut_up _ 2>/dev/null <"$PROC/uptime" || :
  ut_up=${ut_up%%.*}${ut_up#*.}
  while :; do
    case $ut_up in 0?*) ut_up=${ut_up#0} ;; *) break ;; esac
  done
  case $ut_up in '' | *[!0-9]*) return 1 ;; esac
  now_cs=$ut_up
}

slot_any() { :; }

# pod_prefix PATH: sets pp_prefix to the cgroup PATH up to its first pod
# component, which must be $pod_uid's.
pod_prefix() {
  pp_prefix=
  IFS=/
  for pp_c in $1; do
    IFS=$OLD_IFS
    [ -n "$pp_c" ] || continue
    pp_prefix=$pp_prefix/$pp_c
    if pod_component "$pp_c"; then
      [ "$pc_ours" = 1 ]
      return
    fi
  done
  IFS=$OLD_IFS
  return 1
}

# The pod's cgroup directory in the freezer's hierarchy, found from one of
# the pod's processes (its sandbox, as a rule): sets pod_cg, freezer (v1 when
# the process is in a v1 freezer cgroup, else v2; NSDEBUG_FREEZER overrides),
# freeze_file and frozen_value.
catch_pod_cgroup() {
  need_host /sys/fs/cgroup catch
  find_init slot_any "pod$pod_uid" "pod$pod_uid_" ||
    die 124 "no process of pod $pod_uid found on this node; is its sandbox running here?"
  cp_v1=
  cp_v2=
  while IFS=: read -r _ cp_ctrls cp_path; do
    case ,$cp_ctrls, in
      *,freezer,*) cp_v1=$cp_path ;;
      ,,) cp_v2=$cp_path ;;
    esac
  done 2>/dev/null <"$PROC/$found_pid/cgroup"
  cp_base=$HOST_ROOT/sys/fs/cgroup
  case ${NSDEBUG_FREEZER:-} in
    v1 | v2) freezer=$NSDEBUG_FREEZER ;;
    '') if [ -n "$cp_v1" ] && [ -d "$cp_base/freezer" ]; then freezer=v1; else freezer=v2; fi ;;
    *) die 125 "NSDEBUG_FREEZER must be v1 or v2" ;;
  esac
  if [ "$freezer" = v1 ]; then
    cp_path=$cp_v1
    cp_mount=$cp_base/freezer
    freeze_file=freezer.state
    frozen_value=FROZEN
  else
    cp_path=$cp_v2
    cp_mount=$cp_base
    # A hybrid host mounts the unified hierarchy below.
    [ -f "$cp_mount/cgroup.controllers" ] || cp_mount=$cp_base/unified
    freeze_file=cgroup.freeze
    frozen_value=1
  fi
  if [ -z "$cp_path" ] || ! pod_prefix "$cp_path" || ! cg_resolve "$cp_mount" "$pp_prefix" || [ ! -d "$cg_dir" ]; then
    die 124 "cannot find the $freezer cgroup of pod $pod_uid under $cp_mount"
  fi
  pod_cg=$cg_dir
  [ -f "$pod_cg/$freeze_file" ] ||
    die 123 "the kernel has no $freezer cgroup freezer ($pod_cg/$freeze_file is missing; v2 needs Linux 5.2)"
}

list_dirs() { # DIR/NAME/...: sets names to the NAMEs, space-separated
  names=' '
  for ld_d in "$@"; do
    [ -d "$ld_d" ] || continue
    ld_d=${ld_d%/}
    names="$names${ld_d##*/} "
  done
}

# execd PID: 0 once PID runs the container's own program, i.e. its comm and
# its argv[0] are no longer the runtime's: runc's init is `runc init`, named
# runc:[0:PARENT] to runc:[2:INIT] along its stages; crun's is crun. (read
# stops at the first NUL of cmdline in dash and ash; bash drops the NULs:
# either way the text starts with argv[0].)
execd() {
  ex_comm=
  IFS= read -r ex_comm 2>/dev/null <"$PROC/$1/comm" || return 1
  case $ex_comm in runc:* | runc | crun) return 1 ;; esac
  ex_arg0=
  IFS= read -r ex_arg0 2>/dev/null <"$PROC/$1/cmdline" || :
  [ -n "$ex_arg0" ] || return 1
  case ${ex_arg0##*/} in runc* | crun*) return 1 ;; esac
  return 0
}

# container_of PID: sets cs_whose to ours when one of PID's mounts comes from
# the kubelet's directory for container $container_name of the pod
# (.../pods/UID/containers/NAME/..., the termination-message file; field 4 of
# mountinfo), to other when only another container's does; leaves it empty
# when none does (yet: runc's first stages still have the node's mounts).
container_of() {
  while IFS=' ' read -r _ _ _ co_root _; do
    case $co_root in
      */pods/"$pod_uid"/containers/"$container_name"/*) cs_whose=ours; return 0 ;;
      */pods/"$pod_uid"/containers/*/*) cs_whose=other ;;
    esac
  done 2>/dev/null <"$PROC/$1/mountinfo"
}

# lived_ms: sets lived to how long the start in cs_dir lasted, in ms: from
# its first process's start (else from when its cgroup was seen) to now.
lived_ms() {
  uptime_cs || now_cs=$cs_seen
  if [ -n "$cs_first_start" ]; then
    lived=$((now_cs * 10 - cs_first_start * 1000 / hz))
  else
    lived=$(((now_cs - cs_seen) * 10))
  fi
  [ "$lived" -ge 0 ] || lived=0
}

catch_deadline() { # exits 121 once --timeout has passed
  uptime_cs || die 125 "cannot read $PROC/uptime"
  [ "$now_cs" -ge "$cw_deadline" ] || return 0
  cd_more=
  [ "$cw_vanished" = 0 ] || cd_more=" ($cw_vanished other starts came and went before they could be identified)"
  die 121 "no new start of container $container_name within ${timeout}s$cd_more; the kubelet's back-off can reach 5 minutes: try a longer --timeout"
}

# catch_start NAME: follows the new cgroup NAME of the pod (cc_id is its
# container id) until its own program runs, then freezes it (returns 0).
# Returns 1 for another container's start, or one that ended before it could
# be identified; exits 122 when NAME's start ended before it was frozen.
catch_start() {
  cs_id=$cc_id
  cs_dir=$pod_cg/$1
  cs_seen=$now_cs
  cs_whose=
  cs_first=
  cs_first_start=
  cs_spins=0
  while :; do
    cs_exec=
    cs_any=
    if [ -d "$cs_dir" ]; then
      while IFS= read -r cs_pid; do
        case $cs_pid in '' | *[!0-9]*) continue ;; esac
        cs_any=$cs_pid
        if [ -z "$cs_first" ]; then
          cs_first=$cs_pid
          if proc_stat "$cs_pid"; then cs_first_start=$st_start; fi
        fi
        [ -n "$cs_whose" ] || container_of "$cs_pid"
        if execd "$cs_pid"; then
          cs_exec=$cs_pid
          break
        fi
      done 2>/dev/null <"$cs_dir/cgroup.procs"
    fi
    [ "$cs_whose" != other ] || return 1
    if [ -n "$cs_exec" ]; then
      [ -n "$cs_whose" ] || container_of "$cs_exec"
      case $cs_whose in
        ours) catch_freeze && return 0 ;;
        other) return 1 ;;
        *)
          echo "nsdebug-agent: warning: container $cs_id of the pod has no mount from the kubelet's containers/ directory: not taken for $container_name" >&2
          return 1
          ;;
      esac
    fi
    # Gone (its processes ended, or its cgroup was removed) before its own
    # program could be frozen.
    if [ -z "$cs_any" ] && { [ -n "$cs_first" ] || [ ! -d "$cs_dir" ]; }; then
      lived_ms
      [ "$cs_whose" != ours ] || catch_escaped
      cw_vanished=$((cw_vanished + 1))
      catch_event vanished "container=$cs_id" "lived_ms=$lived"
      return 1
    fi
    catch_deadline
    # The runtime starts the program within milliseconds of making the
    # cgroup, as a rule: spin at first, then poll.
    cs_spins=$((cs_spins + 1))
    [ "$cs_spins" -lt 50 ] || sleep "$tick_fast"
  done
}

catch_escaped() { # exits 122: NAME's start ended before it was frozen
  catch_event escaped "container=$cs_id" "lived_ms=$lived"
  die 122 "container $container_name ($cs_id) exited before it could be frozen; it lived about ${lived} ms. Its output is in kubectl logs; catch its next start to try again"
}

# catch_freeze: records, then freezes the cgroup cs_dir, and waits until the
# kernel reports it frozen. Sets frozen_cs; returns 1 (and thaws) when the
# cgroup had emptied meanwhile, after reporting it as escaped.
catch_freeze() {
  cf_action=thaw
  [ "$kill_on_exit" = 0 ] || cf_action='kill'
  catch_record=$RUN/frozen/$$
  cf_ctl=$cs_dir/$freeze_file
  printf '%s %s\n' "$cf_action" "$cf_ctl" >"$catch_record" || die 125 "cannot record the freeze in $RUN/frozen"
  proc_stat "$cs_exec" && cf_state=$st_state
  if ! echo "$frozen_value" 2>/dev/null >"$cf_ctl"; then
    lived_ms
    catch_escaped
  fi
  uptime_cs || die 125 "cannot read $PROC/uptime"
  frozen_cs=$now_cs
  # The kernel freezes each task at its next chance (v1 reads FREEZING
  # meanwhile); give up after 5 s.
  until catch_is_frozen; do
    uptime_cs || :
    if [ $((now_cs - frozen_cs)) -ge 500 ] || [ ! -d "$cs_dir" ]; then
      lived_ms
      catch_escaped
    fi
    sleep "$tick_fast"
  done
  uptime_cs || :
  settled_cs=$now_cs
  cf_procs=0
  while IFS= read -r cf_pid; do
    case $cf_pid in '' | *[!0-9]*) continue ;; esac
    cf_procs=$((cf_procs + 1))
  done 2>/dev/null <"$cs_dir/cgroup.procs"
  if [ "$cf_procs" = 0 ]; then
    lived_ms
    catch_escaped
  fi
}

catch_is_frozen() {
  if [ "$freezer" = v1 ]; then
    IFS= read -r cf_now 2>/dev/null <"$cf_ctl" || return 1
    [ "$cf_now" = FROZEN ]
  else
    while IFS=' ' read -r cf_key cf_value; do
      [ "$cf_key" != frozen ] || { [ "$cf_value" = 1 ]; return; }
    done 2>/dev/null <"$cs_dir/cgroup.events"
    return 1
  fi
}

# The frozen container's init (the pod-tied lookup) and how far it got.
catch_report() {
  find_container_pid "$cs_id" || {
    lived_ms
    catch_escaped
  }
  target_pid=$found_pid
  proc_stat "$target_pid" || {
    lived_ms
    catch_escaped
  }
  cr_cpu=
  case $st_utime$st_stime in *[!0-9]*) ;; *) cr_cpu=$((st_utime + st_stime)) ;; esac
  cr_start_ms=$((st_start * 1000 / hz))
  catch_event frozen "container=$cs_id" "pid=$target_pid" "state=${cf_state:-?}" "procs=$cf_procs" "cpu_ticks=${cr_cpu:-?}" \
    "started=$st_start" "frozen=$frozen_cs" "hz=$hz" "start_to_freeze_ms=$((frozen_cs * 10 - cr_start_ms))" \
    "seen_to_freeze_ms=$(((frozen_cs - cs_seen) * 10))" "settle_ms=$(((settled_cs - frozen_cs) * 10))"
}

# print_visible KIND FILE: one line `KIND<TAB>TEXT` per NUL-terminated
# string of FILE, with every byte outside printable ASCII shown as \xHH and a
# backslash as \\ (the text is the container's: it may hold terminal escapes).
print_visible() {
  od -An -v -tx1 "$2" | awk -v kind="$1" '
    BEGIN {
      for (i = 0; i < 256; i++) {
        h = sprintf("%02x", i)
        c[h] = (i >= 32 && i < 127) ? sprintf("%c", i) : "\\x" h
      }
      c["5c"] = "\\\\"
    }
    {
      for (i = 1; i <= NF; i++) {
        if ($i == "00") { print kind "\t" cur; cur = ""; open = 0 }
        else { cur = cur c[$i]; open = 1 }
      }
    }
    END { if (open) print kind "\t" cur }'
}

catch_print_env() {
  print_visible cmdline "$PROC/$target_pid/cmdline"
  print_visible env "$PROC/$target_pid/environ"
}

# On every way out: thaw (or kill) what this session froze.
catch_exit() {
  [ -n "$catch_record" ] || return 0
  # Released already (mode release, or serve)?
  [ -f "$catch_record" ] || return 0
  ce_ms=
  if uptime_cs; then ce_ms=$(((now_cs - frozen_cs) * 10)); fi
  if release_record "$catch_record"; then
    catch_event released "container=$cs_id" "action=$cf_action" "frozen_ms=${ce_ms:-?}"
  else
    echo "nsdebug-agent: warning: could not thaw container $cs_id; serve tries again" >&2
  fi
  catch_record=
}

catch_checks() { # [COMMAND...]
  allow_only --pod-uid --container-name --ns --tools --label --timeout --kill-on-exit --print-env --hold
  need_pod_uid
  [ -n "$container_name" ] || die 125 "mode catch needs --container-name NAME"
  [ "$print_env" = 0 ] || [ "$hold" = 0 ] || die 125 "give either --print-env or --hold, not both"
  if [ "$print_env" = 1 ] || [ "$hold" = 1 ]; then
    if [ -n "$tools" ] || [ "$ns_given" = 1 ] || [ -n "$label" ] || [ $# -gt 0 ]; then
      die 125 "--print-env and --hold run no session: leave out --ns, --tools, --label and the command"
    fi
    return 0
  fi
  [ -n "$tools" ] || die 125 "mode catch needs --tools helper|host|target (or --print-env, or --hold)"
  check_ns_tools
}

mode_catch() { # [COMMAND [ARG...]]
  catch_checks "$@"
  catch_record=
  trap catch_exit EXIT
  trap 'exit 129' HUP
  trap 'exit 143' TERM
  # Ctrl-C and Ctrl-\ belong to the session's programs (a caught signal is
  # reset to the default in them, unlike an ignored one); here they only must
  # not cut the release short.
  trap : INT QUIT
  session_register
  mkdir -p "$RUN/frozen" || die 125 "cannot create $RUN/frozen"
  hz=$(getconf CLK_TCK 2>/dev/null) || hz=
  if ! valid_uint "$hz" || [ "$hz" -eq 0 ]; then hz=100; fi
  if sleep 0.001 2>/dev/null; then tick=0.02 tick_fast=0.002; else tick=1 tick_fast=1; fi
  catch_pod_cgroup
  uptime_cs || die 125 "cannot read $PROC/uptime"
  cw_deadline=$((now_cs + timeout * 100))
  cw_vanished=0
  with_glob "$pod_cg" '*/' list_dirs
  cw_known=$names
  catch_event waiting "freezer=$freezer" "timeout=$timeout"
  while :; do
    with_glob "$pod_cg" '*/' list_dirs
    for cw_name in $names; do
      case $cw_known in *" $cw_name "*) continue ;; esac
      cw_known="$cw_known$cw_name "
      container_component "$cw_name" || continue
      uptime_cs || :
      catch_start "$cw_name" && break 2
    done
    catch_deadline
    sleep "$tick"
  done
  catch_report
  if [ "$print_env" = 1 ]; then
    catch_print_env
    exit 0
  fi
  if [ "$hold" = 1 ]; then
    # Frozen until stdin ends: the client closes it when its own session (a
    # `session` exec into the frozen container) is over; the stream ends too
    # when the client dies.
    while IFS= read -r _; do :; done
    exit 0
  fi
  session_namespaces
  session_nsenter
  session_target_root
  session_forks=1
  session_exec "$@"
  exit
}

# --------------------------------------------------------------------- main

main() {
  parse_args "$@"
  shift "$args_used"
  # "$@" is now the session's COMMAND, if any.
  case $mode in
    serve)
      allow_only --idle --idle-start --freeze-idle
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
    status)
      allow_only --session-id
      no_command "$@"
      mode_status
      ;;
    session) mode_session "$@" ;;
    cp-out) allow_only --pod-uid --container-id --sandbox --exclude && mode_cp_out "$@" ;;
    cp-in) allow_only --pod-uid --container-id --sandbox --exclude && mode_cp_in "$@" ;;
    diff) allow_only --pod-uid --container-id && no_command "$@" && mode_diff ;;
    release)
      # The client's last word before it deletes the helper: thaw (or kill)
      # everything a catch session froze, whatever happens to the helper next.
      allow_only
      no_command "$@"
      with_glob "$RUN/frozen" '*' release_records
      ;;
    catch) mode_catch "$@" ;;
  esac
}

main "$@"
