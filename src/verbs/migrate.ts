import type { Argv, CommandModule } from 'yargs';
import { parseTargetVersion } from '../convert/targets/versions.js';
import { UsageError } from '../errors.js';
import type { Deps } from '../io.js';
import type { Step } from '../migration/executor.js';
import type { MigrateOptions } from '../migration/migrate.js';
import type { Strategy } from '../migration/plan.js';
import { clusterOptions, clusterTuning, dryRunOption, FIELD_MANAGER_OPTION, outputFormat, parseDryRun, parseDuration, withClusterVerbFlags, withKindFlag, type ClusterVerbFlags, type KindFlag, parseSuffix, SUFFIX_OPTION, parseRuntime, jobSelection } from './flags.js';

/** Raw flags of `migrate`. */
export interface MigrateArgs extends ClusterVerbFlags, KindFlag {
  names?: string[];
  all?: boolean;
  strategy?: string;
  suffix?: string;
  'target-version'?: string;
  runtime?: string;
  'runtime-kind'?: string;
  wait?: boolean;
  timeout?: string;
  'poll-interval'?: string;
  force?: boolean;
  suspend?: boolean;
  'keep-v1'?: boolean;
  yes?: boolean;
  'dry-run'?: string;
  'backup-dir'?: string;
  'env-shim'?: boolean;
}

const STEPS: readonly Step[] = ['backup', 'runtime', 'trainjob', 'delete'];

/** `kubectl trainjob migrate`: live v1 jobs (every kind) → TrainJobs, side by side or as a replacement, with a backup first. */
export function migrateCommand(deps: Deps): CommandModule<any, MigrateArgs> {
  return {
    command: 'migrate [names..]',
    describe: 'Migrate live v1 jobs (every kind) to TrainJobs (side by side or replacement), backing them up first',
    builder: (y) =>
      withKindFlag(withClusterVerbFlags(y))
        .positional('names', { type: 'string', array: true, describe: 'Jobs (in -n NAMESPACE): NAME for a PyTorchJob, TYPE/NAME for another v1 kind (mpijob/ds-bert)' })
        .option('all', { type: 'boolean', default: false, describe: 'Every v1 job the converter reads in the namespace (or with -A in the cluster); --kind narrows' })
        .option('strategy', { type: 'string', choices: ['side-by-side', 'replace'], default: 'side-by-side', describe: 'side-by-side: create suspended TrainJobs, keep v1; replace: cut over and delete v1' })
        .option('suffix', SUFFIX_OPTION)
        .option('target-version', { type: 'string', describe: 'Trainer schema v2.0..v2.3 (default: detected from the cluster)' })
        .option('runtime', { type: 'string', describe: "Runtime the TrainJobs reference (read from the cluster) [default: each kind's stock runtime: torch-distributed, jax-distributed, xgboost-distributed; a generated one for TFJobs and PaddleJobs]" })
        .option('runtime-kind', { type: 'string', default: 'ClusterTrainingRuntime', choices: ['ClusterTrainingRuntime', 'TrainingRuntime'], describe: 'Kind of --runtime' })
        .option('wait', { type: 'boolean', default: false, describe: 'replace: wait for running v1 jobs to finish, then cut over' })
        .option('timeout', { type: 'string', default: '0', describe: 'Limit of --wait per job (e.g. 30m); 0 = none' })
        .option('poll-interval', { type: 'string', default: '10s', describe: 'How often --wait re-reads a running job' })
        .option('force', { type: 'boolean', default: false, describe: 'Migrate refused conversions, cut over running jobs mid-run (the TrainJob starts from the beginning), and with --strategy replace delete v1 jobs whose producer (controlling owner, Argo CD, Flux, Helm) would re-create them' })
        .option('suspend', { type: 'boolean', default: false, describe: 'Create every TrainJob suspended' })
        .option('keep-v1', { type: 'boolean', default: false, describe: 'Never delete the v1 jobs, even with --strategy replace' })
        .option('yes', { alias: 'y', type: 'boolean', default: false, describe: 'Confirm destructive steps without a prompt (needed when stdin is not a terminal)' })
        .option('field-manager', FIELD_MANAGER_OPTION)
        .option('dry-run', dryRunOption('client (or bare --dry-run): print the plan and stop, exiting as the real run would (4 for missing or refused jobs)'))
        .option('backup-dir', { type: 'string', describe: 'Backup directory (default ./trainjob-backups/<context>/<UTC time>)' })
        .option('env-shim', { type: 'boolean', default: true, describe: 'Add RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT where the entrypoint relied on v1 (--no-env-shim to disable)' })
        .example('kubectl trainjob migrate -n team-a bert', 'Side by side: a suspended TrainJob next to the PyTorchJob')
        .example('kubectl trainjob migrate -A --all --strategy replace --wait --timeout 2h --yes', 'Replace every job, waiting for running ones') as unknown as Argv<MigrateArgs>,
    handler: async (argv) => {
      const opts = completeMigrate(argv, deps);
      const { runMigrate } = await import('../migration/migrate.js');
      await runMigrate(opts, deps);
    },
  };
}

