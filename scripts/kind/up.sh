#!/usr/bin/env bash
# `npm run kind:up`: the whole crashdesk platform on a laptop, in a kind cluster:
#   CloudNativePG, cert-manager (with the CA of the sites' internal certificates), KEDA, ingress-nginx,
#   Prometheus with Grafana (kube-prometheus-stack), OpenBao in dev mode with transit and Kubernetes
#   auth (the operator logs in as its ServiceAccount), the crashdesk chart (a development cluster:
#   Cities on http://localhost), and the Cities hq, london and manchester; then it prints the console
#   and Grafana addresses.
# Needs docker (kind's nodes are containers), kind, kubectl and helm, and a registry to pull from.
# Versions can be changed through the variables below; `npm run kind:down` deletes the cluster.
set -euo pipefail

cluster=${CRASHDESK_KIND_CLUSTER:-crashdesk}
cnpg_version=${CNPG_VERSION:-1.30.0}
keda_version=${KEDA_CHART_VERSION:-2.21.0}
cert_manager_version=${CERT_MANAGER_CHART_VERSION:-v1.19.1}
# Empty: the newest release of the chart.
ingress_nginx_version=${INGRESS_NGINX_CHART_VERSION:-}
prometheus_stack_version=${KUBE_PROMETHEUS_STACK_CHART_VERSION:-}
openbao_version=${OPENBAO_CHART_VERSION:-}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
version=$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo dev)
api_image="crashdesk/api:$version"
operator_image="crashdesk/operator:$version"

step() { printf '\n==> %s\n' "$*"; }
need() {
  command -v "$1" >/dev/null 2>&1 || { echo "kind:up: $1 is needed: $2" >&2; exit 1; }
}
# helm's --version takes no empty value: an unpinned chart gets no flag at all. (The ${a[@]+...}
# form keeps macOS's bash 3.2 from calling an empty array unbound.)
ingress_nginx_pin=()
prometheus_stack_pin=()
openbao_pin=()
if [ -n "$ingress_nginx_version" ]; then ingress_nginx_pin=(--version "$ingress_nginx_version"); fi
if [ -n "$prometheus_stack_version" ]; then prometheus_stack_pin=(--version "$prometheus_stack_version"); fi
if [ -n "$openbao_version" ]; then openbao_pin=(--version "$openbao_version"); fi

need docker "https://docs.docker.com/engine/install/ (kind runs its nodes as containers)"
need kind "https://kind.sigs.k8s.io/docs/user/quick-start/#installation"
need kubectl "https://kubernetes.io/docs/tasks/tools/"
need helm "https://helm.sh/docs/intro/install/"
docker info >/dev/null 2>&1 || { echo "kind:up: the Docker daemon is not running" >&2; exit 1; }

step "kind cluster $cluster"
if kind get clusters 2>/dev/null | grep -x "$cluster" >/dev/null; then
  echo "reusing the existing cluster $cluster"
else
  kind create cluster --name "$cluster" --config "$here/kind-config.yaml" --wait 120s
fi
kubectl config use-context "kind-$cluster" >/dev/null

step "images $api_image and $operator_image (the repository's Dockerfile)"
docker build --tag "$api_image" --target api "$root"
docker build --tag "$operator_image" --target operator "$root"
kind load docker-image --name "$cluster" "$api_image" "$operator_image"

step "Helm repositories"
helm repo add ingress-nginx https://kubernetes.github.io/ingress-nginx --force-update >/dev/null
helm repo add kedacore https://kedacore.github.io/charts --force-update >/dev/null
helm repo add jetstack https://charts.jetstack.io --force-update >/dev/null
helm repo add prometheus-community https://prometheus-community.github.io/helm-charts --force-update >/dev/null
helm repo add openbao https://openbao.github.io/openbao-helm --force-update >/dev/null
helm repo update >/dev/null

step "ingress-nginx on the node that publishes ports 80 and 443"
helm upgrade --install ingress-nginx ingress-nginx/ingress-nginx ${ingress_nginx_pin[@]+"${ingress_nginx_pin[@]}"} \
  --namespace ingress-nginx --create-namespace \
  --set controller.hostPort.enabled=true \
  --set controller.service.type=NodePort \
  --set-string controller.nodeSelector.ingress-ready=true \
  --set 'controller.tolerations[0].key=node-role.kubernetes.io/control-plane' \
  --set 'controller.tolerations[0].operator=Exists' \
  --set 'controller.tolerations[0].effect=NoSchedule' \
  --set controller.watchIngressWithoutClass=true \
  --wait --timeout 5m

step "CloudNativePG $cnpg_version"
kubectl apply --server-side --force-conflicts \
  -f "https://raw.githubusercontent.com/cloudnative-pg/cloudnative-pg/release-${cnpg_version%.*}/releases/cnpg-${cnpg_version}.yaml"
kubectl -n cnpg-system rollout status deployment/cnpg-controller-manager --timeout=5m

step "cert-manager $cert_manager_version, and the CA of the sites' internal certificates"
helm upgrade --install cert-manager jetstack/cert-manager --version "$cert_manager_version" \
  --namespace cert-manager --create-namespace --set crds.enabled=true --wait --timeout 5m
