import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { ExitWith, UsageError } from '../errors.js';
import type { Deps } from '../io.js';
import { clusterOptions, clusterTuning, dryRunOption, outputFormat, parseDryRun, withClusterVerbFlags, type ClusterVerbFlags } from './flags.js';

/** Raw flags of `cleanup`. */
export interface CleanupArgs extends ClusterVerbFlags {
  'backup-dir'?: string;
  'delete-migrated'?: boolean;
  force?: boolean;
  yes?: boolean;
  'dry-run'?: string;
}

/** `kubectl trainjob cleanup`: what still uses kubeflow.org/v1 (every kind), and (on request) delete migrated v1 jobs. */
export function cleanupCommand(deps: Deps): CommandModule<ClusterVerbFlags, CleanupArgs> {
  return {
    command: 'cleanup',
    describe: 'Report what still uses kubeflow.org/v1 and whether Training Operator v1 can be removed; delete migrated v1 jobs',
    builder: (y) =>
      withClusterVerbFlags(y)
        .option('backup-dir', { type: 'string', describe: 'Backup directory (kubectl trainjob backup/migrate) to look for each job\'s backup' })
        .option('delete-migrated', { type: 'boolean', default: false, describe: 'Delete v1 jobs (any kind) that were migrated, are not running and have a backup' })
        .option('context', { type: 'string', array: true, requiresArg: true, describe: 'The kubeconfig context to use; give it several times to run on several clusters (one report each plus a fleet summary)' })
        .option('all-contexts', { type: 'boolean', default: false, describe: 'Run on every context of the kubeconfig' })
        .option('force', { type: 'boolean', default: false, describe: 'With --delete-migrated: also delete migrated v1 jobs whose producer (controlling owner, Argo CD, Flux, Helm) would re-create them; you take responsibility' })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Do not ask for confirmation (required when stdin is not a terminal)' })
        .option('dry-run', dryRunOption('With --delete-migrated: client (or bare --dry-run) prints what would be deleted and the verdict it would leave; nothing is deleted'))
        .example('kubectl trainjob cleanup -A', 'Can Training Operator v1 be removed? (exit 0 yes, 3 only migrated jobs left, 4 no)')
        .example('kubectl trainjob cleanup -n team --backup-dir ./backup --delete-migrated --yes', 'Delete the migrated v1 jobs of a namespace')
        .epilogue('Exit codes: 0 nothing in scope uses kubeflow.org/v1 (the report names the CRDs to delete); 3 only migrated, finished, backed-up v1 jobs remain (advisory); 4 blocked: v1 jobs of any kind (PyTorchJob, MPIJob, XGBoostJob, JAXJob, TFJob, PaddleJob) not migrated, still running, without backup or still created by a producer that would re-create them, or a kind that could not be listed; 1 error; 2 usage.') as Argv<CleanupArgs>,
    handler: async (argv) => {
      const output = outputFormat(argv.output, ['table', 'json', 'name'] as const, 'table');
      if (argv['delete-migrated'] === false && argv.yes) throw new UsageError('--yes only applies with --delete-migrated');
      const dryRun = parseDryRun(argv['dry-run'], ['client'] as const) !== 'none';
      if (dryRun && !argv['delete-migrated']) throw new UsageError('--dry-run only applies with --delete-migrated', 'cleanup without --delete-migrated changes nothing: it only reports.');
      if (argv['delete-migrated'] === false && argv.force) throw new UsageError('--force only applies with --delete-migrated');
      const { runCleanup, runCleanupFleet } = await import('../lifecycle/cleanup-run.js');
      const { fleetContexts } = await import('../cluster/index.js');
      // --context is an array here (repeatable); the connection options take the last one, as kubectl would.
      const raw = argv.context as unknown as string[] | string | undefined;
      const contexts = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      const last = contexts[contexts.length - 1];
      const base = clusterOptions({ ...argv, ...(last !== undefined ? { context: last } : {}) });
      const fleet = fleetContexts(contexts, Boolean(argv['all-contexts']), base, deps.env);
      if (fleet && argv['delete-migrated'] && !argv.yes && !dryRun) throw new UsageError('cleanup --delete-migrated on several clusters needs --yes', 'Review each cluster\'s plan first (without --delete-migrated), then add --yes.');
      const exit = await (fleet ? (o: Parameters<typeof runCleanup>[0], d: Deps) => runCleanupFleet(o, fleet, d) : runCleanup)(
        {
          cluster: base,
          tuning: clusterTuning(argv),
          scope: { allNamespaces: Boolean(argv['all-namespaces']), ...(argv.selector ? { labelSelector: argv.selector } : {}) },
          ...(argv['backup-dir'] ? { backupDir: path.resolve(deps.cwd, argv['backup-dir']) } : {}),
          deleteMigrated: Boolean(argv['delete-migrated']),
          dryRun,
          force: Boolean(argv.force),
          yes: Boolean(argv.yes),
          output,
        },
        deps,
      );
      if (exit !== 0) throw new ExitWith(exit);
    },
  };
}
