import { finding } from '../codes.js';
import { ANNOTATION_PREFIX } from '../placement.js';
import { sha256Hex } from '../content-hash.js';
import type { ConversionPlan } from '../plan.js';
import type { TargetCapabilities } from '../targets/types.js';

const KUEUE_LABELS = ['kueue.x-k8s.io/queue-name', 'kueue.x-k8s.io/priority-class'];
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
/** JobSet appends `-node-0-<index>` to the TrainJob name and the Job controller `-xxxxx`; pod names stay ≤ 63. */
const POD_NAME_MAX = 63;
const RANDOM_SUFFIX = 6; // "-abcde"

/**
 * The longest TrainJob name whose pods JobSet accepts for a number of nodes (kubeflow-api.md §2.2), and for the
 * replicated Jobs of other roles when the generated runtime has some (`<name>-evaluator-0-<index>-xxxxx`).
 */
export function maxTrainJobNameLength(numNodes: number, roleJobs: readonly { name: string; pods: number }[] = []): number {
  const room = (job: string, pods: number) => POD_NAME_MAX - `-${job}-0-`.length - String(Math.max(0, pods - 1)).length - RANDOM_SUFFIX;
  return Math.min(room('node', numNodes), ...roleJobs.map((r) => room(r.name, r.pods)));
}

/** The annotation that keeps the full name of a TrainJob whose name was shortened to fit JobSet's limit. */
export const ORIGINAL_NAME_ANNOTATION = `${ANNOTATION_PREFIX}original-name`;
/** Hex digits of the hash that ends a shortened name. */
const NAME_HASH_LENGTH = 6;

/**
 * The name a too-long TrainJob name is shortened to: its first characters, '-', and the first 6 hex digits
 * of the SHA-256 of the full name, `max` characters in all. Deterministic (the same job gets the same name on
 * every run) and distinct for names that share their first characters.
 */
export function shortenedName(name: string, max: number): string {
  const head = name.slice(0, max - 1 - NAME_HASH_LENGTH).replace(/-+$/, '');
  return `${head}-${sha256Hex(name).slice(0, NAME_HASH_LENGTH)}`;
}

function tooLongMessage(plan: ConversionPlan, name: string, max: number): string {
  return `"${name}" has ${name.length} characters; with ${plan.numNodes} node(s) JobSet rejects names over ${max} because pod names (<name>-node-0-<index>-xxxxx) would exceed 63 characters, so a TrainJob under this name would be accepted and then never start. With --force it is named "${shortenedName(name, max)}" (the first characters and a hash of the full name), and the full name is kept in the annotation ${ORIGINAL_NAME_ANNOTATION}.`;
}

/**
 * A name JobSet would reject is never emitted as is: with --force the TrainJob gets the shortened name
 * (shortenedName; the full name in ORIGINAL_NAME_ANNOTATION) and the error is reported as forced; without,
 * the error refuses the job. Call once the node count is final and before anything derives from the name
 * (the compatibility env's MASTER_ADDR). Idempotent.
 */
export function fitNameToJobSet(plan: ConversionPlan, force: boolean): void {
  const name = plan.name;
  if (name === undefined || !DNS1035.test(name) || name.length > 63) return;
  const max = maxTrainJobNameLength(plan.numNodes, plan.roleJobs);
  if (name.length <= max || !force) return;
  plan.findings.push(finding('KTJ-NAME-001', 'metadata.name', tooLongMessage(plan, name, max), `Shorten the name to ${max} characters or fewer (or drop --suffix) to keep a name of your own.`));
  plan.annotations[ORIGINAL_NAME_ANNOTATION] = name;
  plan.name = shortenedName(name, max);
}

/** Checks the TrainJob name against the TrainJob CRD (RFC 1035, ≤ 63) and JobSet's pod-name limit. */
export function checkName(plan: ConversionPlan): void {
  const name = plan.name;
  if (name === undefined) {
    if (plan.generateName !== undefined) {
      plan.findings.push(finding('KTJ-NAME-003', 'metadata.generateName', `Only generateName "${plan.generateName}" is set; the final name and its length cannot be checked.`, 'Keep the prefix short (JobSet limits the TrainJob name to about 48 characters).'));
    }
    return;
  }
  if (!DNS1035.test(name) || name.length > 63) {
    plan.findings.push(
      finding('KTJ-NAME-002', 'metadata.name', `"${name}" is not a valid TrainJob name: it must be at most 63 lower-case letters, digits and '-', start with a letter and end with a letter or digit.`, 'Rename the job (or choose another --suffix).'),
    );
    return;
  }
  const max = maxTrainJobNameLength(plan.numNodes, plan.roleJobs);
  if (name.length > max) {
    plan.findings.push(
      finding(
        'KTJ-NAME-001',
        'metadata.name',
        tooLongMessage(plan, name, max),
        `Shorten the name to ${max} characters or fewer (or drop --suffix), or pass --force to use the shortened name.`,
      ),
    );
  }
}

/** Reports the Kueue labels carried on the TrainJob, and version pairs Kueue cannot admit. */
export function checkKueue(plan: ConversionPlan, caps: TargetCapabilities): void {
  const present = KUEUE_LABELS.filter((l) => plan.labels[l] !== undefined);
  if (!present.length) return;
  plan.findings.push(
    finding('KTJ-KUEUE-001', `metadata.labels["${present[0]}"]`, `Kueue label(s) ${present.map((l) => `${l}=${plan.labels[l]}`).join(', ')} are carried on the TrainJob; Kueue suspends it until admitted.`, 'Enable the trainer.kubeflow.org/trainjob framework in the Kueue configuration.'),
  );
  if (!caps.kueueAdmits) {
    plan.findings.push(
      finding(
        'KTJ-KUEUE-002',
        `metadata.labels["${present[0]}"]`,
        'Kueue 0.17+ only manages TrainJobs of Trainer v2.2+ (kubernetes-sigs/kueue#14722): a queued TrainJob of this version would stay suspended.',
        'Target Trainer v2.2+ (--target-version), or check that your Kueue release supports this Trainer version.',
      ),
    );
  }
}
