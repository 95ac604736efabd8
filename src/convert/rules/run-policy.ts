import { finding } from '../codes.js';
import { isObject, joinPath } from '../model.js';
import type { ConversionPlan } from '../plan.js';
import type { SourceJob } from '../source.js';
import type { TargetCapabilities } from '../targets/types.js';

const MANAGED_BY_V1 = 'kubeflow.org/training-operator';
const MANAGED_BY_MULTIKUEUE = 'kueue.x-k8s.io/multikueue';
/** The Volcano annotation the Trainer volcano plugin reads from the JobSet template. */
export const VOLCANO_QUEUE_ANNOTATION = 'scheduling.volcano.sh/queue-name';

/**
 * Maps spec.runPolicy (kubeflow-api.md §7): suspend and managedBy map, activeDeadlineSeconds maps
 * on v2.2+ (else onto the child Job), backoffLimit goes onto the child Job, and the rest
 * (cleanPodPolicy, TTL, gang scheduling) has no v2 home and is kept for rollback.
 */
export function mapRunPolicy(job: SourceJob, plan: ConversionPlan, caps: TargetCapabilities, restartPolicy: string): void {
  const rp = job.runPolicy;
  const f = plan.findings;
  const keep: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(rp)) {
    const path = joinPath('spec.runPolicy', key);
    if (value === undefined || value === null) continue;
    switch (key) {
      case 'suspend':
        if (value === true) plan.suspend = true;
        break;
      case 'managedBy':
        if (value === MANAGED_BY_V1) {
          f.push(finding('KTJ-RUN-006', path, `managedBy ${MANAGED_BY_V1} becomes the Trainer default (trainer.kubeflow.org/trainjob-controller).`));
        } else if (value === MANAGED_BY_MULTIKUEUE) {
          plan.managedBy = MANAGED_BY_MULTIKUEUE;
          f.push(finding('KTJ-RUN-006', path, `managedBy ${MANAGED_BY_MULTIKUEUE} is kept: MultiKueue dispatches TrainJobs too.`, 'Make sure the worker clusters run Trainer v2.'));
        } else {
          f.push(finding('KTJ-RUN-007', path, `managedBy ${JSON.stringify(value)} has no TrainJob equivalent (TrainJob accepts trainer.kubeflow.org/trainjob-controller or ${MANAGED_BY_MULTIKUEUE}).`, 'Remove it, or ask the external controller whether it manages TrainJobs.'));
          keep.managedBy = value;
        }
        break;
      case 'cleanPodPolicy':
        if (value !== 'None') {
          f.push(
            finding(
              'KTJ-RUN-001',
              path,
              `cleanPodPolicy ${JSON.stringify(value)} has no Trainer v2 equivalent: pods of a finished TrainJob are kept until the TrainJob is deleted.`,
              'Delete finished TrainJobs (or their JobSets) yourself; the value is kept in an annotation for rollback.',
            ),
          );
          keep.cleanPodPolicy = value;
        }
        break;
      case 'ttlSecondsAfterFinished':
        f.push(
          finding(
            'KTJ-RUN-002',
            path,
            `ttlSecondsAfterFinished ${String(value)} has no TrainJob equivalent (kubeflow/trainer#4052): finished TrainJobs are not deleted automatically.`,
            'Clean up finished TrainJobs with a CronJob or by hand; the value is kept in an annotation for rollback.',
          ),
        );
        keep.ttlSecondsAfterFinished = value;
        break;
      case 'activeDeadlineSeconds':
        if (caps.activeDeadlineSeconds) {
          plan.activeDeadlineSeconds = Number(value);
          f.push(finding('KTJ-RUN-003', path, `activeDeadlineSeconds ${String(value)} becomes spec.activeDeadlineSeconds (note: it restarts when a suspended TrainJob resumes).`));
        } else {
          plan.jobSpec.activeDeadlineSeconds = Number(value);
          plan.runtimeReasons.push('activeDeadlineSeconds');
          f.push(
            finding(
              'KTJ-RUN-008',
              path,
              `activeDeadlineSeconds ${String(value)} is set on the child Job in the generated TrainingRuntime; this Trainer version has no spec.activeDeadlineSeconds.`,
              'The deadline then counts per Job attempt rather than for the whole job.',
            ),
          );
        }
        break;
      case 'backoffLimit':
        plan.jobSpec.backoffLimit = Number(value);
        plan.runtimeReasons.push('backoffLimit');
        f.push(
          finding(
            'KTJ-RUN-004',
            path,
            `backoffLimit ${String(value)} is set on the child Job in the generated TrainingRuntime; v1 counted container restarts across all replicas, a Job counts failed pod attempts.`,
          ),
        );
        break;
      case 'schedulingPolicy':
        mapSchedulingPolicy(value, path, plan, caps, keep);
        break;
      default:
        // Unknown runPolicy keys are reported by the schema check of the input.
        break;
    }
  }
  if (rp.backoffLimit === undefined || rp.backoffLimit === null) {
    if (restartPolicy === 'Never') {
      // v1 failed the job at the first failed pod with restartPolicy Never; a Job would retry 6 times.
      plan.jobSpec.backoffLimit = 0;
    } else {
      f.push(
        finding(
          'KTJ-RUN-005',
          'spec.runPolicy.backoffLimit',
          'No backoffLimit: v1 restarted failed pods without limit; the Trainer v2 Job fails the TrainJob after 6 retries (the Job default).',
          'Set runPolicy.backoffLimit before converting if the job must retry more often.',
        ),
      );
    }
  }
  if (Object.keys(keep).length) plan.v1Settings.runPolicy = keep;
}

