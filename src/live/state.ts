/** Lifecycle state of a PyTorchJob (or any v1 job: every kind shares kubeflow/common's JobConditions) as the v1 operator reports it (kubeflow-api.md §5.1). */
export type PyTorchJobState = 'created' | 'running' | 'restarting' | 'suspended' | 'succeeded' | 'failed';

/** Lifecycle state of a TrainJob (kubeflow-api.md §5.2: only Suspended, Complete, Failed conditions exist). */
export type TrainJobState = 'pending' | 'running' | 'suspended' | 'complete' | 'failed';

interface Condition {
  type?: string;
  status?: string;
}

function conditionTrue(obj: any, type: string): boolean {
  const conds: Condition[] = obj?.status?.conditions ?? [];
  return conds.some((c) => c.type === type && c.status === 'True');
}

/** Reads a PyTorchJob's state from its conditions (finished wins; then suspended; then running/restarting). */
export function pytorchJobState(obj: any): PyTorchJobState {
  if (conditionTrue(obj, 'Failed')) return 'failed';
  if (conditionTrue(obj, 'Succeeded')) return 'succeeded';
  if (conditionTrue(obj, 'Suspended') || obj?.spec?.runPolicy?.suspend === true) return 'suspended';
  if (conditionTrue(obj, 'Restarting')) return 'restarting';
  if (conditionTrue(obj, 'Running')) return 'running';
  return 'created';
}

/** Reads any v1 job's state (PyTorchJob, MPIJob v1 and v2beta1, XGBoostJob, JAXJob, TFJob, PaddleJob: the same condition types). */
export const v1JobState = (obj: any): PyTorchJobState => pytorchJobState(obj);

/** Whether a PyTorchJob state is final. */
export function isFinished(state: PyTorchJobState | TrainJobState): boolean {
  return state === 'succeeded' || state === 'failed' || state === 'complete';
}

/** Whether a PyTorchJob may have pods doing work (created, running, restarting). */
export function isActive(state: PyTorchJobState): boolean {
  return state === 'created' || state === 'running' || state === 'restarting';
}

/**
 * Reads a TrainJob's state. There is no Running condition in v2, so running means not finished,
 * not suspended, and the node Job has active pods (T2713; the State column is unreliable, T3666).
 */
export function trainJobState(obj: any): TrainJobState {
  if (conditionTrue(obj, 'Failed')) return 'failed';
  if (conditionTrue(obj, 'Complete')) return 'complete';
  if (obj?.spec?.suspend === true) return 'suspended';
  const jobs: { name?: string; active?: number; ready?: number }[] = obj?.status?.jobsStatus ?? [];
  if (jobs.some((j) => (j.active ?? 0) > 0 || (j.ready ?? 0) > 0)) return 'running';
  return 'pending';
}
