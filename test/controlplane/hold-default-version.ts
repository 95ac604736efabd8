// Jest setup for the integration project (setupFilesAfterEnv): every test file holds a shared lease
// on the default Trainer version (v2.3) while it runs, so a concurrent file that switches the
// cluster-scoped Trainer CRDs to another version waits for it instead of changing them mid-test.
// withTrainerVersion() gives the lease up while the other version is needed.
import { afterAll, beforeAll } from '@jest/globals';
import { holdDefaultTrainerVersion, releaseDefaultTrainerVersion } from './harness.js';

beforeAll(async () => {
  if (process.env.KTJ_TEST_KUBECONFIG) await holdDefaultTrainerVersion();
}, 5 * 60_000);

afterAll(async () => {
  await releaseDefaultTrainerVersion();
});
