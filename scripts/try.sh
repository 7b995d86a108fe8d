#!/usr/bin/env bash
# `npm run try [-- ARGS]`: the one command from a fresh clone to a session.
# Installs the dependencies and builds when needed, then runs kubectl-nsdebug
# against the current kubeconfig when its cluster answers; with no cluster at
# all it brings up the project's local one and opens the demo pod.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ -d node_modules ]] || npm ci --no-audit --no-fund
[[ -f dist/kubectl-nsdebug.mjs ]] || npm run build
export PATH=$PWD/plugin:$PATH

if kubectl get --raw /readyz --request-timeout=5s >/dev/null 2>&1; then
  echo "try: using the current kubeconfig ($(kubectl config current-context 2>/dev/null || echo in-cluster))" >&2
  exec kubectl nsdebug "$@"
fi
echo "try: no reachable cluster in the current kubeconfig; starting the local one (npm run cluster:up)" >&2
npm run cluster:up
exec bash scripts/demo.sh "$@"
