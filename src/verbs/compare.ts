import type { Argv, CommandModule } from 'yargs';
import { ExitWith } from '../errors.js';
import type { Deps } from '../io.js';
import { parseKindFlag } from '../live/kinds.js';
import { clusterOptions, clusterTuning, outputFormat, withClusterVerbFlags, withKindFlag, type ClusterVerbFlags, type KindFlag } from './flags.js';

/** Raw flags of `compare`. */
export interface CompareArgs extends ClusterVerbFlags, KindFlag {
  names?: string[];
  trainjob?: string;
  all?: boolean;
}

/** `kubectl trainjob compare JOB`: a v1 job (any kind) and its TrainJob side by side. */
export function compareCommand(deps: Deps): CommandModule<ClusterVerbFlags, CompareArgs> {
  return {
    command: 'compare [names..]',
    describe: 'Compare a v1 job (PyTorchJob, MPIJob, XGBoostJob, ...) with the TrainJob migrated from it (state, times, nodes, images, resources, env, pods, logs)',
    builder: (y) =>
      withKindFlag(withClusterVerbFlags(y))
        .positional('names', { type: 'string', array: true, describe: 'NAME (a migrated job or its TrainJob, any kind) or TYPE/NAME (mpijob/ds-bert: that kind only)' })
        .option('trainjob', { type: 'string', describe: 'Name of the TrainJob (default: the one whose provenance names the job); with one job only' })
        .option('all', { type: 'boolean', default: false, describe: 'Compare every migrated TrainJob in the namespace (or with -A, everywhere; -l and --kind narrow)' })
        .example('kubectl trainjob compare -n team bert', 'bert (v1) next to the TrainJob migrated from it')
        .example('kubectl trainjob compare -n team mpijob/ds-bert -o json', 'An MPIJob and its TrainJob, machine-readable')
        .example('kubectl trainjob compare -n team bert --trainjob bert-v2', 'Two names')
        .example('kubectl trainjob compare -A --all --kind xgboostjob', 'Every TrainJob migrated from an XGBoostJob, one line each')
        .epilogue('Exit codes: 0 compared, no differences; 3 differences (outcome, node count, resources per node, image or env); 1 not found or error (with --all: a pair could not be compared); 2 usage.') as Argv<CompareArgs>,
    handler: async (argv) => {
      const output = outputFormat(argv.output, ['table', 'json'] as const, 'table');
      const names = (argv.names ?? []).filter((n) => n !== '');
      const kinds = parseKindFlag(argv.kind);
      const { runCompare, validateCompareSelection } = await import('../lifecycle/compare-run.js');
      validateCompareSelection(names, Boolean(argv.all), argv.trainjob, Boolean(argv['all-namespaces']), argv.selector, kinds);
      const exit = await runCompare(
        {
          cluster: clusterOptions(argv),
          names,
          ...(kinds ? { kinds } : {}),
          all: Boolean(argv.all),
          scope: { allNamespaces: Boolean(argv['all-namespaces']), ...(argv.selector ? { labelSelector: argv.selector } : {}) },
          ...(argv.trainjob ? { trainJob: argv.trainjob } : {}),
          output,
          concurrency: clusterTuning(argv).concurrency,
        },
        deps,
      );
      if (exit !== 0) throw new ExitWith(exit);
    },
  };
}
