# Shared by the runbooks: one helper that runs a documented step and stops on an undocumented exit code.
# Sourced, not run. Every step prints "==> NAME: COMMAND" before and "<== NAME: exit N" after (stderr),
# which is what test/integration/runbooks/ checks against the exit codes written next to each step.

# step NAME "ALLOWED EXIT CODES" COMMAND [ARGS...]
# Runs COMMAND; its exit code is left in $RC. An exit code not in ALLOWED stops the runbook (exit 1).
step() {
  local name=$1 allowed=$2
  shift 2
  echo "==> ${name}: $*" >&2
  set +e
  "$@"
  RC=$?
  set -e
  echo "<== ${name}: exit ${RC}" >&2
  case " ${allowed} " in
    *" ${RC} "*) return 0 ;;
  esac
  echo "runbook: step ${name} exited ${RC}, which this runbook does not expect (${allowed}); stopping here." >&2
  exit 1
}
