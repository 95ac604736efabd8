#!/usr/bin/env bash
# The whole test suite, as the README's quick start and CI run it:
#   typecheck → code-boundary and generated-file checks → build the executable (smoke tests run it)
#   → release tools (krew, quill from the Go module proxy; qemu-user and friends from Debian)
#   → the executables of the other four platforms (test/release/ installs and inspects them)
#   → build/reuse the test control plane and the real controllers (kube-apiserver, etcd,
#     kube-controller-manager, Training Operator v1, JobSet, Trainer v2.1/v2.3 from the Go module proxy)
#   → every Jest project (unit, golden, verbs, smoke, release, integration against the real API server,
#     pod parity against the real controllers).
# Ends with the plain line "N passed, N failed" that CI reads. Run through npm so the pinned
# Node 24 (node_modules/.bin) is first on PATH.
set -uo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*" >&2; }
fail_early() { echo "$1" >&2; echo "0 passed, 1 failed"; exit 1; }

step "typecheck"
npx tsc -p . || fail_early "typecheck failed"
step "boundaries and generated files"
node scripts/check-boundaries.mjs || fail_early "code boundary check failed"
node scripts/gen-schemas.mjs --check || fail_early "embedded schemas are stale"
node scripts/gen-stock-runtimes.mjs --check || fail_early "embedded runtimes are stale"
node scripts/gen-findings-doc.mjs --check || fail_early "docs/findings.md is stale"
step "build dist/kubectl-trainjob"
node scripts/build.mjs || fail_early "build failed"
step "release tools (krew, quill; qemu-user, llvm-strip, osslsigncode)"
bash tools/build.sh || fail_early "building or installing the release tools failed (see above)"
step "executables for every platform"
node scripts/build-platforms.mjs || fail_early "building the platform executables failed (see above)"
step "test control plane and controller binaries (cold: ~25 min on 2 cores, warm: <1 s; progress below)"
bash test/controlplane/build.sh || fail_early "building the control plane or a controller failed (see above)"

step "jest"
result=.jest-result.json
rm -f "$result"
NODE_OPTIONS=--experimental-vm-modules npx jest --ci --json --outputFile="$result" "$@"
rc=$?
if [ ! -s "$result" ]; then fail_early "jest wrote no result file (exit $rc)"; fi
node -e '
const r = require(process.argv[1]);
const failedSuites = r.testResults.filter((s) => s.status === "failed" && s.assertionResults.length === 0).length;
console.log(`${r.numPassedTests} passed, ${r.numFailedTests + failedSuites} failed`);
' "$PWD/$result"
exit $rc
