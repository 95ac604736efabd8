import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { ExitWith } from '../errors.js';
import type { Deps } from '../io.js';
import { parseKindFlag } from '../live/kinds.js';
import { clusterOptions, clusterTuning, dryRunOption, FIELD_MANAGER_OPTION, outputFormat, parseDryRun, withClusterVerbFlags, withKindFlag, type ClusterVerbFlags, type KindFlag } from './flags.js';

/** Raw flags of `rollback`. */
export interface RollbackArgs extends ClusterVerbFlags, KindFlag {
  names?: string[];
  all?: boolean;
  'backup-dir'?: string;
  yes?: boolean;
  'dry-run'?: string;
}

/** `kubectl trainjob rollback`: put migrated v1 jobs (every kind) back and remove their TrainJobs. */
export function rollbackCommand(deps: Deps): CommandModule<ClusterVerbFlags, RollbackArgs> {
  return {
    command: 'rollback [names..]',
    describe: 'Undo a migration: recreate each v1 job (PyTorchJob, XGBoostJob, ...) from its backup and delete its TrainJob and unused generated runtime',
    builder: (y) =>
      withKindFlag(withClusterVerbFlags(y))
        .positional('names', { type: 'string', array: true, describe: 'NAME (a migrated job or its TrainJob, any kind) or TYPE/NAME (xgboostjob/bert: that kind only)' })
        .option('all', { type: 'boolean', default: false, describe: 'Roll back every migrated TrainJob in the namespace (or with -A, everywhere)' })
        .option('backup-dir', { type: 'string', describe: 'Backup directory written by backup/migrate (default: the TrainJob\'s backup annotation, then its v1-manifest copy)' })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation (required when stdin is not a terminal)' })
        .option('field-manager', FIELD_MANAGER_OPTION)
        .option('dry-run', dryRunOption('client (or bare --dry-run): print the plan after the same checks as a real run; nothing is created or deleted'))
        .example('kubectl trainjob rollback -n team bert --dry-run', 'Show what rolling back bert would do')
        .example('kubectl trainjob rollback -n team bert --backup-dir ./backup --yes', 'Roll back one job')
        .example('kubectl trainjob rollback -n team xgboostjob/churn --yes', 'Roll back a migrated XGBoostJob')
        .example('kubectl trainjob rollback -n team --all --kind jaxjob --yes', 'Roll back every TrainJob migrated from a JAXJob')
        .example('kubectl trainjob rollback -A --all --yes', 'Roll back everything that was migrated')
        .epilogue('Exit codes: 0 rolled back (or nothing to do); 4 refused before any change (v1 cannot accept the jobs: CRD missing, dead webhook with failurePolicy Fail, dry-run rejected; or a job has no backup); 1 error (a job failed, a name matched nothing); 2 usage (e.g. no --yes without a terminal).') as Argv<RollbackArgs>,
    handler: async (argv) => {
      const output = outputFormat(argv.output, ['table', 'json', 'name'] as const, 'table');
      const dryRun = parseDryRun(argv['dry-run'], ['client'] as const) !== 'none';
      const { runRollback, validateRollbackSelection } = await import('../lifecycle/rollback-run.js');
      const names = argv.names ?? [];
      const kinds = parseKindFlag(argv.kind);
      validateRollbackSelection(names, Boolean(argv.all), argv.selector, Boolean(argv['all-namespaces']), kinds);
      const exit = await runRollback(
        {
          cluster: clusterOptions(argv),
          tuning: clusterTuning(argv),
          names,
          ...(kinds ? { kinds } : {}),
          all: Boolean(argv.all),
          scope: { allNamespaces: Boolean(argv['all-namespaces']), ...(argv.selector ? { labelSelector: argv.selector } : {}) },
          ...(argv['backup-dir'] ? { backupDir: path.resolve(deps.cwd, argv['backup-dir']) } : {}),
          yes: Boolean(argv.yes),
          dryRun,
          output,
        },
        deps,
      );
      if (exit !== 0) throw new ExitWith(exit);
    },
  };
}
