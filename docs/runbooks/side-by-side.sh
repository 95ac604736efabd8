#!/usr/bin/env bash
# Runbook: migrate the PyTorchJobs of one namespace to TrainJobs SIDE BY SIDE.
# Trainer v2 runs next to Training Operator v1; TrainJobs are created suspended next to the
# PyTorchJobs; you resume them when you are ready; v1 stays until cleanup says it can go.
#
#   NS=team-a BACKUP_DIR=./backups/team-a docs/runbooks/side-by-side.sh forward
#   NS=team-a BACKUP_DIR=./backups/team-a docs/runbooks/side-by-side.sh rollback
#
# Environment: NS (namespace), BACKUP_DIR (keep it: rollback reads it), KUBECONFIG (as for kubectl),
# KTJ (the plugin; default "kubectl trainjob", or a path such as ./dist/kubectl-trainjob).
# Exit codes of every step are documented next to it; docs/runbooks/side-by-side.md explains them.
set -euo pipefail
: "${NS:?set NS to the namespace to migrate}"
: "${BACKUP_DIR:?set BACKUP_DIR to a directory to keep the backup in}"
KTJ=${KTJ:-kubectl trainjob}
. "$(dirname "$0")/lib.sh"

forward() {
  # 1. Readiness: 0 ready, 3 advisory (read the warnings), 4 blocking (fix first; the runbook stops).
  step readiness "0 3" $KTJ readiness -n "$NS"

  # 2. Backup every PyTorchJob of the namespace (idempotent; migrate backs up again before it writes).
  step backup "0" $KTJ backup -n "$NS" --backup-dir "$BACKUP_DIR"

  # 3. Preview: the TrainJobs that would be created, judged by a server-side dry-run.
  #    0 nothing would change, 1 differences (new TrainJobs: expected the first time), 4 a job refused.
  step preview "0 1" $KTJ preview -n "$NS" -o diff

  # 4. Migrate side by side: suspended TrainJobs next to the PyTorchJobs, v1 untouched.
  step migrate "0" $KTJ migrate -n "$NS" --all --strategy side-by-side --backup-dir "$BACKUP_DIR" --yes

  # 5. Compare each pair: 0 they agree so far, 3 differences (outcome, nodes, resources): read them,
  #    and roll back if the TrainJob is not what you want.
  for job in $(kubectl get pytorchjobs -n "$NS" -o jsonpath='{.items[*].metadata.name}'); do
    step compare "0 3" $KTJ compare -n "$NS" "$job"
  done

  # 6. Resume the TrainJobs when you want them to run (one at a time is fine).
  for tj in $(kubectl get trainjobs -n "$NS" -o jsonpath='{.items[*].metadata.name}'); do
    step resume "0" kubectl patch trainjob -n "$NS" "$tj" --type merge -p '{"spec":{"suspend":false}}'
  done

  # 7. Cleanup: 0 nothing uses kubeflow.org/v1 here, 3 only migrated finished jobs remain,
  #    4 v1 is still needed (jobs not migrated, still running in v1, or other v1 kinds).
  step cleanup "0 3 4" $KTJ cleanup -n "$NS" --backup-dir "$BACKUP_DIR"
  if [ "$RC" = 3 ]; then
    # Only migrated, finished, backed-up PyTorchJobs are left: delete them (running ones never are).
    step delete-migrated "0 3 4" $KTJ cleanup -n "$NS" --backup-dir "$BACKUP_DIR" --delete-migrated --yes
  fi
  if [ "$RC" = 0 ]; then echo "runbook: nothing in $NS uses kubeflow.org/v1 any more (check the cluster with: $KTJ cleanup -A)." >&2; fi
  if [ "$RC" = 4 ]; then echo "runbook: Training Operator v1 is still needed in $NS; run this runbook again later." >&2; fi
}

rollback() {
  # The way back: recreate every migrated PyTorchJob from the backup, delete the TrainJobs and their
  # generated runtimes. 0 done (or nothing to do), 4 refused before any change (v1 cannot accept
  # the jobs: restore Training Operator v1 first), 1 a job failed (read the report, run again).
  step rollback "0" $KTJ rollback -n "$NS" --all --backup-dir "$BACKUP_DIR" --yes

  # After a rollback the PyTorchJobs are v1 jobs again: cleanup must say v1 is needed (4).
  step cleanup-after-rollback "4" $KTJ cleanup -n "$NS" --backup-dir "$BACKUP_DIR"
}

case "${1:-forward}" in
  forward) forward ;;
  rollback) rollback ;;
  *) echo "usage: $0 [forward|rollback]" >&2; exit 2 ;;
esac