/** Parses KTJ_FAULT_AFTER=<step>:<n> (crash tests): the process kills itself with SIGKILL after the n-th completed step. */
export function faultHook(value: string | undefined, kill: () => void = () => process.kill(process.pid, 'SIGKILL')): MigrateOptions['afterStep'] {
  if (!value) return undefined;
  const m = /^(backup|runtime|trainjob|delete):(\d+)$/.exec(value);
  if (!m || !STEPS.includes(m[1] as Step)) throw new UsageError(`invalid KTJ_FAULT_AFTER "${value}"`, `Use <step>:<n> with step one of ${STEPS.join(', ')}.`);
  let seen = 0;
  const n = Number(m[2]);
  return (step) => {
    if (step === m[1] && ++seen === n) kill();
  };
}

/** Turns raw flags into validated options; refuses a non-interactive destructive run without --yes before anything is read. */
export function completeMigrate(argv: MigrateArgs, deps: Deps): MigrateOptions {
  const names = (argv.names ?? []).filter((n) => n !== '');
  if (names.length > 0 && argv.all) throw new UsageError('job names and --all cannot be combined');
  if (names.length === 0 && !argv.all && !argv.selector) {
    throw new UsageError('name the v1 jobs to migrate, or select them with -l SELECTOR or --all', 'A migration of a whole namespace or cluster must be asked for explicitly: kubectl trainjob migrate --all [-A].');
  }
  const strategy = (argv.strategy ?? 'side-by-side') as Strategy;
  const tv = argv['target-version'];
  if (tv) parseTargetVersion(tv);
  const suffix = parseSuffix(argv.suffix);
  const runtime = parseRuntime(argv.runtime, argv['runtime-kind']);
  if (argv.wait && strategy !== 'replace') throw new UsageError('--wait applies to --strategy replace only', 'Side by side never touches running v1 jobs, so there is nothing to wait for.');
  if (argv['backup-dir'] === '') throw new UsageError('--backup-dir must not be empty');
  const pollIntervalMs = parseDuration('poll-interval', argv['poll-interval']);
  if (pollIntervalMs <= 0) throw new UsageError('--poll-interval must be greater than 0');
  const stdinIsTTY = Boolean((deps.io.in as { isTTY?: boolean }).isTTY);
  const dryRun = parseDryRun(argv['dry-run'], ['client'] as const) !== 'none';
  const destructive = strategy === 'replace' && !argv['keep-v1'] && !dryRun;
  if (destructive && !argv.yes && !stdinIsTTY) {
    throw new UsageError('migrate --strategy replace deletes v1 jobs; pass --yes to confirm when not running on a terminal', 'Review the plan first with --dry-run, then run again with --yes (or use --keep-v1).');
  }
  const afterStep = faultHook(deps.env.KTJ_FAULT_AFTER);
  return {
    selection: jobSelection(names, argv),
    strategy,
    keepV1: Boolean(argv['keep-v1']),
    suspend: Boolean(argv.suspend),
    force: Boolean(argv.force),
    wait: Boolean(argv.wait),
    waitTimeoutMs: parseDuration('timeout', argv.timeout),
    pollIntervalMs,
    suffix,
    ...(tv ? { targetVersion: tv } : {}),
    runtime,
    envShim: argv['env-shim'] !== false,
    ...(argv['backup-dir'] ? { backupDir: argv['backup-dir'] } : {}),
    yes: Boolean(argv.yes),
    dryRun,
    output: outputFormat(argv.output, ['table', 'json', 'name'] as const, 'table'),
    cluster: clusterOptions(argv),
    tuning: clusterTuning(argv),
    ...(afterStep ? { afterStep } : {}),
    ...(stdinIsTTY ? { confirm: (q: string) => askYesNo(deps, q) } : {}),
  };
}

/** Asks a yes/no question on the terminal (stderr) and reads one line from stdin. */
async function askYesNo(deps: Deps, question: string): Promise<boolean> {
  deps.io.err.write(question);
  return new Promise((resolve) => {
    let buf = '';
    const onData = (d: Buffer | string): void => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      deps.io.in.off('data', onData);
      deps.io.in.pause();
      resolve(/^\s*y(es)?\s*$/i.test(buf.slice(0, nl)));
    };
    deps.io.in.on('data', onData);
    deps.io.in.once('end', () => resolve(false));
  });
}
