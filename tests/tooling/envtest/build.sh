#!/usr/bin/env bash
# Builds the test control plane's binaries from their pinned Go modules into a cache outside
# the repo: ${XDG_CACHE_HOME:-~/.cache}/diffsync/envtest/<kubernetes version>/.
# A binary is rebuilt only when its module's go.mod/go.sum change (stamp file next to it),
# so `make envtest` is a no-op on a warm cache. Usage: build.sh [binary ...]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"
# GOTOOLCHAIN is left as the environment sets it: with the default (auto), a Go >= 1.21 that is
# older than the go.mod's `go 1.26.0` fetches the 1.26 toolchain through the Go module proxy.
export CGO_ENABLED=0 GOFLAGS=-mod=readonly

command -v go >/dev/null || {
  echo "envtest: 'go' is not on PATH; install Go >= 1.21 (it fetches Go 1.26 itself), e.g. into /usr/local/go" >&2
  exit 1
}

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/diffsync/envtest"
out="${DIFFSYNC_ENVTEST_DIR:-$cache_root/$KUBERNETES_VERSION}"
mkdir -p "$out"

k8s_major="${KUBERNETES_VERSION#v}"; k8s_major="${k8s_major%%.*}"     # 1
k8s_minor="${KUBERNETES_VERSION#v*.}"; k8s_minor="${k8s_minor%%.*}"   # 36

k8s_ldflags() {
  local flags="-s -w" pkg
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=$k8s_major"
    flags+=" -X $pkg.gitMinor=$k8s_minor -X $pkg.gitTreeState=clean"
  done
  echo "$flags"
}

helm_ldflags() {
  # Helm's own Makefile derives the default Kubernetes capabilities from its client-go version.
  local cg major minor
  cg="$(cd "$here/helm" && go list -m -f '{{.Version}}' k8s.io/client-go)"    # v0.36.2
  major=1; minor="${cg#v0.}"; minor="${minor%%.*}"
  echo "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean \
-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$major -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor \
-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$major -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor"
}

build_one() {  # binary name
  local name="$1" dir="$here/$1" pkg ldflags stamp want start
  pkg="$(sed -n 's/^tool //p' "$dir/go.mod")"
  [ -n "$pkg" ] || { echo "envtest: $dir/go.mod has no 'tool' line; run pin.sh" >&2; exit 1; }
  want="$(cat "$here/versions.env" "$dir/go.mod" "$dir/go.sum" | sha256sum | cut -c1-16)"
  stamp="$out/.$name.stamp"
  if [ -x "$out/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
    echo "envtest: $name up to date in $out"
    return
  fi
  case "$name" in
    kube-*|kubectl) ldflags="$(k8s_ldflags)" ;;
    helm) ldflags="$(helm_ldflags)" ;;
    *) ldflags="-s -w" ;;
  esac
  echo "envtest: building $name ($pkg) ..."
  start=$SECONDS
  (cd "$dir" && go build -trimpath -ldflags "$ldflags" -o "$out/$name.tmp" "$pkg")
  mv -f "$out/$name.tmp" "$out/$name"
  echo "$want" > "$stamp"
  echo "envtest: built $name in $((SECONDS - start)) s"
}

bins=("$@")
[ ${#bins[@]} -gt 0 ] || bins=(etcd kube-apiserver kube-controller-manager kubectl helm)
for b in "${bins[@]}"; do build_one "$b"; done
echo "envtest: binaries in $out"
