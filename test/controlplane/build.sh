#!/usr/bin/env bash
# Builds the test control plane (etcd + kube-apiserver) from the Go module proxy into bin/.
#
# Idempotent: each binary has a stamp file named after its version and the Go version, so a warm
# machine exits in well under a second. Binaries that the caller already has are reused instead of
# built, using the same variables controller-runtime envtest reads:
#   TEST_ASSET_KUBE_APISERVER, TEST_ASSET_ETCD   path of one binary each
#   KUBEBUILDER_ASSETS                            a directory holding kube-apiserver and etcd
# KTJ_BIN_DIR overrides the output directory (default <repo>/bin, git-ignored).
# See docs/testing.md for measured build times.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/test/controlplane"
BIN="${KTJ_BIN_DIR:-$ROOT/bin}"
# These must match the versions pinned in k8s/go.mod and etcd/go.mod (checked below).
K8S_VERSION="v1.36.3"
ETCD_VERSION="v3.6.16"

# GOTOOLCHAIN=local: fail loudly instead of downloading a newer toolchain if a dependency asks for one.
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=readonly

log() { echo >&2 "build.sh: $*"; }

# Returns 0 when the caller supplied this binary through the envtest variables.
supplied() {
  local name="$1" var="$2"
  if [[ -n "${!var:-}" ]]; then
    [[ -x "${!var}" ]] || { log "$var=${!var} is not an executable file"; exit 1; }
    log "using $name from $var=${!var}"
    return 0
  fi
  if [[ -n "${KUBEBUILDER_ASSETS:-}" ]]; then
    [[ -x "$KUBEBUILDER_ASSETS/$name" ]] || { log "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has no $name"; exit 1; }
    log "using $name from KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS"
    return 0
  fi
  return 1
}

require_pin() {
  local gomod="$1" pin="$2"
  grep -q "$pin" "$gomod" || { log "$gomod does not pin '$pin'; update build.sh and go.mod together"; exit 1; }
}

GO_VERSION="$(go env GOVERSION)"
mkdir -p "$BIN"

build_etcd() {
  supplied etcd TEST_ASSET_ETCD && return 0
  local stamp="$BIN/.stamp-etcd-$ETCD_VERSION-$GO_VERSION"
  [[ -x "$BIN/etcd" && -f "$stamp" ]] && return 0
  require_pin "$HERE/etcd/go.mod" "go.etcd.io/etcd/server/v3 $ETCD_VERSION"
  log "building etcd $ETCD_VERSION with $GO_VERSION"
  rm -f "$BIN"/.stamp-etcd-*
  (cd "$HERE/etcd" && go build -trimpath -buildvcs=false -ldflags "-s -w" -o "$BIN/etcd" .)
  touch "$stamp"
}

build_apiserver() {
  supplied kube-apiserver TEST_ASSET_KUBE_APISERVER && return 0
  local stamp="$BIN/.stamp-kube-apiserver-$K8S_VERSION-$GO_VERSION"
  [[ -x "$BIN/kube-apiserver" && -f "$stamp" ]] && return 0
  require_pin "$HERE/k8s/go.mod" "k8s.io/kubernetes $K8S_VERSION"
  log "building kube-apiserver $K8S_VERSION with $GO_VERSION (cold: ~3 min on 2 cores, see docs/testing.md)"
  rm -f "$BIN"/.stamp-kube-apiserver-*
  # Without these -X flags /version reports v0.0.0-master+$Format:%H$ (kubernetes hack/lib/version.sh).
  local minor ld="-s -w"
  minor="$(cut -d. -f2 <<<"$K8S_VERSION")"
  for kv in "gitVersion=$K8S_VERSION" "gitMajor=1" "gitMinor=$minor" "gitTreeState=clean" \
            "buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; do
    ld+=" -X k8s.io/component-base/version.$kv -X k8s.io/client-go/pkg/version.$kv"
  done
  (cd "$HERE/k8s" && go build -trimpath -buildvcs=false -ldflags "$ld" -o "$BIN/" k8s.io/kubernetes/cmd/kube-apiserver)
  touch "$stamp"
}

build_etcd
build_apiserver
log "ok ($BIN)"
