#!/usr/bin/env bash
# `npm run cluster:up`: brings up (or completes) the local cluster: etcd,
# containerd, kube-apiserver, kube-controller-manager, kube-scheduler and the
# kubelet of node 1 (nsdebug-node), each a background process with its PID in
# $STATE/run and its log in $STATE/logs, and node 2 (nsdebug-node-2, node2.sh)
# unless NSDEBUG_CLUSTER_NODES=1. Idempotent: running components are left
# alone. Waits for the nodes to be Ready and the `default` service account,
# then writes the admin kubeconfig to <repo>/.e2e/kubeconfig. On failure: exits
# 1 after printing the failing component's last log lines.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

[[ $(id -u) == 0 ]] || die "the cluster needs root (it starts containerd and a kubelet); run as root"
[[ $CLUSTER_NODES == 1 || $CLUSTER_NODES == 2 ]] ||
  die "NSDEBUG_CLUSTER_NODES must be 1 or 2 (got '$CLUSTER_NODES'); unset it for two nodes"
started=$SECONDS

"$CLUSTER_DIR/install-packages.sh"
kube=$("$CLUSTER_DIR/build-kube.sh")
up_started=$SECONDS

node_ip=${NSDEBUG_NODE_IP:-$(detect_node_ip)}
if [[ -f $PKI/node-ip && $(cat "$PKI/node-ip") != "$node_ip" ]]; then
  die "the node IP changed ($(cat "$PKI/node-ip") -> $node_ip); run npm run cluster:down, then cluster:up"
fi
mkdir -p "$STATE"/{bin,logs,run,etcd,containerd,cni/net.d,cni/ipam,kubelet,images,pod-logs} "$KUBELET_ROOT" "$REPO/.e2e"
chmod 700 "$STATE/etcd"
"$CLUSTER_DIR/pki.sh" "$node_ip"

# One binary, four names: kube dispatches on argv[0], and ps shows who is who.
for c in apiserver controller-manager scheduler kubelet; do
  ln -sfn "$kube" "$STATE/bin/kube-$c"
done

# --- configuration files (regenerated each time: they hold only constants) ---
write_containerd_config "$STATE/containerd/config.toml" "$STATE/containerd/root" "$STATE/containerd/state" \
  "$CONTAINERD_SOCK" "$STATE/containerd/opt" "$STATE/containerd/runc" "$STATE/cni/net.d"
write_cni_config "$STATE/cni/net.d/10-nsdebug.conflist" "$BRIDGE" "$POD_CIDR" "$STATE/cni/ipam"
write_kubelet_config "$STATE/kubelet" "$node_ip" "$CONTAINERD_SOCK" "$POD_CIDR" "$PKI" "$STATE/pod-logs"

etcd_health() {
  curl -fsS --cacert "$PKI/ca.crt" --cert "$PKI/apiserver-etcd-client.crt" --key "$PKI/apiserver-etcd-client.key" \
    https://127.0.0.1:2379/health | grep -q '"health":"true"'
}
apiserver_ready() { "${admin[@]}" get --raw /readyz; }
default_sa() { "${admin[@]}" -n default get serviceaccount default; }
# grep without -q: exiting at the first match could SIGPIPE ctr, and pipefail
# would then call a present image missing.
image_present() { ctr -a "$CONTAINERD_SOCK" -n k8s.io images ls -q | grep -x -- "$1" >/dev/null; }

# --- start everything, in dependency order ---

start etcd etcd --name nsdebug --data-dir "$STATE/etcd" --logger=zap --log-outputs=stderr \
  --listen-client-urls https://127.0.0.1:2379 --advertise-client-urls https://127.0.0.1:2379 \
  --listen-peer-urls https://127.0.0.1:2380 --initial-advertise-peer-urls https://127.0.0.1:2380 \
  --initial-cluster nsdebug=https://127.0.0.1:2380 --listen-metrics-urls http://127.0.0.1:2381 \
  --cert-file "$PKI/etcd.crt" --key-file "$PKI/etcd.key" --client-cert-auth --trusted-ca-file "$PKI/ca.crt" \
  --peer-cert-file "$PKI/etcd.crt" --peer-key-file "$PKI/etcd.key" --peer-client-cert-auth --peer-trusted-ca-file "$PKI/ca.crt"

# containerd's runtime state and the IP reservations outlive a reboot or crash
# here (they are on disk, not in /run): with no containerd, no shim and no pod
# process left, no sandbox is alive, so they are stale.
if ! component_pid containerd >/dev/null && [[ -z $(leftover_pids) ]] \
  && ! grep -qF -- "$STATE/containerd/" /proc/self/mountinfo; then
  rm -rf "$STATE/containerd/state" "$STATE/containerd/runc" "$STATE/cni/ipam"
  mkdir -p "$STATE/cni/ipam"
fi
start containerd containerd --config "$STATE/containerd/config.toml"

