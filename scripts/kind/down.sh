#!/usr/bin/env bash
# `npm run kind:down`: deletes the kind cluster of `npm run kind:up`, and with it every site's data.
set -euo pipefail
cluster=${CRASHDESK_KIND_CLUSTER:-crashdesk}
command -v kind >/dev/null 2>&1 || { echo "kind:down: kind is needed" >&2; exit 1; }
if kind get clusters 2>/dev/null | grep -x "$cluster" >/dev/null; then
  kind delete cluster --name "$cluster"
else
  echo "kind:down: no kind cluster named $cluster"
fi
