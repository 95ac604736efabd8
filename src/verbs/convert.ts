import type { Argv, CommandModule } from 'yargs';
import type { RuntimeChoice } from '../convert/plan.js';
import { UsageError } from '../errors.js';
import type { Deps } from '../io.js';
import type { ConvertOptions } from '../pipeline/convert-options.js';
import type { ReportFormat } from '../render/convert-report.js';
import { clusterOptions, outputFormat, parseSuffix, SUFFIX_OPTION, type GlobalFlags, parseRuntime } from './flags.js';

export type { ConvertOptions } from '../pipeline/convert-options.js';

/** Raw flags of `convert` as yargs parses them. */
export interface ConvertArgs extends GlobalFlags {
  files?: string[];
  filename?: string[];
  recursive?: boolean;
  'target-version'?: string;
  runtime?: string;
  'runtime-kind'?: string;
  suffix?: string;
  'output-dir'?: string;
  overwrite?: boolean;
  report?: string;
  'report-file'?: string;
  strict?: boolean;
  force?: boolean;
  'env-shim'?: boolean;
  'in-place'?: boolean;
  diff?: boolean;
  'override-namespace'?: boolean;
}

/** Declares the flags of `convert` (shared with preview and apply-v2, which read files the same way). */
export function withConversionFlags<T>(y: Argv<T>): Argv<T> {
  return y
    .option('filename', { alias: 'f', type: 'string', array: true, describe: 'File or directory of v1 job manifests (PyTorchJob, MPIJob, XGBoostJob, JAXJob, TFJob, PaddleJob; YAML or JSON); - for standard input. Repeatable' })
    .option('recursive', { alias: 'R', type: 'boolean', default: false, describe: 'Process the directory used in -f recursively' })
    .option('target-version', { type: 'string', describe: 'Trainer schema to emit: v2.0, v2.1, v2.2, v2.3 (default: newest), or auto (ask the cluster)' })
    .option('runtime', { type: 'string', describe: "Runtime the TrainJobs reference [default: each kind's stock runtime: torch-distributed, jax-distributed, xgboost-distributed]" })
    .option('runtime-kind', { type: 'string', default: 'ClusterTrainingRuntime', choices: ['ClusterTrainingRuntime', 'TrainingRuntime'], describe: 'Kind of --runtime' })
    .option('suffix', SUFFIX_OPTION)
    .option('strict', { type: 'boolean', default: false, describe: 'Refuse jobs with warnings too (exit 4)' })
    .option('force', { type: 'boolean', default: false, describe: 'Convert jobs despite error findings that do not make the output invalid (exit 3)' })
    .option('env-shim', { type: 'boolean', default: true, describe: 'Add RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT where the entrypoint relied on v1 injecting them (--no-env-shim to disable)' })
    .check((a) => {
      if (a.strict && a.force) throw new UsageError('--strict and --force cannot be combined', '--strict refuses more jobs, --force fewer; choose one.');
      return true;
    }) as Argv<T>;
}

