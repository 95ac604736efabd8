// Every v1 kind on the command line: `TYPE/NAME` arguments, --kind, and discovery of the served kinds.
import { describe, expect, test } from '@jest/globals';
import { PassThrough, Readable } from 'node:stream';
import yargs from 'yargs';
import { KubeApiError } from '../../../src/cluster/errors.js';
import { UsageError } from '../../../src/errors.js';
import type { Deps } from '../../../src/io.js';
import { describeJobCount, discoverServedKinds, jobLabel, parseJobArg, parseKindFlag, parseKindType, V1_JOB_KINDS } from '../../../src/live/kinds.js';
import { describeKinds } from '../../../src/live/select.js';
import { completeBackup, backupCommand, type BackupArgs } from '../../../src/verbs/backup.js';
import { jobSelection } from '../../../src/verbs/flags.js';
import { migrateCommand, type MigrateArgs } from '../../../src/verbs/migrate.js';

const deps: Deps = {
  io: { in: Readable.from([]), out: new PassThrough(), err: new PassThrough(), outIsTTY: false, errIsTTY: false },
  env: {},
  cwd: '/',
  now: () => new Date(0),
};

const usage = (fn: () => unknown): UsageError => {
  try {
    fn();
  } catch (e) {
    if (e instanceof UsageError) return e;
    throw e;
  }
  throw new Error('no UsageError');
};

describe('TYPE/NAME arguments', () => {
  test.each([
    ['bert', 'PyTorchJob', undefined, 'bert'],
    ['pytorchjob/bert', 'PyTorchJob', undefined, 'bert'],
    ['mpijob/ds-bert', 'MPIJob', undefined, 'ds-bert'],
    ['mpijobs/ds-bert', 'MPIJob', undefined, 'ds-bert'],
    ['MPIJob/ds-bert', 'MPIJob', undefined, 'ds-bert'],
    ['mpijobs.kubeflow.org/ds-bert', 'MPIJob', undefined, 'ds-bert'],
    ['mpijob.v2beta1.kubeflow.org/ds-bert', 'MPIJob', 'v2beta1', 'ds-bert'],
    ['xgboostjob/x', 'XGBoostJob', undefined, 'x'],
    ['jaxjobs/x', 'JAXJob', undefined, 'x'],
    ['TFJob/mnist', 'TFJob', undefined, 'mnist'],
    ['paddlejob.kubeflow.org/p.1', 'PaddleJob', undefined, 'p.1'],
  ])('%s', (arg, kind, version, name) => {
    const j = parseJobArg(arg);
    expect({ kind: j.kind.kind, version: j.version, name: j.name }).toEqual({ kind, version, name });
  });

  test.each([
    ['deployment/x', /resource type "deployment"/],
    ['mpijobs.example.com/x', /resource type "mpijobs.example.com"/],
    ['trainjob/x', /resource type "trainjob"/],
    ['tfjob.v2beta1.kubeflow.org/x', /TFJob is not read at version "v2beta1"/],
    ['mpijob/', /invalid job argument/],
    ['/x', /invalid job argument/],
    ['mpijob/a/b', /invalid job argument/],
    ['mpijob/Bad_Name', /invalid MPIJob name "Bad_Name"/],
    ['Bad', /invalid PyTorchJob name "Bad"/],
  ])('%s is refused', (arg, message) => {
    const e = usage(() => parseJobArg(arg));
    expect(e.message).toMatch(message);
    expect(e.hint).toBeTruthy();
  });

  test('a TrainJob type points at rollback', () => {
    expect(usage(() => parseKindType('trainjobs')).hint).toMatch(/rollback/);
  });

  test('labels are what one types: bare for PyTorchJob, singular/NAME otherwise', () => {
    expect(jobLabel('PyTorchJob', 'bert')).toBe('bert');
    expect(jobLabel('MPIJob', 'bert')).toBe('mpijob/bert');
  });
});

