// The pod-parity suite for one Trainer version (one test file per version, so Jest's two workers
// run the versions side by side, each on its own controller cluster).
import { afterAll, describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { ControllerCluster, type ControllerTrainerVersion } from '../../controlplane/controllers.js';
import { applyKnownGaps, describeUnallowed, loadAllowList } from '../../controlplane/pod-parity.js';
import { PARITY_KINDS, trainerServes } from '../../controlplane/parity-kinds.js';
import { CASES_DIR, goldenCases, notComparedBecause, RENDEZVOUS_ENV, runParityCase, type CaseResult } from './run-case.js';

const CASE_TIMEOUT_MS = 10 * 60_000; // includes waiting for the shared cluster to start on a busy machine

/** Defines the parity tests of every golden case at `version`. */
export function paritySuite(version: ControllerTrainerVersion): void {
  const allow = loadAllowList();
  let cluster: Promise<ControllerCluster> | undefined;
  const startCluster = (): Promise<ControllerCluster> => {
    // Started by the first test that needs it (concurrent tests may start before beforeAll finishes).
    cluster ??= ControllerCluster.start({
      trainer: version, trainingOperator: Object.values(PARITY_KINDS).map((k) => k.scheme), kubeControllerManager: true, runtimes: 'all', label: `parity-${version}`,
    });
    return cluster;
  };
  const results = new Map<string, Promise<CaseResult>>();
  const resultOf = (name: string): Promise<CaseResult> => {
    let r = results.get(name);
    if (!r) {
      r = startCluster().then((c) => runParityCase(c, name, version, allow));
      results.set(name, r);
    }
    return r;
  };

  afterAll(async () => {
    if (!cluster) return;
    const c = await cluster.catch(() => undefined);
    await c?.stop();
  }, 120_000);

  // Cases decided not to compare at this version are skipped tests whose name says why.
  const plan = goldenCases().map((name) => ({ name, skip: notComparedBecause(name, version) }));

  describe(`pod parity, Training Operator v1.9.2 vs Trainer ${version}`, () => {
    for (const { name, skip } of plan.filter((c) => c.skip)) it.skip(`${name}: not compared: ${skip}`, () => {});

    it.concurrent.each(plan.filter((c) => !c.skip).map((c) => c.name))('%s', async (name) => {
      const r = await resultOf(name);
      if (process.env.KTJ_PARITY_DUMP) writeFileSync(`${process.env.KTJ_PARITY_DUMP}/${name}-${version}.json`, JSON.stringify(r, null, 1));
      const golden = path.join(CASES_DIR, name, version, 'trainjob.yaml');
      const goldenHasJob = existsSync(golden) && /^kind: TrainJob$/m.test(readFileSync(golden, 'utf8'));
      if (r.skipped) {
        // Only a case without output (a refusal even with --force, unreadable input), or a job
        // embedded in a template with placeholders (Katib), has nothing to compare.
        expect({ skipped: r.skipped, goldenHasJob: goldenHasJob && !/embedded in a template/.test(r.skipped) }).toEqual({ skipped: r.skipped, goldenHasJob: false });
        return;
      }
      const label = `${name}${r.forced ? ' (forced refusal)' : ''} @ ${version}`;
      const problems = r.pairs.flatMap((p) => p.problems.map((x) => `${label} ${p.v1Name}: ${x}`));
      const unallowed = r.pairs.flatMap((p) => p.pods.flatMap((pod) => describeUnallowed(`${label} ${p.v1Name} ${pod.pair}`, pod.diffs)));
      // Known converter gaps (allow-list `knownGaps`) must still show exactly: a fix is noticed, a new gap fails.
      const gaps = applyKnownGaps(name, version, [...problems, ...unallowed], allow.expectedFailures);
      expect({ unexpected: gaps.unexplained, expectedFailuresNoLongerSeen: gaps.stale.map((g) => g.difference) })
        .toEqual({ unexpected: [], expectedFailuresNoLongerSeen: [] });
      expect(r.pairs.length).toBeGreaterThan(0);
    }, CASE_TIMEOUT_MS);

    it('a plain-python job sees the re-injected rendezvous variables with the values v1 had', async () => {
      const r = await resultOf('map-e1-python-entrypoint');
      const pods = r.pairs.flatMap((p) => p.pods);
      expect(pods.length).toBe(3);
      for (const pod of pods) {
        for (const name of ['MASTER_ADDR', 'MASTER_PORT', 'RANK', 'WORLD_SIZE'] as const) {
          expect({ pair: pod.pair, name, value: pod.env.v2[name] }).toEqual({ pair: pod.pair, name, value: pod.env.v1[name] });
          expect(pod.env.v2[name]).toBeDefined();
        }
      }
      // node 2 is Worker 1: rank 2 of 3, rendezvous at node 0 on Trainer's port.
      const w1 = pods.find((p) => p.pair === 'worker-1 <-> node 2')!;
      expect(w1.env.v2).toMatchObject({ RANK: '2', WORLD_SIZE: '3', MASTER_PORT: '29500' });
      expect(w1.env.v2.MASTER_ADDR).toMatch(/^[a-z0-9-]+-node-0-0\.[a-z0-9-]+$/);
    }, CASE_TIMEOUT_MS);

    it('a torchrun job gets every PET_* variable torchrun reads, equal to v1 where v1 set it', async () => {
      const r = await resultOf('map-torchrun-entrypoint');
      const pods = r.pairs.flatMap((p) => p.pods);
      expect(pods.length).toBeGreaterThan(1);
      for (const pod of pods) {
        for (const name of RENDEZVOUS_ENV.filter((n) => n.startsWith('PET_'))) {
          expect({ pair: pod.pair, name, defined: pod.env.v2[name] !== undefined }).toEqual({ pair: pod.pair, name, defined: true });
          if (pod.env.v1[name] !== undefined) expect({ pair: pod.pair, name, value: pod.env.v2[name] }).toEqual({ pair: pod.pair, name, value: pod.env.v1[name] });
        }
      }
    }, CASE_TIMEOUT_MS);

    // Every kind after PyTorchJob: its first parity case's pods see what v1 injected (the env shim), with v1's values.
    const kindCases = Object.entries(PARITY_KINDS).filter(([, k]) => k.cases?.length && trainerServes(k, version)).map(([kind, k]) => [kind, k.cases![0]!] as const);
    if (kindCases.length) {
      it.concurrent.each(kindCases)('%s: every pod of %s sees the variables v1 injected, with the values v1 had', async (_kind, name) => {
        const r = await resultOf(name);
        const pods = r.pairs.flatMap((p) => p.pods.map((pod) => ({ pod, names: p.contractEnv })));
        expect(pods.length).toBeGreaterThan(0);
        for (const { pod, names } of pods) {
          for (const n of names) expect({ pair: pod.pair, name: n, value: pod.env.v2[n] }).toEqual({ pair: pod.pair, name: n, value: pod.env.v1[n] });
        }
        // ...and each of them is really there (on the pods v1 gave it to: MPI sets NVIDIA_* on the launcher only).
        for (const n of pods[0]?.names ?? []) expect({ name: n, seenOnV1: pods.some(({ pod }) => pod.env.v1[n] !== undefined) }).toEqual({ name: n, seenOnV1: true });
      }, CASE_TIMEOUT_MS);
    }

    it('a Kueue-labelled job stays suspended (TrainJob, JobSet, no pods) until admitted, then matches', async () => {
      const r = await resultOf('map-kueue-labels');
      expect(r.pairs.map((p) => ({ kueue: p.kueue, problems: p.problems }))).toEqual([{ kueue: true, problems: [] }]);
      expect(r.pairs[0]!.pods.length).toBe(2);
    }, CASE_TIMEOUT_MS);

    it('a job with a generated TrainingRuntime reaches the same pods', async () => {
      const r = await resultOf('map-sidecar-container');
      expect(r.findings).toContain('KTJ-RT-001');
      expect(r.pairs.flatMap((p) => p.problems)).toEqual([]);
      expect(r.pairs.flatMap((p) => p.pods).length).toBeGreaterThan(1);
    }, CASE_TIMEOUT_MS);
  });
}