function mapSchedulingPolicy(sp: unknown, path: string, plan: ConversionPlan, caps: TargetCapabilities, keep: Record<string, unknown>): void {
  if (!isObject(sp)) return;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(sp)) {
    const p = joinPath(path, key);
    if (value === undefined || value === null) continue;
    if (key === 'queue') {
      if (caps.volcano) {
        plan.podGroupPolicy = { volcano: {} };
        plan.jobSetAnnotations[VOLCANO_QUEUE_ANNOTATION] = String(value);
        plan.runtimeReasons.push('Volcano queue');
        plan.findings.push(
          finding(
            'KTJ-SCHED-002',
            p,
            `Volcano queue ${JSON.stringify(value)} is carried by the generated TrainingRuntime (podGroupPolicy.volcano plus the ${VOLCANO_QUEUE_ANNOTATION} annotation).`,
            'This requires Volcano; if the v1 operator did not run with --gang-scheduler-name=volcano, remove podGroupPolicy from the generated runtime.',
          ),
        );
      } else {
        plan.findings.push(finding('KTJ-SCHED-004', p, `Volcano queue ${JSON.stringify(value)} cannot be expressed: this Trainer version has no podGroupPolicy.volcano.`, 'Upgrade Trainer to v2.1+ or drop the queue.'));
        kept.queue = value;
      }
    } else if (key === 'priorityClass') {
      if (plan.podSpec.priorityClassName === undefined) plan.podSpec.priorityClassName = value;
      plan.findings.push(finding('KTJ-SCHED-003', p, `priorityClass ${JSON.stringify(value)} becomes the pods' priorityClassName (generated TrainingRuntime).`, 'With Kueue, prefer the kueue.x-k8s.io/priority-class label.'));
    } else {
      plan.findings.push(
        finding(
          'KTJ-SCHED-001',
          p,
          `schedulingPolicy.${key} configured the v1 operator's PodGroup and has no TrainJob equivalent (Trainer's PodGroup requires all pods).`,
          'The value is kept in an annotation for rollback.',
        ),
      );
      kept[key] = value;
    }
  }
  if (Object.keys(kept).length) keep.schedulingPolicy = kept;
}