/** `kubectl trainjob convert`: v1 job manifests (every kind) in, TrainJob manifests out; never contacts a cluster (unless --target-version auto). */
export function convertCommand(deps: Deps): CommandModule<GlobalFlags, ConvertArgs> {
  return {
    command: 'convert [files..]',
    describe: 'Convert v1 job manifests (PyTorchJob, MPIJob, ... every kind) to TrainJob manifests (offline)',
    builder: (y) =>
      withConversionFlags(y)
        .positional('files', { type: 'string', array: true, describe: 'Files or directories to convert (same as -f)' })
        .option('output-dir', { type: 'string', describe: 'Write one file per job into this directory instead of stdout' })
        .option('overwrite', { type: 'boolean', default: false, describe: 'Allow --output-dir to replace existing files' })
        .option('report', { type: 'string', choices: ['table', 'json', 'yaml', 'sarif', 'markdown', 'none'], default: 'table', describe: 'Format of the findings report on stderr: table, json, yaml, sarif (SARIF 2.1.0 with file, line and column of each finding), markdown (for a pull-request comment) or none' })
        .option('report-file', { type: 'string', describe: 'Write the findings report to this file instead of stderr' })
        .option('override-namespace', { type: 'boolean', default: false, describe: 'With -n: move jobs whose manifest names another namespace into the -n namespace (without it, a mismatch is an error, as in kubectl)' })
        .option('in-place', { type: 'boolean', default: false, describe: 'Rewrite each file where it lives: converted documents are replaced, everything else stays byte for byte' })
        .option('diff', { type: 'boolean', default: false, describe: 'Print a unified diff per file of what --in-place would change, and write nothing' })
        .example('kubectl trainjob convert -f pytorchjob.yaml', 'Convert one file; TrainJobs on stdout, findings on stderr')
        .example('kubectl get pytorchjobs -o yaml | kubectl trainjob convert -f - | kubectl apply -f -', 'Convert live jobs and create the TrainJobs')
        .example('kubectl trainjob convert -R -f jobs/ --output-dir out/ --target-version v2.1', 'A directory tree for Trainer v2.1, one file per job')
        .example('kubectl trainjob convert -f job.yaml --report json --report-file findings.json', 'Machine-readable findings')
        .example('kubectl trainjob convert -R -f manifests/ --diff', 'Review what --in-place would change, as a unified diff')
        .example('kubectl trainjob convert -R -f manifests/ --in-place', 'Rewrite a repository\'s v1 jobs into TrainJobs where they live') as Argv<ConvertArgs>,
    handler: async (argv) => {
      const opts = completeConvert(argv);
      // The conversion core (and its embedded schemas) loads only when a conversion runs, so --help starts fast.
      const { runConvert } = await import('../pipeline/convert-run.js');
      await runConvert(opts, deps);
    },
  };
}

/** Turns raw flags into validated options (usage errors here print usage). */
export function completeConvert(argv: ConvertArgs): ConvertOptions {
  const files = [...(argv.filename ?? []), ...(argv.files ?? [])];
  const suffix = parseSuffix(argv.suffix);
  const runtime = parseRuntime(argv.runtime, argv['runtime-kind']);
  const output = outputFormat(argv.output, ['yaml', 'json'] as const, 'yaml');
  if (argv.overwrite && !argv['output-dir']) throw new UsageError('--overwrite needs --output-dir');
  if (argv['override-namespace'] && !argv.namespace) throw new UsageError('--override-namespace needs -n/--namespace', 'Pass the namespace to move the jobs to, e.g. -n team-b --override-namespace.');
  const inPlace = Boolean(argv['in-place']);
  const diff = Boolean(argv.diff);
  if (inPlace || diff) {
    const flag = diff ? '--diff' : '--in-place';
    if (argv['output-dir']) throw new UsageError(`${flag} and --output-dir cannot be combined`, `${flag} rewrites (or diffs) the input files themselves; --output-dir writes new files elsewhere. Choose one.`);
    if (files.includes('-')) throw new UsageError(`${flag} needs files or directories, not standard input (-)`, 'Pass the manifest files or a directory with -f (and -R for subdirectories).');
    if (argv.output !== undefined) throw new UsageError(`${flag} cannot be combined with -o/--output`, 'Rewritten files keep their format: YAML files stay YAML, .json files stay JSON.');
  }
  const opts: ConvertOptions = {
    files,
    recursive: Boolean(argv.recursive),
    runtime,
    suffix,
    output,
    overwrite: Boolean(argv.overwrite),
    report: (argv.report ?? 'table') as ReportFormat,
    strict: Boolean(argv.strict),
    force: Boolean(argv.force),
    envShim: argv['env-shim'] !== false,
    inPlace,
    diff,
    overrideNamespace: Boolean(argv['override-namespace']),
    cluster: clusterOptions(argv),
  };
  if (argv['target-version']) opts.target = argv['target-version'];
  if (argv['output-dir']) opts.outputDir = argv['output-dir'];
  if (argv['report-file']) opts.reportFile = argv['report-file'];
  if (argv.namespace) opts.namespace = argv.namespace;
  if (files.length === 0) throw new UsageError('no input given', 'Pass files with -f FILE (or -f - for standard input), e.g. kubectl trainjob convert -f job.yaml.');
  return opts;
}
