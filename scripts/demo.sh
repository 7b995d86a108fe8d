#!/usr/bin/env bash
# `npm run demo`: on the local cluster (npm run cluster:up), starts a small web
# server pod `demo-web` in `default` and opens kubectl-nsdebug into it. The pod
# stays for another try; remove it with `kubectl delete pod demo-web`.
set -euo pipefail
cd "$(dirname "$0")/.."
export KUBECONFIG=$PWD/.e2e/kubeconfig
# The toolbox (busybox plus util-linux setpriv and nsenter, built locally): every
# choice works, --tools target and the picker's preset a included.
export NSDEBUG_IMAGE=localhost/nsdebug/toolbox:e2e

if [[ ! -f $KUBECONFIG ]] || ! kubectl get --raw /readyz --request-timeout=5s >/dev/null 2>&1; then
  echo "demo: the local cluster is not up; run npm run cluster:up first" >&2
  exit 1
fi
if [[ ! -f dist/kubectl-nsdebug.mjs ]]; then
  npm run build
fi

kubectl apply -f - <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: demo-web
  namespace: default
  labels:
    app: demo-web
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: web
      image: localhost/nsdebug/busybox:e2e
      imagePullPolicy: Never
      command: ["sh", "-c", "echo 'hello from demo-web' > /tmp/index.html && exec httpd -f -v -p 8080 -h /tmp"]
      ports:
        - containerPort: 8080
YAML
kubectl wait --for=condition=Ready pod/demo-web --timeout=60s >/dev/null
echo "demo: pod demo-web is running (IP $(kubectl get pod demo-web -o 'jsonpath={.status.podIP}')); opening kubectl nsdebug pod/demo-web"
echo "demo: try 'ip addr', 'ps', 'wget -qO- localhost:8080'; exit the shell to remove the helper"
exec plugin/kubectl-nsdebug pod/demo-web "$@"
