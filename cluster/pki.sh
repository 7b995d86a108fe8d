#!/usr/bin/env bash
# Generates the cluster's PKI once: a CA, serving and client certificates for
# every component (TLS everywhere, etcd included), the service-account signing
# key, and one kubeconfig per client with the certificates embedded.
# usage: pki.sh NODE_IP   (a no-op when $STATE/pki/done exists)
set -euo pipefail
# shellcheck source=lib.sh
source "$(dirname "$0")/lib.sh"

node_ip=$1
[[ -f $PKI/done ]] && exit 0
rm -rf "$PKI"
mkdir -p "$PKI"
cd "$PKI"
umask 077

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
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 3650 \
    -extfile "$name.cnf" -extensions ext -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.cnf"
}

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

# kubeconfig NAME USER: a kubeconfig with the CA and the client pair embedded.
kubeconfig() {
  local file=$1.kubeconfig
  kubectl config set-cluster nsdebug --kubeconfig="$file" --server=https://127.0.0.1:6443 \
    --certificate-authority=ca.crt --embed-certs=true >/dev/null
  kubectl config set-credentials "$2" --kubeconfig="$file" --client-certificate="$1.crt" \
    --client-key="$1.key" --embed-certs=true >/dev/null
  kubectl config set-context nsdebug --kubeconfig="$file" --cluster=nsdebug --user="$2" --namespace=default >/dev/null
  kubectl config use-context nsdebug --kubeconfig="$file" >/dev/null
}
kubeconfig admin nsdebug-admin
kubeconfig kubelet "system:node:$NODE_NAME"
kubeconfig controller-manager system:kube-controller-manager
kubeconfig scheduler system:kube-scheduler

printf '%s\n' "$node_ip" >node-ip
touch ./done
