#!/usr/bin/env bash
# Builds the release and packaging tools from the Go module proxy into bin/tools/ (git-ignored):
#   kubectl-krew            krew v0.4.3 (sigs.k8s.io/krew), the real plugin manager the install tests drive
#   validate-krew-manifest  krew v0.4.3's manifest validator, the check the krew-index CI runs
#   quill                   quill v0.5.1 (github.com/anchore/quill), signs the macOS executables ad hoc
# and checks that the Debian tools the release and its tests run are present (installs them with
# apt-get when it runs as root; see install_debs below).
#
# Idempotent and cached like test/controlplane/build.sh: each binary has a stamp named after its
# version and the Go version, so a warm machine returns at once. KTJ_TOOLS_DIR overrides the output
# directory. tools/<name>/go.mod pins each tool (a `tool` directive, the versions in go.sum).
#   tools/build.sh            Go tools and Debian tools
#   tools/build.sh go         Go tools only (what scripts/release.sh needs besides Debian's llvm-strip,
#                             osslsigncode and zip)
# See docs/packaging.md ("Release tools") for measured build times.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${KTJ_TOOLS_DIR:-$ROOT/bin/tools}"
KREW_VERSION="v0.4.3"
QUILL_VERSION="v0.5.1"

# GOTOOLCHAIN=local: fail loudly instead of downloading a newer toolchain if a dependency asks for one.
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOFLAGS=-mod=readonly

log() { echo >&2 "tools/build.sh: $*"; }

require_pin() {
  local gomod="$1" pin="$2"
  grep -q "$pin" "$gomod" || { log "$gomod does not pin '$pin'; update tools/build.sh and go.mod together"; exit 1; }
}

# build NAME OUTPUT PACKAGE VERSION PIN [LDFLAGS]
build() {
  local dir="$ROOT/tools/$1" out="$2" pkg="$3" version="$4" pin="$5" ld="${6:-}"
  local stamp="$OUT/.stamp-$out-$version-$GO_VERSION"
  [[ -x "$OUT/$out" && -f "$stamp" ]] && return 0
  require_pin "$dir/go.mod" "$pin"
  log "building $out $version with $GO_VERSION"
  rm -f "$OUT"/.stamp-"$out"-*
  (cd "$dir" && go build -trimpath -buildvcs=false -ldflags "-s -w $ld" -o "$OUT/$out" "$pkg")
  touch "$stamp"
}

build_go_tools() {
  command -v go >/dev/null || { log "go not found: the release tools are built from the Go module proxy"; exit 1; }
  GO_VERSION="$(go env GOVERSION)"
  mkdir -p "$OUT"
  # krew is named kubectl-krew so that `kubectl krew ...` finds it on PATH, as a krew install does.
  # Its version is stamped (krew version says "unknown" otherwise), deliberately NOT as semver:
  # krew asks GitHub for a newer release on 40% of the runs of a semver-tagged build, even where
  # KREW_NO_UPGRADE_CHECK cannot reach (validate-krew-manifest runs krew with a bare environment),
  # and the tests stay off the network.
  build krew kubectl-krew sigs.k8s.io/krew/cmd/krew "$KREW_VERSION" "sigs.k8s.io/krew $KREW_VERSION" \
    "-X sigs.k8s.io/krew/internal/version.gitTag=${KREW_VERSION}_go-module-proxy"
  build krew validate-krew-manifest sigs.k8s.io/krew/cmd/validate-krew-manifest "$KREW_VERSION" "sigs.k8s.io/krew $KREW_VERSION"
  build quill quill github.com/anchore/quill/cmd/quill "$QUILL_VERSION" "github.com/anchore/quill $QUILL_VERSION" \
    "-X main.version=$QUILL_VERSION"
}

# Debian packages: command -> package. qemu-user and the arm64 runtime libraries run the linux/arm64
# executable on this amd64 machine; llvm-strip strips an ELF of any architecture; osslsigncode removes
# the Authenticode signature that postject would otherwise leave broken; zip writes the Windows archive.
DEBS=(
  "qemu-aarch64:qemu-user"
  "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1:libc6-arm64-cross"
  "/usr/aarch64-linux-gnu/lib/libstdc++.so.6:libstdc++6-arm64-cross"
  "/usr/aarch64-linux-gnu/lib/libgcc_s.so.1:libgcc-s1-arm64-cross"
  "llvm-strip:llvm"
  "osslsigncode:osslsigncode"
  "zip:zip"
  "unzip:unzip"
)

install_debs() {
  local missing=() entry what pkg
  for entry in "${DEBS[@]}"; do
    what="${entry%%:*}" pkg="${entry#*:}"
    if [[ "$what" == /* ]]; then [[ -e "$what" ]] && continue; else command -v "$what" >/dev/null && continue; fi
    missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
    log "missing Debian packages: ${missing[*]}"
    log "install them with: sudo apt-get install --no-install-recommends ${missing[*]}"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  # A fresh machine may have no package lists yet; update once, quietly, only when needed.
  if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

case "${1:-all}" in
  go) build_go_tools ;;
  debs) install_debs ;;
  all) install_debs; build_go_tools ;;
  *) echo "usage: tools/build.sh [all|go|debs]" >&2; exit 2 ;;
esac
log "ok ($OUT)"
