// Trainer's TrainJob webhook looks the referenced runtime up in its informer cache, which lags the API
// server: a TrainJob created right after its generated TrainingRuntime can be denied with "... specified
// trainingRuntime must be created before the TrainJob is created" although the runtime exists (seen at
// Trainer v2.1 on a loaded machine). apply-v2 and migrate retry exactly that denial, briefly and only for a
// runtime they have just written; every other denial, and this one for a runtime they did not write, fails
// at once. The clock is passed in so the decision and the waits are testable without real time.
import type { Clock } from '../cluster/throttle.js';
import { KubeApiError } from '../cluster/errors.js';

/** The text of Trainer's denial (pkg/runtime/core/{training,clustertraining}runtime.go, v2.0 to v2.3). */
export const RUNTIME_NOT_SEEN_TEXT = 'must be created before the TrainJob';

/** How long the denial is retried in all (Trainer's cache catches up in well under a second when healthy). */
export const RUNTIME_RACE_BUDGET_MS = 15_000;

/** The waits between attempts: doubling from 250 ms, at most 2 s each. */
export function runtimeRaceBackoff(attempt: number): number {
  return Math.min(2000, 250 * 2 ** attempt);
}

/** Whether an error is Trainer's webhook denying a TrainJob because its runtime is not (yet) in the webhook's cache. */
export function isRuntimeNotSeenDenial(e: unknown): boolean {
  // Admission denials arrive as 400, 403 or 422 depending on how the webhook builds its answer.
  return e instanceof KubeApiError && [400, 403, 422].includes(e.statusCode) && /admission webhook "[^"]+" denied the request/.test(e.message) && e.message.includes(RUNTIME_NOT_SEEN_TEXT);
}

/**
 * The retry decision: the milliseconds to wait before attempt `attempt + 1` after `error`, or undefined to give
 * up (another error, or the budget spent: the wait never runs past `budgetMs` since the first attempt).
 */
export function runtimeRaceDelay(error: unknown, attempt: number, elapsedMs: number, budgetMs = RUNTIME_RACE_BUDGET_MS): number | undefined {
  if (!isRuntimeNotSeenDenial(error)) return undefined;
  const wait = runtimeRaceBackoff(attempt);
  if (elapsedMs + wait > budgetMs) return undefined;
  return wait;
}

/** Where the retry waits and what it says (-v=2 and up). */
export interface RuntimeRaceRetry {
  clock: Clock;
  /** A debug line per retry; undefined logs nothing. */
  log?: (line: string) => void;
  budgetMs?: number;
}

/**
 * Runs `write` (the TrainJob's create or apply) and, while Trainer's webhook denies it because the runtime
 * `runtime` just written is not in its cache yet, waits and runs it again within the budget. The last error is
 * thrown as it came when the budget is spent.
 */
export async function retryRuntimeRace<T>(write: () => Promise<T>, runtime: string, r: RuntimeRaceRetry): Promise<T> {
  const start = r.clock.now();
  for (let attempt = 0; ; attempt++) {
    try {
      return await write();
    } catch (e) {
      const wait = runtimeRaceDelay(e, attempt, r.clock.now() - start, r.budgetMs);
      if (wait === undefined) throw e;
      r.log?.(`Trainer's webhook has not seen ${runtime} yet (its cache lags the API server); retrying the TrainJob in ${wait} ms (attempt ${attempt + 2})`);
      await r.clock.sleep(wait);
    }
  }
}
