#!/usr/bin/env bash
# Builds the test control plane and the real Kubeflow controllers from the Go module proxy into bin/.
#
#   bash test/controlplane/build.sh                 # everything (what npm test and CI run)
#   bash test/controlplane/build.sh etcd kube-apiserver   # only these (names as listed below)
#   bash test/controlplane/build.sh --list          # the component names
#
# Components (one small wrapper module each, pinned by its committed go.mod/go.sum):
#   etcd                       etcd/        go.etcd.io/etcd/server/v3 (etcdmain)
#   kube-apiserver             k8s/         k8s.io/kubernetes/cmd/kube-apiserver
#   kube-controller-manager    k8s/         k8s.io/kubernetes/cmd/kube-controller-manager
#   controllers/<name>/        one per controller and version; the binary is bin/<name>, built from
#                              the go.mod's `tool` line (e.g. trainer-v2.3.0, jobset-v0.12.0,
#                              training-operator-v1.9.2). Adding a version is adding such a folder.
#
# Idempotent and cheap when warm: each binary has a stamp bin/.stamp-<name>-<version>-<goversion>.
# A machine-wide copy of every binary is kept in $KTJ_BUILD_CACHE (default
# ~/.cache/kubectl-trainjob/bin), so another clone or worktree on the same machine copies it instead
# of compiling and linking again; a fresh machine simply builds (the cache is an optimisation only).
# Builds of the same binary from two clones at once are serialised by a lock in that directory.
#
# Binaries that the caller already has are reused instead of built, using the variables
# controller-runtime envtest reads: TEST_ASSET_KUBE_APISERVER, TEST_ASSET_ETCD (one binary each) and
# KUBEBUILDER_ASSETS (a directory holding kube-apiserver and etcd).
# KTJ_BIN_DIR overrides the output directory (default <repo>/bin, git-ignored).
# Go builds run under `nice -n 10`: the machine is shared. See docs/testing.md for measured times.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/test/controlplane"
BIN="${KTJ_BIN_DIR:-$ROOT/bin}"
CACHE="${KTJ_BUILD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kubectl-trainjob/bin}"
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

