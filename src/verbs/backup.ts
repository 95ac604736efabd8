import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import type { Deps } from '../io.js';
import type { BackupOptions } from '../migration/backup.js';
import { clusterOptions, clusterTuning, outputFormat, withClusterVerbFlags, withKindFlag, type ClusterVerbFlags, type KindFlag, jobSelection } from './flags.js';

/** Raw flags of `backup`. */
export interface BackupArgs extends ClusterVerbFlags, KindFlag {
  names?: string[];
  'backup-dir'?: string;
}

/** `kubectl trainjob backup`: writes selected live v1 jobs (every kind) as clean manifests plus an index (docs/backup-format.md). */
export function backupCommand(deps: Deps): CommandModule<any, BackupArgs> {
  return {
    command: 'backup [names..]',
    describe: 'Back up live v1 jobs (PyTorchJob, MPIJob, ... every kind) as clean manifests (one file per job plus index.yaml)',
    builder: (y) =>
      withKindFlag(withClusterVerbFlags(y))
        .positional('names', { type: 'string', array: true, describe: 'Jobs (in -n NAMESPACE): NAME for a PyTorchJob, TYPE/NAME for any v1 kind (mpijob/x); without names, every job of every kind (or --kind) selected by -l/-n/-A' })
        .option('backup-dir', { type: 'string', describe: 'Directory to write (default ./trainjob-backups/<context>/<UTC time>); re-using one is idempotent' })
        .example('kubectl trainjob backup -A --backup-dir backups/prod', 'Back up every v1 job (all kinds) of the cluster')
        .example('kubectl trainjob backup -n team-a mpijob/ds-bert tfjob/mnist', 'Two jobs of other kinds')
        .example('kubectl trainjob backup -n team-a bert gpt -o json', 'Two jobs, JSON report on stdout') as unknown as Argv<BackupArgs>,
    handler: async (argv) => {
      const opts = completeBackup(argv);
      const { runBackup } = await import('../migration/backup.js');
      await runBackup(opts, deps);
    },
  };
}

/** Turns raw flags into validated options. */
export function completeBackup(argv: BackupArgs): BackupOptions {
  const names = (argv.names ?? []).filter((n) => n !== '');
  if (argv['backup-dir'] === '') throw new UsageError('--backup-dir must not be empty');
  return {
    selection: jobSelection(names, argv),
    ...(argv['backup-dir'] ? { backupDir: argv['backup-dir'] } : {}),
    output: outputFormat(argv.output, ['table', 'json', 'name'] as const, 'table'),
    cluster: clusterOptions(argv),
    tuning: clusterTuning(argv),
  };
}