kubectl apply -f "$here/internal-ca.yaml"
kubectl wait --for=condition=Ready clusterissuer/crashdesk-internal-ca --timeout=2m

step "KEDA $keda_version"
helm upgrade --install keda kedacore/keda --version "$keda_version" --namespace keda --create-namespace --wait --timeout 5m

step "Prometheus, Alertmanager and Grafana (kube-prometheus-stack)"
# Grafana's sidecar loads every ConfigMap labelled grafana_dashboard from any namespace; Prometheus
# selects every ServiceMonitor and PrometheusRule, not only the stack's own.
helm upgrade --install monitoring prometheus-community/kube-prometheus-stack ${prometheus_stack_pin[@]+"${prometheus_stack_pin[@]}"} \
  --namespace monitoring --create-namespace \
  --set grafana.sidecar.dashboards.enabled=true \
  --set grafana.sidecar.dashboards.searchNamespace=ALL \
  --set grafana.ingress.enabled=true \
  --set grafana.ingress.ingressClassName=nginx \
  --set 'grafana.ingress.hosts[0]=grafana.localtest.me' \
  --set grafana.adminPassword=crashdesk \
  --set prometheus.prometheusSpec.serviceMonitorSelectorNilUsesHelmValues=false \
  --set prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues=false \
  --wait --timeout 10m

step "OpenBao in dev mode (in memory, root token 'root'), with transit and Kubernetes auth"
helm upgrade --install openbao openbao/openbao ${openbao_pin[@]+"${openbao_pin[@]}"} \
  --namespace openbao --create-namespace \
  --set server.dev.enabled=true \
  --set server.dev.devRootToken=root \
  --set injector.enabled=false \
  --wait --timeout 5m
kubectl -n openbao wait --for=condition=Ready pod/openbao-0 --timeout=5m
bao() { kubectl -n openbao exec openbao-0 -- env BAO_TOKEN=root BAO_ADDR=http://127.0.0.1:8200 bao "$@"; }
# Read whole before matching: grep -q closing the pipe early would fail the pipeline under pipefail.
secret_engines=$(bao secrets list)
auth_methods=$(bao auth list)
case "$secret_engines" in *transit/*) ;; *) bao secrets enable transit ;; esac
case "$auth_methods" in *kubernetes/*) ;; *) bao auth enable kubernetes ;; esac
# OpenBao checks service-account tokens (the operator's and the api pods') through the TokenReview API.
bao write auth/kubernetes/config kubernetes_host=https://kubernetes.default.svc:443 >/dev/null
# The operator's own policy (the one the chart ships) and role: it logs in as its ServiceAccount.
kubectl -n openbao exec -i openbao-0 -- env BAO_TOKEN=root BAO_ADDR=http://127.0.0.1:8200 \
  bao policy write crashdesk_operator - <"$root/charts/crashdesk/files/vault/operator-policy.hcl" >/dev/null
bao write auth/kubernetes/role/crashdesk_operator bound_service_account_names=crashdesk-operator \
  bound_service_account_namespaces=crashdesk-system token_policies=crashdesk_operator token_ttl=1h >/dev/null

step "the crashdesk chart ($operator_image)"
kubectl create namespace crashdesk-system --dry-run=client -o yaml | kubectl apply -f -
kubectl create namespace crashdesk --dry-run=client -o yaml | kubectl apply -f -
helm upgrade --install crashdesk "$root/charts/crashdesk" --namespace crashdesk-system \
  --set image.repository="${operator_image%:*}" --set image.tag="$version" --set image.pullPolicy=Never \
  --set vault.address=http://openbao.openbao.svc:8200 \
  --set developmentCluster=true \
  --set metrics.serviceMonitor.enabled=true \
  --set prometheusRule.enabled=true \
  --wait --timeout 5m

step "the Cities hq, london and manchester"
if ! kubectl -n crashdesk get secret crashdesk-blind-index >/dev/null 2>&1; then
  kubectl -n crashdesk create secret generic crashdesk-blind-index --from-literal=key="$(head -c 32 /dev/urandom | base64)"
fi
if ! kubectl -n crashdesk get secret crashdesk-replication >/dev/null 2>&1; then
  kubectl -n crashdesk create secret generic crashdesk-replication --from-literal=secret="$(head -c 32 /dev/urandom | base64)"
fi
sed "s|CRASHDESK_API_IMAGE|$api_image|g" "$here/cities.yaml" | kubectl apply --server-side -f -
for city in hq london manchester; do
  kubectl -n crashdesk wait --for=condition=Ready "city/$city" --timeout=10m
done
kubectl -n crashdesk get cities

cat <<EOF

crashdesk is up in the kind cluster $cluster.
  consoles:  http://localhost/hq/   http://localhost/london/   http://localhost/manchester/
  API docs:  http://localhost/london/docs
  Grafana:   http://grafana.localtest.me/   (admin / crashdesk; dashboards in the "crashdesk" tag)
  admin password of a site: kubectl -n crashdesk get secret crashdesk-london-admin -o jsonpath='{.data.password}' | base64 -d
  delete it all: npm run kind:down
EOF
