#!/usr/bin/env bash
# Generates the cluster's PKI once: a CA, serving and client certificates for
# every component (TLS everywhere, etcd included), the service-account signing
# key, and one kubeconfig per client with the certificates embedded.
# usage: pki.sh NODE_IP   (a no-op when $STATE/pki/done exists)
#        pki.sh --node NAME NODE_IP APISERVER_URL
#   The second form adds a node's kubelet certificates (client and serving) and
#   kubeconfig in $STATE/pki/NAME, signed by the existing CA (a no-op when they
#   exist for that IP).
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" 2>/dev/null; }

openssl_conf() { # NAME EXT_USAGE SUBJECT_ALT_NAME(or empty)
  {
    printf '[req]\ndistinguished_name = dn\n[dn]\n[ext]\n'
    printf 'basicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature,keyEncipherment\n'
    printf 'extendedKeyUsage = %s\n' "$2"
    if [[ -n $3 ]]; then printf 'subjectAltName = %s\n' "$3"; fi
  } >"$1.cnf"
}

# cert NAME SUBJECT EXT_USAGE [SAN]
cert() {
  local name=$1 subject=$2 usage=$3 san=${4:-}
  key "$name"
  openssl_conf "$name" "$usage" "$san"
  openssl req -new -key "$name.key" -subj "$subject" -out "$name.csr" 2>/dev/null
  openssl x509 -req -in "$name.csr" -CA "$ca_dir/ca.crt" -CAkey "$ca_dir/ca.key" "${serial[@]}" -days 3650 \
    -extfile "$name.cnf" -extensions ext -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.cnf"
}

# kubeconfig NAME USER [SERVER]: a kubeconfig with the CA and the client pair embedded.
kubeconfig() {
  local file=$1.kubeconfig
  kubectl config set-cluster nsdebug --kubeconfig="$file" --server="${3:-https://127.0.0.1:6443}" \
    --certificate-authority="$ca_dir/ca.crt" --embed-certs=true >/dev/null
  kubectl config set-credentials "$2" --kubeconfig="$file" --client-certificate="$1.crt" \
    --client-key="$1.key" --embed-certs=true >/dev/null
  kubectl config set-context nsdebug --kubeconfig="$file" --cluster=nsdebug --user="$2" --namespace=default >/dev/null
  kubectl config use-context nsdebug --kubeconfig="$file" >/dev/null
}

ca_dir=$PKI
umask 077
if [[ ${1:-} == --node ]]; then
  name=$2 node_ip=$3 server=$4
  [[ -f $PKI/done ]] || die "no cluster PKI in $PKI: run cluster/up.sh"
  dir=$PKI/$name
  [[ -f $dir/done && $(cat "$dir/done") == "$node_ip" ]] && exit 0
  rm -rf "$dir"
  mkdir -p "$dir"
  cd "$dir"
  # A random serial: the CA's serial file belongs to the first run.
  serial=(-set_serial "0x$(openssl rand -hex 16)")
  cert kubelet-server "/CN=$name" serverAuth "DNS:$name,DNS:localhost,IP:$node_ip,IP:127.0.0.1"
  serial=(-set_serial "0x$(openssl rand -hex 16)")
  cert kubelet "/O=system:nodes/CN=system:node:$name" clientAuth
  kubeconfig kubelet "system:node:$name" "$server"
  printf '%s\n' "$node_ip" >./done
  exit 0
fi

node_ip=$1
[[ -f $PKI/done ]] && exit 0
rm -rf "$PKI"
mkdir -p "$PKI"
cd "$PKI"
serial=(-CAcreateserial)

key ca
openssl req -x509 -new -key ca.key -subj /CN=nsdebug-cluster-ca -days 3650 \
  -addext 'basicConstraints=critical,CA:TRUE' -addext 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature' \
  -out ca.crt 2>/dev/null

server_san="DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local"
server_san+=",DNS:localhost,DNS:$NODE_NAME,IP:127.0.0.1,IP:$SERVICE_IP,IP:$node_ip"
cert apiserver /CN=kube-apiserver serverAuth "$server_san"
cert etcd /CN=etcd serverAuth,clientAuth "DNS:localhost,IP:127.0.0.1"
cert apiserver-etcd-client /CN=kube-apiserver-etcd-client clientAuth
cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" clientAuth
cert kubelet-server "/CN=$NODE_NAME" serverAuth "DNS:$NODE_NAME,DNS:localhost,IP:$node_ip,IP:127.0.0.1"
cert kubelet "/O=system:nodes/CN=system:node:$NODE_NAME" clientAuth
cert controller-manager /CN=system:kube-controller-manager clientAuth
cert scheduler /CN=system:kube-scheduler clientAuth
cert admin "/O=system:masters/CN=nsdebug-admin" clientAuth
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out sa.key 2>/dev/null
openssl pkey -in sa.key -pubout -out sa.pub 2>/dev/null

kubeconfig admin nsdebug-admin
kubeconfig kubelet "system:node:$NODE_NAME"
kubeconfig controller-manager system:kube-controller-manager
kubeconfig scheduler system:kube-scheduler

printf '%s\n' "$node_ip" >node-ip
touch ./done