wait_until etcd 30 "etcd /health" etcd_health
start apiserver "$STATE/bin/kube-apiserver" \
  --etcd-servers=https://127.0.0.1:2379 --etcd-cafile="$PKI/ca.crt" \
  --etcd-certfile="$PKI/apiserver-etcd-client.crt" --etcd-keyfile="$PKI/apiserver-etcd-client.key" \
  --bind-address=0.0.0.0 --secure-port=6443 --advertise-address="$node_ip" \
  --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" \
  --client-ca-file="$PKI/ca.crt" \
  --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
  --kubelet-certificate-authority="$PKI/ca.crt" --kubelet-preferred-address-types=InternalIP,Hostname \
  --service-account-issuer=https://kubernetes.default.svc.cluster.local \
  --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
  --service-cluster-ip-range="$SERVICE_CIDR" \
  --authorization-mode=Node,RBAC \
  --enable-admission-plugins=NodeRestriction,PodSecurity \
  --allow-privileged=true --profiling=false

wait_until containerd 30 "containerd's socket" ctr -a "$CONTAINERD_SOCK" version
if ! image_present "$BUSYBOX_IMAGE" || ! image_present "$PAUSE_IMAGE" || ! image_present "$TOOLBOX_IMAGE"; then
  if [[ ! -f $STATE/images/busybox.tar || ! -f $STATE/images/pause.tar || ! -f $STATE/images/toolbox.tar ]]; then
    "$CLUSTER_DIR/images/build.sh" "$STATE/images" "$BUSYBOX_IMAGE" "$PAUSE_IMAGE" "$TOOLBOX_IMAGE"
  fi
  for tarfile in "$STATE/images/busybox.tar" "$STATE/images/pause.tar" "$STATE/images/toolbox.tar"; do
    ctr -a "$CONTAINERD_SOCK" -n k8s.io images import "$tarfile" >/dev/null \
      || { tail_logs containerd; die "importing $tarfile into containerd failed"; }
  done
  log "imported $BUSYBOX_IMAGE, $PAUSE_IMAGE and $TOOLBOX_IMAGE"
fi

wait_until apiserver 90 "kube-apiserver /readyz" apiserver_ready
start controller-manager "$STATE/bin/kube-controller-manager" \
  --kubeconfig="$PKI/controller-manager.kubeconfig" \
  --authentication-kubeconfig="$PKI/controller-manager.kubeconfig" \
  --authorization-kubeconfig="$PKI/controller-manager.kubeconfig" \
  --service-account-private-key-file="$PKI/sa.key" --root-ca-file="$PKI/ca.crt" \
  --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
  --use-service-account-credentials=true --leader-elect=false \
  --bind-address=127.0.0.1 --secure-port=10257 \
  --service-cluster-ip-range="$SERVICE_CIDR" --allocate-node-cidrs=false \
  --controllers='*,-cloud-node-lifecycle-controller,-service-lb-controller,-node-route-controller'
start scheduler "$STATE/bin/kube-scheduler" \
  --kubeconfig="$PKI/scheduler.kubeconfig" \
  --authentication-kubeconfig="$PKI/scheduler.kubeconfig" --authorization-kubeconfig="$PKI/scheduler.kubeconfig" \
  --leader-elect=false --bind-address=127.0.0.1 --secure-port=10259
start kubelet "$STATE/bin/kube-kubelet" \
  --config="$STATE/kubelet/config.yaml" --kubeconfig="$PKI/kubelet.kubeconfig" \
  --hostname-override="$NODE_NAME" --node-ip="$node_ip" \
  --root-dir="$KUBELET_ROOT" --cert-dir="$STATE/kubelet/pki" --v=1

# Node 2 comes up beside node 1 (it needs only the API server, the PKI and the
# image tars); with one node asked for, a running node 2 is removed.
node2_job=""
if [[ $CLUSTER_NODES == 2 ]]; then
  "$CLUSTER_DIR/node2.sh" up "$node_ip" &
  node2_job=$!
elif component_pid node2 >/dev/null || [[ -d $NODE2_STATE ]]; then
  log "NSDEBUG_CLUSTER_NODES=1: removing node 2"
  "$CLUSTER_DIR/node2.sh" down
fi

also_logs=(containerd)
wait_until kubelet 120 "node $NODE_NAME Ready" node_ready "$NODE_NAME"
ready_at=$SECONDS
wait_until controller-manager 60 "the default service account" default_sa
if [[ -n $node2_job ]]; then
  wait "$node2_job" || die "node $NODE2_NAME did not come up (its logs: $LOGS/node2*.log)"
fi
for c in scheduler apiserver etcd containerd; do
  component_pid "$c" >/dev/null || { log "$c is not running"; tail_logs "$c"; exit 1; }
done

install -m 600 "$PKI/admin.kubeconfig" "$KUBECONFIG_OUT"
log "node $NODE_NAME Ready after $((ready_at - up_started)) s; default service account after $((SECONDS - up_started)) s (total $((SECONDS - started)) s, build and packages included)"
log "export KUBECONFIG=$KUBECONFIG_OUT"
