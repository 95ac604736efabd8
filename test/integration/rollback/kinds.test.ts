// migrate, then rollback, one job of each convertible kind against the real API server, with both strategies:
// the kind travels in the TrainJob's provenance and the backup, so an XGBoostJob comes back as an XGBoostJob
// (byte for byte from the backup file after a replacement), its TrainJob goes, and -o name / the table / the
// JSON report name the kind. Follows CONVERTIBLE_KINDS: a kind joins this test when its converter lands.
import { afterAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanManifest } from '../../../src/live/clean.js';
import { CONVERTIBLE_KINDS } from '../../../src/live/convertible.js';
import { nameOutput } from '../../../src/live/kinds.js';
import { readBackupIndex, renderBackupManifest } from '../../../src/migration/backup-store.js';
import { adminClient, testNamespace } from '../../controlplane/harness.js';
import { aV1Job, collection, create } from '../compare/fixtures.js';
import { ktj, listObjects, tempDir, tjPath } from '../migrate/helpers.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

async function tryGet(kind: string, ns: string, name: string): Promise<any> {
  const res = await (await adminClient()).request('GET', `${collection(kind, ns)}/${name}`);
  return res.status === 200 ? res.body : undefined;
}

const jobName = (singular: string) => `rb-${singular}`;

describe('migrate and roll back every convertible kind', () => {
  it.each(['side-by-side', 'replace'] as const)('--strategy %s: each kind comes back as itself and its TrainJob goes', async (strategy) => {
    const ns = await testNamespace(`rb-kinds-${strategy === 'replace' ? 'r' : 's'}`);
    const dir = tempDir('ktj-rb-kinds-');
    dirs.push(dir);
    const originals = new Map<string, any>();
    for (const k of CONVERTIBLE_KINDS) originals.set(k.kind, await create(aV1Job(k.kind, jobName(k.singular), ns)));
    const args = CONVERTIBLE_KINDS.map((k) => `${k.singular}/${jobName(k.singular)}`);

    const m = await ktj(['migrate', '-n', ns, ...args, '--strategy', strategy, '--backup-dir', dir, '--yes', '-o', 'json']);
    const migrated = JSON.parse(m.stdout).jobs as any[];
    expect(migrated.map((j) => [j.kind ?? 'PyTorchJob', j.status])).toEqual(CONVERTIBLE_KINDS.map((k) => [k.kind, 'migrated']));
    for (const k of CONVERTIBLE_KINDS) {
      const v1 = await tryGet(k.kind, ns, jobName(k.singular));
      if (strategy === 'replace') expect(v1).toBeUndefined();
      else expect(v1?.metadata.uid).toBe(originals.get(k.kind).metadata.uid);
    }
    const trainJobs = await listObjects(tjPath(ns));
    expect(trainJobs.map((t) => t.metadata.annotations['kubectl-trainjob.io/source-kind']).sort()).toEqual(CONVERTIBLE_KINDS.map((k) => k.kind).sort());

    // A dry run names each job as kubectl would (-o name), one line per kind, and changes nothing.
    const dry = await ktj(['rollback', '-n', ns, '--all', '--backup-dir', dir, '--dry-run', '-o', 'name']);
    expect(dry.code).toBe(0);
    expect(dry.stdout.trim().split('\n').sort()).toEqual(CONVERTIBLE_KINDS.map((k) => nameOutput(k.kind, jobName(k.singular))).sort());
    expect(await listObjects(tjPath(ns))).toHaveLength(CONVERTIBLE_KINDS.length);

    // Side by side: by TYPE/NAME, relying on the v1-manifest annotation; replace: --all with --backup-dir.
    const r = strategy === 'replace'
      ? await ktj(['rollback', '-n', ns, '--all', '--backup-dir', dir, '--yes', '-o', 'json'])
      : await ktj(['rollback', '-n', ns, ...args, '--yes', '-o', 'json']);
    expect(r.code).toBe(0);
    for (const k of CONVERTIBLE_KINDS.filter((k) => k.kind !== 'PyTorchJob')) expect(r.stderr).toContain(`${k.kind} ${ns}/${jobName(k.singular)} (TrainJob ${jobName(k.singular)}):`);
    const outcomes = JSON.parse(r.stdout).jobs as any[];
    expect(outcomes.map((o) => [o.kind ?? 'PyTorchJob', o.name, o.result, o.v1, o.trainJobDeleted]).sort()).toEqual(
      CONVERTIBLE_KINDS.map((k) => [k.kind, jobName(k.singular), 'rolled-back', strategy === 'replace' ? 'created' : 'kept', true]).sort(),
    );
    expect(await listObjects(tjPath(ns))).toEqual([]);

    const index = (await readBackupIndex(dir))!;
    for (const k of CONVERTIBLE_KINDS) {
      const back = await tryGet(k.kind, ns, jobName(k.singular));
      expect(back?.kind).toBe(k.kind);
      const original = originals.get(k.kind);
      if (strategy === 'side-by-side') {
        expect(back.metadata.uid).toBe(original.metadata.uid);
        continue;
      }
      // Replace: recreated from its own backup file, byte for byte.
      const entry = index.entries.find((e) => (e.kind ?? 'PyTorchJob') === k.kind && e.name === jobName(k.singular))!;
      expect(renderBackupManifest(cleanManifest(back))).toBe(fs.readFileSync(path.join(dir, entry.file), 'utf8'));
      expect(back.spec).toEqual(original.spec);
      expect(back.metadata.uid).not.toBe(original.metadata.uid);
    }

    // Idempotent, and a typed name never matches another kind's TrainJob.
    const again = await ktj(['rollback', '-n', ns, '--all', '--backup-dir', dir]);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('Nothing to do');
  });

  it('TYPE/NAME picks the kind: a name migrated as one kind is not found as another; --kind narrows --all', async () => {
    const kinds = CONVERTIBLE_KINDS.filter((k) => k.kind !== 'PyTorchJob');
    if (kinds.length === 0) return;
    const ns = await testNamespace('rb-kinds-typed');
    const k = kinds[0]!;
    const other = CONVERTIBLE_KINDS.find((x) => x.kind !== k.kind)!;
    await create(aV1Job(k.kind, 'typed', ns));
    await create(aV1Job(other.kind, 'other', ns));
    const dir = tempDir('ktj-rb-typed-');
    dirs.push(dir);
    const m = await ktj(['migrate', '-n', ns, `${k.singular}/typed`, `${other.singular}/other`, '--backup-dir', dir, '--yes', '-o', 'json']);
    expect(m.code).toBe(0);

    const wrong = await ktj(['rollback', '-n', ns, `${other.singular}/typed`, '--yes']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain(`nothing to roll back for ${ns}/typed: no TrainJob migrated from it, no ${other.kind}, no backup`);
    expect(await listObjects(tjPath(ns))).toHaveLength(2);

    const excluded = await ktj(['rollback', '-n', ns, `${k.singular}/typed`, '--kind', other.singular, '--yes']);
    expect(excluded.code).toBe(2);
    expect(excluded.stderr).toContain(`${k.singular}/typed is a ${k.kind}, which --kind ${other.singular} excludes`);

    const narrowed = await ktj(['rollback', '-n', ns, '--all', '--kind', k.singular, '--yes']);
    expect(narrowed.code).toBe(0);
    expect(narrowed.stdout).toMatch(new RegExp(`^NAMESPACE\\s+JOB\\s+RESULT`, 'm'));
    expect(narrowed.stdout).toContain(`${k.singular}/typed`);
    const left = await listObjects(tjPath(ns));
    expect(left.map((t) => t.metadata.annotations['kubectl-trainjob.io/source-kind'])).toEqual([other.kind]);
  });

  it('an MPIJob with the deprecated spec.cleanPodPolicy comes back exactly as backed up (not moved under runPolicy), both ways', async () => {
    for (const strategy of ['replace', 'side-by-side'] as const) {
      const ns = await testNamespace(`rb-mpi-cpp-${strategy === 'replace' ? 'r' : 's'}`);
      const job = aV1Job('MPIJob', 'cpp', ns);
      delete job.spec.runPolicy;
      job.spec.cleanPodPolicy = 'Running';
      const original = await create(job);
      expect(original.spec.cleanPodPolicy).toBe('Running');
      const dir = tempDir('ktj-rb-mpi-cpp-');
      dirs.push(dir);
      const m = await ktj(['migrate', '-n', ns, 'mpijob/cpp', '--strategy', strategy, '--backup-dir', dir, '--yes', '-o', 'json']);
      expect(m.code).toBe(0);
      const tj = (await listObjects(tjPath(ns)))[0];
      // The TrainJob's copy of the v1 job is the job as it was, deprecated field in place.
      const copy = JSON.parse(tj.metadata.annotations['kubectl-trainjob.io/v1-manifest']);
      expect(copy.spec).toEqual(original.spec);
      const r = await ktj(['rollback', '-n', ns, 'mpijob/cpp', ...(strategy === 'replace' ? ['--backup-dir', dir] : []), '--yes']);
      expect(r.code).toBe(0);
      const back = await tryGet('MPIJob', ns, 'cpp');
      expect(back.spec).toEqual(original.spec);
      expect(back.spec.runPolicy?.cleanPodPolicy).toBe(original.spec.runPolicy?.cleanPodPolicy);
      if (strategy === 'replace') {
        const index = (await readBackupIndex(dir))!;
        const entry = index.entries.find((e) => e.kind === 'MPIJob' && e.name === 'cpp')!;
        expect(renderBackupManifest(cleanManifest(back))).toBe(fs.readFileSync(path.join(dir, entry.file), 'utf8'));
      }
    }
  });
});
