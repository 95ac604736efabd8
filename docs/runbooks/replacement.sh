#!/usr/bin/env bash
# Runbook: REPLACE Training Operator v1 in one namespace: back up everything, cut every PyTorchJob over
# to a TrainJob (waiting for running ones to finish), delete the PyTorchJobs, then check v1 can go.
#
#   NS=team-a BACKUP_DIR=./backups/team-a docs/runbooks/replacement.sh forward
#   NS=team-a BACKUP_DIR=./backups/team-a docs/runbooks/replacement.sh rollback
#
# Environment: NS, BACKUP_DIR (keep it: it is the only copy of the deleted PyTorchJobs besides the
# TrainJobs' v1-manifest annotations), KUBECONFIG, KTJ (default "kubectl trainjob"),
# WAIT_TIMEOUT (how long migrate waits for a running job; default 2h).
set -euo pipefail
: "${NS:?set NS to the namespace to migrate}"
: "${BACKUP_DIR:?set BACKUP_DIR to a directory to keep the backup in}"
KTJ=${KTJ:-kubectl trainjob}
WAIT_TIMEOUT=${WAIT_TIMEOUT:-2h}
. "$(dirname "$0")/lib.sh"

forward() {
  # 1. Readiness: 0 ready, 3 advisory, 4 blocking (the runbook stops).
  step readiness "0 3" $KTJ readiness -n "$NS"

  # 2. Backup first, into a directory you keep.
  step backup "0" $KTJ backup -n "$NS" --backup-dir "$BACKUP_DIR"

  # 3. Preview (0 no change, 1 differences: new TrainJobs; 4 would mean a refused job: stop).
  step preview "0 1" $KTJ preview -n "$NS" -o diff

  # 4. Migrate with replacement: waits for running PyTorchJobs, creates each TrainJob, and deletes the
  #    PyTorchJob only after the API server accepted the TrainJob. 0 all done; 4 a job refused or skipped.
  step migrate "0" $KTJ migrate -n "$NS" --all --strategy replace --wait --timeout "$WAIT_TIMEOUT" --backup-dir "$BACKUP_DIR" --yes

  # 5. Compare each TrainJob with its (now deleted) PyTorchJob, described from the backup copy.
  for tj in $(kubectl get trainjobs -n "$NS" -o jsonpath='{.items[*].metadata.name}'); do
    step compare "0 3" $KTJ compare -n "$NS" "$tj"
  done

  # 6. Cleanup: 0 v1 can be removed from this namespace; 4 blocked (unmigrated or running v1 jobs, or
  #    other v1 kinds such as TFJob). (3, "only migrated PyTorchJobs remain", cannot follow a replacement
  #    migrate, which deletes each PyTorchJob it migrated; the side-by-side runbook handles it.)
  step cleanup "0 4" $KTJ cleanup -n "$NS" --backup-dir "$BACKUP_DIR"
  if [ "$RC" = 0 ]; then echo "runbook: $NS no longer uses kubeflow.org/v1; when every namespace says so ($KTJ cleanup -A exits 0), Training Operator v1 can be removed." >&2; fi
  if [ "$RC" = 4 ]; then echo "runbook: something in $NS still needs Training Operator v1; see the report above." >&2; fi
}

rollback() {
  # Recreate the PyTorchJobs from the backup and remove the TrainJobs (Training Operator v1 must still
  # be installed and running: rollback checks and refuses with exit 4 before changing anything).
  step rollback "0" $KTJ rollback -n "$NS" --all --backup-dir "$BACKUP_DIR" --yes
  step cleanup-after-rollback "4" $KTJ cleanup -n "$NS" --backup-dir "$BACKUP_DIR"
}

case "${1:-forward}" in
  forward) forward ;;
  rollback) rollback ;;
  *) echo "usage: $0 [forward|rollback]" >&2; exit 2 ;;
esac
