#!/usr/bin/env bash
# `npm test`: build, unit tests, then the real-cluster (e2e) tests. Brings the
# local cluster up when none answers and tears it down afterwards (only then),
# then runs the leak check: after a teardown, nothing of the cluster may remain
# on the machine; on a cluster that was already up, no test object may remain in
# it. Every step runs even if an earlier one failed; the exit status is 1 if any
# failed. Under CI=true a cluster that cannot come up fails the run (never a skip).
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
repo=$PWD

failed=()
results=()
step() { # NAME COMMAND...
  local name=$1 start=$SECONDS rc=0
  shift
  printf '\n=== %s: %s\n' "$name" "$*"
  "$@" || rc=$?
  if ((rc == 0)); then
    results+=("ok     $name ($((SECONDS - start)) s)")
  else
    results+=("FAILED $name (exit $rc, $((SECONDS - start)) s)")
    failed+=("$name")
  fi
  return "$rc"
}

cluster_answers() {
  [[ -f $repo/.e2e/kubeconfig ]] &&
    KUBECONFIG=$repo/.e2e/kubeconfig kubectl get --raw /readyz --request-timeout=5s >/dev/null 2>&1
}

brought_up=0
baseline=$(mktemp)
trap 'rm -f "$baseline"' EXIT
# Interrupted after bringing the cluster up: still tear it down.
on_signal() {
  if ((brought_up)); then bash cluster/down.sh || true; fi
  exit 130
}
trap on_signal INT TERM

step build npm run build
step unit npx vitest run --project unit

cluster_ok=0
if cluster_answers; then
  echo "npm test: using the cluster that is already up (it stays up)"
  cluster_ok=1
else
  # Interfaces present before the cluster: the leak check reports any new veth.
  ip -o link show type veth | awk -F': ' '{sub(/@.*/, "", $2); print $2}' >"$baseline"
  if step cluster:up bash cluster/up.sh; then
    cluster_ok=1
  fi
  brought_up=1
fi

if ((cluster_ok)); then
  # Second precision: back off one second so nothing this run made is missed.
  e2e_since=$(date -u -d '1 second ago' +%Y-%m-%dT%H:%M:%SZ)
  step e2e npx vitest run --project e2e
  step node24 bash test/node24.sh # unit suite + a real session under Debian unstable's Node 24 (chroot)
else
  results+=("FAILED e2e (not run: the cluster did not come up; see above)")
  failed+=(e2e)
fi

if ((brought_up)); then
  step cluster:down bash cluster/down.sh
  step leak-check bash cluster/leak-check.sh "$baseline"
elif ((cluster_ok)); then
  step leak-check bash cluster/leak-check.sh --in-cluster "$e2e_since"
fi

printf '\n=== npm test summary\n'
printf '  %s\n' "${results[@]}"
if ((${#failed[@]} > 0)); then
  printf 'npm test: FAILED: %s\n' "${failed[*]}"
  exit 1
fi
echo "npm test: all steps passed"
