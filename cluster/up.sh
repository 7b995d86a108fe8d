#!/usr/bin/env bash
# `npm run cluster:up`: brings up (or completes) the single-node local cluster:
# etcd, containerd, kube-apiserver, kube-controller-manager, kube-scheduler and
# one kubelet, each a background process with its PID in $STATE/run and its log
# in $STATE/logs. Idempotent: running components are left alone. Waits for the
# node to be Ready and the `default` service account, then writes the admin
# kubeconfig to <repo>/.e2e/kubeconfig. On failure: exits 1 after printing the
# failing component's last log lines.
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

[[ $(id -u) == 0 ]] || die "the cluster needs root (it starts containerd and a kubelet); run as root"
started=$SECONDS

"$CLUSTER_DIR/install-packages.sh"
kube=$("$CLUSTER_DIR/build-kube.sh")
up_started=$SECONDS

node_ip=${NSDEBUG_NODE_IP:-$(detect_node_ip)}
if [[ -f $PKI/node-ip && $(cat "$PKI/node-ip") != "$node_ip" ]]; then
  die "the node IP changed ($(cat "$PKI/node-ip") -> $node_ip); run npm run cluster:down, then cluster:up"
fi
mkdir -p "$STATE"/{bin,logs,run,etcd,containerd,cni/net.d,cni/ipam,kubelet,images} "$KUBELET_ROOT" "$REPO/.e2e"
chmod 700 "$STATE/etcd"
"$CLUSTER_DIR/pki.sh" "$node_ip"

# One binary, four names: kube dispatches on argv[0], and ps shows who is who.
for c in apiserver controller-manager scheduler kubelet; do
  ln -sfn "$kube" "$STATE/bin/kube-$c"
done

# --- configuration files (regenerated each time: they hold only constants) ---
cat >"$STATE/containerd/config.toml" <<TOML
version = 2
root = "$STATE/containerd/root"
state = "$STATE/containerd/state"
oom_score = 0
[grpc]
  address = "$CONTAINERD_SOCK"
[plugins."io.containerd.internal.v1.opt"]
  path = "$STATE/containerd/opt"
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
        Root = "$STATE/containerd/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN"
    conf_dir = "$STATE/cni/net.d"
TOML

cat >"$STATE/cni/net.d/10-nsdebug.conflist" <<JSON
{
  "cniVersion": "0.4.0",
  "name": "nsdebug",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "$BRIDGE",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "ranges": [[{"subnet": "$POD_CIDR"}]],
        "routes": [{"dst": "0.0.0.0/0"}],
        "dataDir": "$STATE/cni/ipam"
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON

# hostNetwork pods (dnsPolicy Default) get this resolver: nothing answers either.
printf 'nameserver 127.0.0.1\n' >"$STATE/kubelet/resolv.conf"
cat >"$STATE/kubelet/config.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# containerd 1.6 lacks the CRI RuntimeConfig call: the driver must be explicit.
cgroupDriver: cgroupfs
failCgroupV1: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
imageServiceEndpoint: unix://$CONTAINERD_SOCK
# The local images cannot be pulled back once garbage-collected.
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard:
  memory.available: "100Mi"
  nodefs.available: "1%"
  nodefs.inodesFree: "1%"
  imagefs.available: "1%"
failSwapOn: false
address: $node_ip
port: 10250
healthzBindAddress: 127.0.0.1
healthzPort: 10248
readOnlyPort: 0
tlsCertFile: $PKI/kubelet-server.crt
tlsPrivateKeyFile: $PKI/kubelet-server.key
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
resolvConf: $STATE/kubelet/resolv.conf
serializeImagePulls: false
podCIDR: $POD_CIDR
maxPods: 50
rotateCertificates: false
serverTLSBootstrap: false
cgroupsPerQOS: true
enforceNodeAllocatable: ["pods"]
podLogsDirectory: $STATE/pod-logs
YAML

# --- process control ---

# tail_logs NAME...: the last lines of each component's log, for a failure report.
tail_logs() {
  local name
  for name in "$@"; do
    printf '\n----- last lines of %s -----\n' "$LOGS/$name.log" >&2
    tail -n 30 "$LOGS/$name.log" >&2 2>/dev/null || echo "(no log)" >&2
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
  setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 &
  pid=$!
  printf '%s %s\n' "$pid" "$(proc_start_time "$pid")" >"$RUN/$name.pid"
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
etcd_health() {
  curl -fsS --cacert "$PKI/ca.crt" --cert "$PKI/apiserver-etcd-client.crt" --key "$PKI/apiserver-etcd-client.key" \
    https://127.0.0.1:2379/health | grep -q '"health":"true"'
}
apiserver_ready() { "${admin[@]}" get --raw /readyz; }
node_ready() {
  [[ $("${admin[@]}" get node "$NODE_NAME" -o 'jsonpath={.status.conditions[?(@.type=="Ready")].status}') == True ]]
}
default_sa() { "${admin[@]}" -n default get serviceaccount default; }
image_present() { ctr -a "$CONTAINERD_SOCK" -n k8s.io images ls -q | grep -qx "$1"; }

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
if ! image_present "$BUSYBOX_IMAGE" || ! image_present "$PAUSE_IMAGE"; then
  if [[ ! -f $STATE/images/busybox.tar || ! -f $STATE/images/pause.tar ]]; then
    "$CLUSTER_DIR/images/build.sh" "$STATE/images" "$BUSYBOX_IMAGE" "$PAUSE_IMAGE"
  fi
  for tarfile in "$STATE/images/busybox.tar" "$STATE/images/pause.tar"; do
    ctr -a "$CONTAINERD_SOCK" -n k8s.io images import "$tarfile" >/dev/null \
      || { tail_logs containerd; die "importing $tarfile into containerd failed"; }
  done
  log "imported $BUSYBOX_IMAGE and $PAUSE_IMAGE"
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

also_logs=(containerd)
wait_until kubelet 120 "node $NODE_NAME Ready" node_ready
ready_at=$SECONDS
wait_until controller-manager 60 "the default service account" default_sa
for c in scheduler apiserver etcd containerd; do
  component_pid "$c" >/dev/null || { log "$c is not running"; tail_logs "$c"; exit 1; }
done

install -m 600 "$PKI/admin.kubeconfig" "$KUBECONFIG_OUT"
log "node $NODE_NAME Ready after $((ready_at - up_started)) s; default service account after $((SECONDS - up_started)) s (total $((SECONDS - started)) s, build and packages included)"
log "export KUBECONFIG=$KUBECONFIG_OUT"
