// migrate over every v1 kind against the real API server: each kind the converter reads migrates side by side
// (TrainJob created with the kind in its provenance, the v1 job backed up in its own file and kept); a named job
// of a kind it does not read yet is reported on its own row, nothing written; the same name in two kinds never
// claims one TrainJob twice.
import { describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import { V1_JOB_KINDS } from '../../../src/live/kinds.js';
import { CONVERTIBLE_KINDS } from '../../../src/live/convertible.js';
import { readBackupIndex } from '../../../src/migration/backup-store.js';
import { testNamespace } from '../../controlplane/harness.js';
import { aV1Job, create } from '../compare/fixtures.js';
import { ktj, listObjects, tempDir, tjPath } from './helpers.js';

const convertible = new Set(CONVERTIBLE_KINDS.map((k) => k.kind));

describe('migrate every v1 kind', () => {
  it('convertible kinds migrate side by side; others are reported, nothing written', async () => {
    const ns = await testNamespace('mig-kinds');
    const dir = tempDir('ktj-mig-kinds-');
    try {
      for (const k of V1_JOB_KINDS) await create(aV1Job(k.kind, `job-${k.singular}`, ns));
      const args = V1_JOB_KINDS.map((k) => `${k.singular}/job-${k.singular}`);
      const r = await ktj(['migrate', '-n', ns, ...args, '--backup-dir', dir, '-o', 'json']);
      const report = JSON.parse(r.stdout);
      const byName = new Map<string, any>(report.jobs.map((j: any) => [j.name, j]));
      for (const k of V1_JOB_KINDS) {
        const o = byName.get(`job-${k.singular}`);
        if (convertible.has(k.kind)) {
          // A kind the converter reads: migrated, or refused by its own findings; never "not handled".
          expect(o.reason ?? '').not.toMatch(/does not handle/);
          if (o.status === 'migrated') expect(o.steps).toMatchObject({ backup: 'written', trainJob: 'created', pytorchJob: 'kept' });
        } else {
          expect(o).toMatchObject({ status: 'skipped', reason: expect.stringContaining(`this verb does not handle ${k.kind}s yet`) });
        }
        if (k.kind !== 'PyTorchJob') expect(o.kind).toBe(k.kind);
      }
      const trainJobs = (await listObjects(tjPath(ns))) as any[];
      const migrated = report.jobs.filter((j: any) => j.status === 'migrated');
      expect(trainJobs.map((t) => t.metadata.annotations['kubectl-trainjob.io/source-kind']).sort()).toEqual(migrated.map((j: any) => j.kind ?? 'PyTorchJob').sort());
      const index = (await readBackupIndex(dir))!;
      for (const e of index.entries) expect(e.file).toBe(e.kind ? `${ns}/${e.kind.toLowerCase()}s/${e.name}.yaml` : `${ns}/${e.name}.yaml`);
      expect(migrated.length).toBeGreaterThanOrEqual(1);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--all covers the convertible kinds; a bare name with --kind takes that kind', async () => {
    const ns = await testNamespace('mig-kinds-all');
    for (const k of V1_JOB_KINDS) await create(aV1Job(k.kind, 'same', ns));
    const dry = await ktj(['migrate', '-n', ns, '--all', '--dry-run', '-o', 'json']);
    const plans = JSON.parse(dry.stdout).jobs as any[];
    expect(plans.map((p) => p.kind ?? 'PyTorchJob')).toEqual(CONVERTIBLE_KINDS.map((k) => k.kind));
    // One name in several kinds: only the first keeps TrainJob "same".
    expect(plans.filter((p) => p.action !== 'skip' && p.action !== 'refuse').length).toBeLessThanOrEqual(1);
    for (const p of plans.slice(1)) if (p.action === 'skip') expect(p.reason).toMatch(/^TrainJob same is also the target of PyTorchJob/);
    const one = await ktj(['migrate', '-n', ns, '--kind', 'pytorchjob', 'same', '--dry-run', '-o', 'json']);
    expect(JSON.parse(one.stdout).jobs).toHaveLength(1);
  });
});