describe('--kind', () => {
  test('repeatable and comma-separated, in report order, no duplicates', () => {
    expect(parseKindFlag(['tfjob,mpijobs', 'TFJob'])!.map((k) => k.kind)).toEqual(['MPIJob', 'TFJob']);
    expect(parseKindFlag(undefined)).toBeUndefined();
  });
  test('refuses empty values, unknown kinds and versions', () => {
    expect(usage(() => parseKindFlag([''])).message).toMatch(/--kind needs a value/);
    expect(usage(() => parseKindFlag(['foo'])).message).toMatch(/resource type "foo"/);
    expect(usage(() => parseKindFlag(['mpijobs.v2beta1.kubeflow.org'])).message).toMatch(/takes a kind, not a version/);
  });
  test('one --kind gives bare names its kind; several refuse bare names; typed names must be among them', () => {
    expect(jobSelection(['a', 'tfjob/b'], { kind: ['tfjob'] }).jobs.map((j) => `${j.kind.kind}/${j.name}`)).toEqual(['TFJob/a', 'TFJob/b']);
    expect(usage(() => jobSelection(['a'], { kind: ['tfjob,mpijob'] })).message).toMatch(/"a" has no kind, and --kind names 2 kinds/);
    expect(usage(() => jobSelection(['mpijob/b'], { kind: ['tfjob'] })).message).toMatch(/mpijob\/b is a MPIJob, which --kind tfjob excludes/);
  });
  test('describes what a selection looks for', () => {
    expect(describeKinds(jobSelection([], {}))).toBe('Training Operator v1 jobs');
    expect(describeKinds(jobSelection([], { kind: ['mpijob'] }))).toBe('MPIJobs');
    expect(describeKinds(jobSelection([], { kind: ['mpijob', 'tfjob'] }))).toBe('MPIJobs or TFJobs');
    expect(describeKinds(jobSelection(['x'], {}))).toBe('PyTorchJobs');
  });
});

/** Parses argv with a verb's real builder (global flags aside) and returns what its handler would get. */
async function parsed<A>(command: { command?: unknown; builder?: unknown }, args: string[]): Promise<A> {
  let got: A | undefined;
  await yargs(args)
    .command({ command: command.command as string, describe: false, builder: command.builder as never, handler: (a: unknown) => void (got = a as A) })
    .fail((msg, err) => {
      throw err ?? new Error(msg);
    })
    .parseAsync();
  return got!;
}

describe('verbs take TYPE/NAME and --kind', () => {
  test('backup: --kind repeated keeps every value and leaves the names alone', async () => {
    const argv = await parsed<BackupArgs>(backupCommand(deps), ['backup', '--kind', 'mpijob', '--kind', 'tfjob', '-A']);
    expect(completeBackup(argv).selection.kinds!.map((k) => k.kind)).toEqual(['MPIJob', 'TFJob']);
    const named = await parsed<BackupArgs>(backupCommand(deps), ['backup', '--kind', 'mpijob', 'ds-bert', 'mpijob/other']);
    expect(completeBackup(named).selection.jobs.map((j) => `${j.kind.kind}/${j.name}`)).toEqual(['MPIJob/ds-bert', 'MPIJob/other']);
  });
  test('migrate: mixed kinds by name', async () => {
    const argv = await parsed<MigrateArgs>(migrateCommand(deps), ['migrate', 'bert', 'mpijob/ds-bert', 'xgboostjobs.kubeflow.org/xgb']);
    const { completeMigrate } = await import('../../../src/verbs/migrate.js');
    expect(completeMigrate(argv, deps).selection.jobs.map((j) => `${j.kind.kind}/${j.name}`)).toEqual(['PyTorchJob/bert', 'MPIJob/ds-bert', 'XGBoostJob/xgb']);
  });
});

describe('discovery of served kinds', () => {
  const fake = (docs: Record<string, string[] | number>) => ({
    getPath: async <T>(path: string): Promise<T> => {
      const d = docs[path];
      if (d === undefined || typeof d === 'number') throw new KubeApiError(`GET ${path}`, undefined, typeof d === 'number' ? d : 404, '', [], false);
      return { resources: d.map((name) => ({ name })) } as T;
    },
  });
  test('only kinds whose CRD is served; MPIJob at v2beta1 when mpi-operator serves it', async () => {
    const served = await discoverServedKinds(fake({ '/apis/kubeflow.org/v1': ['pytorchjobs', 'pytorchjobs/status', 'tfjobs'], '/apis/kubeflow.org/v2beta1': ['mpijobs'] }));
    expect(served.map((s) => `${s.kind.kind}@${s.ref.version}`)).toEqual(['PyTorchJob@v1', 'MPIJob@v2beta1', 'TFJob@v1']);
  });
  test('no kubeflow.org group at all: none, no error', async () => {
    expect(await discoverServedKinds(fake({}))).toEqual([]);
  });
  test('other errors propagate', async () => {
    await expect(discoverServedKinds(fake({ '/apis/kubeflow.org/v1': 500 }), V1_JOB_KINDS.slice(0, 1))).rejects.toThrow();
  });
});

describe('describeJobCount (apply-v2 and preview summaries)', () => {
  test('one kind by its name, several kinds in registry order with the total, none as v1 jobs', () => {
    expect(describeJobCount({ MPIJob: 1 })).toBe('1 MPIJob');
    expect(describeJobCount({ PyTorchJob: 3 })).toBe('3 PyTorchJobs');
    expect(describeJobCount({ TFJob: 1, PyTorchJob: 2, MPIJob: 0, XGBoostJob: 1 })).toBe('4 v1 jobs (2 PyTorchJobs, 1 XGBoostJob, 1 TFJob)');
    expect(describeJobCount({})).toBe('0 v1 jobs');
  });
});