# The wrapper folders under controllers/, in build order (smallest first, so early failures show fast).
controller_names() {
  local d
  for d in "$HERE"/controllers/*/go.mod; do basename "$(dirname "$d")"; done
}
ALL=(etcd kube-apiserver kube-controller-manager $(controller_names))

if [[ "${1:-}" == "--list" ]]; then printf '%s\n' "${ALL[@]}"; exit 0; fi
WANTED=("$@")
[[ ${#WANTED[@]} -gt 0 ]] || WANTED=("${ALL[@]}")
for w in "${WANTED[@]}"; do
  [[ " ${ALL[*]} " == *" $w "* ]] || { log "unknown component '$w' (known: ${ALL[*]})"; exit 1; }
done

fmt_secs() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# build_binary NAME VERSION MODULE_DIR PACKAGE LDFLAGS HINT
# Stamp present -> nothing; machine cache hit -> copy; else go build (into the cache, then copy).
STEP=0
build_binary() {
  local name="$1" version="$2" dir="$3" pkg="$4" ldflags="$5" hint="$6"
  STEP=$((STEP + 1))
  local key="$name-$version-$GO_VERSION"
  local stamp="$BIN/.stamp-$key"
  [[ -x "$BIN/$name" && -f "$stamp" ]] && return 0
  mkdir -p "$CACHE"
  local started=$SECONDS
  (
    # One builder per binary per machine; a second clone waits here and then copies.
    flock 9
    if [[ ! -x "$CACHE/$key" ]]; then
      log "[$STEP/${#WANTED[@]}] building $name $version with $GO_VERSION ($hint)"
      (cd "$dir" && nice -n 10 go build -trimpath -buildvcs=false -ldflags "$ldflags" -o "$CACHE/$key.tmp" "$pkg")
      mv -f "$CACHE/$key.tmp" "$CACHE/$key"
    else
      log "[$STEP/${#WANTED[@]}] $name $version: copying the machine's cached build ($CACHE)"
    fi
    # Still under the lock: two build.sh runs for the same bin/ (e.g. two component lists at once)
    # must not interleave their copies.
    rm -f "$BIN/.stamp-$name-"*
    cp -f "$CACHE/$key" "$BIN/$name.tmp.$$" && mv -f "$BIN/$name.tmp.$$" "$BIN/$name"
    touch "$stamp"
  ) 9>"$CACHE/.lock-$name"
  log "[$STEP/${#WANTED[@]}] $name ready in $(fmt_secs $((SECONDS - started)))"
}

# -X flags: without them /version reports v0.0.0-master+$Format:%H$ (kubernetes hack/lib/version.sh).
# No build date: the binary (and the machine cache entry) must not depend on when it was built.
k8s_ldflags() {
  local minor ld="-s -w"
  minor="$(cut -d. -f2 <<<"$K8S_VERSION")"
  for kv in "gitVersion=$K8S_VERSION" "gitMajor=1" "gitMinor=$minor" "gitTreeState=clean"; do
    ld+=" -X k8s.io/component-base/version.$kv -X k8s.io/client-go/pkg/version.$kv"
  done
  echo "$ld"
}

# The wrapper module's version is in its folder name (<component>-<version>); its go.mod pins it.
build_controller() {
  local name="$1" dir="$HERE/controllers/$1"
  local version="${name##*-}" pkg
  pkg="$(awk '$1 == "tool" && NF == 2 { print $2 }' "$dir/go.mod")"
  [[ -n "$pkg" ]] || { log "$dir/go.mod has no single-line 'tool <package>' directive"; exit 1; }
  require_pin "$dir/go.mod" " $version"
  build_binary "$name" "$version" "$dir" "$pkg" "-s -w" "$pkg; cold: 2-5 min on 2 cores"
  # The controller's own CRDs and manifests, from the same pinned module (git-ignored copy).
  local assets="$BIN/assets/$name"
  if [[ ! -f "$assets/.complete" ]]; then
    local moddir
    moddir="$(cd "$dir" && go list -f '{{.Module.Dir}}' "$pkg")"
    rm -rf "$assets" && mkdir -p "$assets"
    for sub in manifests/base/crds config/components/crd/bases; do
      [[ -d "$moddir/$sub" ]] && { mkdir -p "$assets/crds"; cp "$moddir/$sub"/*.yaml "$assets/crds/"; rm -f "$assets/crds/kustomization.yaml"; }
    done
    chmod -R u+w "$assets"
    touch "$assets/.complete"
  fi
}

for w in "${WANTED[@]}"; do
  case "$w" in
    etcd)
      supplied etcd TEST_ASSET_ETCD && { STEP=$((STEP + 1)); continue; }
      require_pin "$HERE/etcd/go.mod" "go.etcd.io/etcd/server/v3 $ETCD_VERSION"
      build_binary etcd "$ETCD_VERSION" "$HERE/etcd" . "-s -w" "cold: ~40 s"
      ;;
    kube-apiserver)
      supplied kube-apiserver TEST_ASSET_KUBE_APISERVER && { STEP=$((STEP + 1)); continue; }
      require_pin "$HERE/k8s/go.mod" "k8s.io/kubernetes $K8S_VERSION"
      build_binary kube-apiserver "$K8S_VERSION" "$HERE/k8s" k8s.io/kubernetes/cmd/kube-apiserver "$(k8s_ldflags)" "cold: ~3 min on 2 cores"
      ;;
    kube-controller-manager)
      require_pin "$HERE/k8s/go.mod" "k8s.io/kubernetes $K8S_VERSION"
      build_binary kube-controller-manager "$K8S_VERSION" "$HERE/k8s" k8s.io/kubernetes/cmd/kube-controller-manager "$(k8s_ldflags)" "cold: ~2 min after kube-apiserver"
      ;;
    *) build_controller "$w" ;;
  esac
done
log "ok ($BIN)"
