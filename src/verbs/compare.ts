import type { Argv, CommandModule } from 'yargs';
import { ExitWith, UsageError } from '../errors.js';
import type { Deps } from '../io.js';
import { clusterOptions, outputFormat, type GlobalFlags } from './flags.js';

/** Raw flags of `compare`. */
export interface CompareArgs extends GlobalFlags {
  job?: string;
  trainjob?: string;
}

/** `kubectl trainjob compare JOB`: a PyTorchJob and its TrainJob side by side. */
export function compareCommand(deps: Deps): CommandModule<GlobalFlags, CompareArgs> {
  return {
    command: 'compare <job>',
    describe: 'Compare a PyTorchJob with the TrainJob migrated from it (state, times, nodes, resources, pods, logs)',
    builder: (y) =>
      y
        .positional('job', { type: 'string', describe: 'Name of the PyTorchJob' })
        .option('trainjob', { type: 'string', describe: 'Name of the TrainJob (default: the one whose provenance names JOB)' })
        .example('kubectl trainjob compare -n team bert', 'bert (v1) next to the TrainJob migrated from it')
        .example('kubectl trainjob compare -n team bert --trainjob bert-v2 -o json', 'Two names, machine-readable')
        .epilogue('Exit codes: 0 compared, no differences; 3 differences (outcome, node count or resources per node); 1 not found or error; 2 usage.') as Argv<CompareArgs>,
    handler: async (argv) => {
      const output = outputFormat(argv.output, ['table', 'json'] as const, 'table');
      if (!argv.job) throw new UsageError('name the PyTorchJob to compare', 'kubectl trainjob compare -n NAMESPACE JOB');
      const { runCompare } = await import('../lifecycle/compare-run.js');
      const exit = await runCompare({ cluster: clusterOptions(argv), job: argv.job, ...(argv.trainjob ? { trainJob: argv.trainjob } : {}), output }, deps);
      if (exit !== 0) throw new ExitWith(exit);
    },
  };
}
