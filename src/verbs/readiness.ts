import type { Argv, CommandModule } from 'yargs';
import type { RuntimeChoice } from '../convert/index.js';
import { parseTargetVersion } from '../convert/targets/versions.js';
import type { TargetVersion } from '../convert/targets/types.js';
import { ExitCode, ExitWith, UsageError } from '../errors.js';
import { writeChunk, type Deps } from '../io.js';
import { clusterOptions, clusterTuning, outputFormat, withClusterVerbFlags, type ClusterOptions, type ClusterTuning, type ClusterVerbFlags, type GlobalFlags, parseRuntime } from './flags.js';

/** Raw flags of `readiness`. */
export interface ReadinessArgs extends ClusterVerbFlags {
  runtime?: string;
  'runtime-kind'?: string;
  'target-version'?: string;
  report?: string;
  upgrade?: boolean;
  'fail-on'?: string;
  'all-contexts'?: boolean;
}

/** Validated options of `readiness`. */
export interface ReadinessVerbOptions {
  cluster: ClusterOptions;
  tuning: ClusterTuning;
  allNamespaces: boolean;
  output: 'table' | 'json' | 'yaml' | 'sarif' | 'markdown';
  runtime: RuntimeChoice;
  /** undefined = the detected Trainer schema. */
  target?: TargetVersion;
  /** --upgrade: can Training Operator v1 be removed from the cluster? */
  upgrade: boolean;
  /** --fail-on: the lowest impact that makes the exit code non-zero (warning: advisory ⇒ 3, blocking ⇒ 4; error: only blocking ⇒ 4). */
  failOn: 'warning' | 'error';
  /** Every --context given (several = one run per cluster), and --all-contexts. */
  contexts: string[];
  allContexts: boolean;
}

/** `kubectl trainjob readiness`: checks a cluster for the v1 job → TrainJob migration; exit 0 ready, 3 advisory, 4 blocked. */
export function readinessCommand(deps: Deps): CommandModule<GlobalFlags, ReadinessArgs> {
  return {
    command: 'readiness',
    describe: 'Check whether the cluster is ready to migrate v1 jobs (PyTorchJob, MPIJob, ... every kind) to TrainJobs',
    builder: (y) =>
      withClusterVerbFlags(y)
        .option('runtime', { type: 'string', describe: "Runtime the converted TrainJobs would reference [default: each kind's stock runtime]" })
        .option('runtime-kind', { type: 'string', default: 'ClusterTrainingRuntime', choices: ['ClusterTrainingRuntime', 'TrainingRuntime'], describe: 'Kind of --runtime' })
        .option('target-version', { type: 'string', describe: 'Trainer schema of the dry conversion (default: the one the cluster serves)' })
        .example('kubectl trainjob readiness -A', 'Check the whole cluster (table)')
        .option('report', { type: 'string', choices: ['table', 'json', 'yaml', 'sarif', 'markdown'], describe: 'Format of the report on stdout, as -o: sarif (SARIF 2.1.0, rule IDs = check IDs) for code scanning, markdown for a pull-request comment' })
        .option('context', { type: 'string', array: true, requiresArg: true, describe: 'The kubeconfig context to use; give it several times to check several clusters (concurrently, one report each plus a fleet summary)' })
        .option('all-contexts', { type: 'boolean', default: false, describe: 'Check every context of the kubeconfig (one report per cluster plus a fleet summary)' })
        .option('upgrade', { type: 'boolean', default: false, describe: 'Answer "can Training Operator v1 be removed from this cluster?" (all namespaces): DataScienceCluster components, live v1 jobs of every kind, v1 CRDs and operator, Kueue integrations and version, producers' })
        .option('fail-on', { type: 'string', choices: ['warning', 'error'], default: 'warning', describe: 'Lowest impact that fails the run: warning (advisory exits 3, blocking 4) or error (only blocking exits 4; advisory exits 0)' })
        .example('kubectl trainjob readiness -n team-a -o json', 'One namespace, machine-readable')
        .example('kubectl trainjob readiness --upgrade --context prod-east --context prod-west', 'Two clusters at once: a table each, then the fleet summary')
        .example('kubectl trainjob readiness --upgrade --fail-on error', 'CI gate before the OpenShift AI 3.6 upgrade: exit 4 only when something blocks')
        .example('kubectl trainjob readiness -A --report sarif > readiness.sarif', 'SARIF for CI code scanning')
        .epilogue('Exit codes: 0 ready, 3 advisory (warnings or checks you may not run; 0 with --fail-on error), 4 blocking, 1 error (no kubeconfig, unreachable cluster). Check IDs: docs/readiness.md.') as Argv<ReadinessArgs>,
    handler: async (argv) => runReadinessVerb(completeReadiness(argv), deps),
  };
}

/** Turns raw flags into validated options (usage errors here print usage). */
export function completeReadiness(argv: ReadinessArgs): ReadinessVerbOptions {
  const runtime = parseRuntime(argv.runtime, argv['runtime-kind']);
  // --context is an array here (repeatable); the connection options take the last one, as kubectl would.
  const raw = argv.context as unknown as string[] | string | undefined;
  const contexts = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const last = contexts[contexts.length - 1];
  const tv = argv['target-version'];
  const target = tv === undefined || tv === '' || tv === 'auto' ? undefined : parseTargetVersion(tv);
  return {
    cluster: clusterOptions({ ...argv, ...(last !== undefined ? { context: last } : {}) }),
    tuning: clusterTuning(argv),
    allNamespaces: Boolean(argv['all-namespaces']),
    output: readinessFormat(argv),
    contexts,
    allContexts: Boolean(argv['all-contexts']),
    runtime,
    ...(target ? { target } : {}),
    upgrade: Boolean(argv.upgrade),
    failOn: argv['fail-on'] === 'error' ? 'error' : 'warning',
  };
}

const FORMATS = ['table', 'json', 'yaml', 'sarif', 'markdown'] as const;

/** -o and --report name the same thing; given both, they must agree. */
function readinessFormat(argv: ReadinessArgs): ReadinessVerbOptions['output'] {
  const o = outputFormat(argv.output, FORMATS, 'table');
  if (argv.report === undefined) return o;
  const r = outputFormat(argv.report, FORMATS, 'table');
  if (argv.output !== undefined && o !== r) throw new UsageError(`-o ${argv.output} and --report ${argv.report} disagree`, 'Give one of them: --report sarif|markdown is the same as -o sarif|markdown.');
  return r;
}

/** Connects, runs the checks, prints the report on stdout and exits 0/3/4 by the verdict (several clusters: see runFleet). */
export async function runReadinessVerb(opts: ReadinessVerbOptions, deps: Deps): Promise<void> {
  const { fleetContexts } = await import('../cluster/index.js');
  const contexts = fleetContexts(opts.contexts, opts.allContexts, opts.cluster, deps.env);
  if (contexts) return runFleet(opts, contexts, deps);
  const { renderReadiness } = await import('../readiness/index.js');
  const report = await checkOneCluster(opts, opts.cluster, deps, deps.io.errIsTTY ? (l) => deps.io.err.write(`${l}\n`) : undefined);
  const width = Math.max(100, (deps.io.out as NodeJS.WriteStream).columns ?? 140);
  await writeChunk(deps.io.out, renderReadiness(report, opts.output, width));
  exitFor(report.summary.verdict, opts.failOn);
}

function exitFor(verdict: 'ready' | 'advisory' | 'blocked', failOn: 'warning' | 'error'): void {
  if (verdict === 'blocked') throw new ExitWith(ExitCode.BLOCKED);
  if (verdict === 'advisory' && failOn === 'warning') throw new ExitWith(ExitCode.WARNINGS);
}

/**
 * Several clusters: each is checked concurrently (at most FLEET_CONCURRENCY at once, each with its own
 * connection and rate limits); one that cannot be reached becomes an item with its error and the others go
 * on. Progress is one plain line per cluster on stderr. Exit: 1 when any cluster could not be checked, else
 * by the worst verdict (and --fail-on).
 */
async function runFleet(opts: ReadinessVerbOptions, contexts: string[], deps: Deps): Promise<void> {
  const { forEachCluster, FLEET_CONCURRENCY } = await import('../cluster/index.js');
  const { fleetReport, renderFleet } = await import('../readiness/fleet.js');
  let done = 0;
  const outcomes = await forEachCluster(contexts, opts.cluster, FLEET_CONCURRENCY, async (clusterOpts, context) => {
    try {
      return await checkOneCluster(opts, clusterOpts, deps);
    } finally {
      done++;
      deps.io.err.write(`[${done}/${contexts.length}] context ${context} checked\n`);
    }
  });
  for (const o of outcomes) if (!o.ok) deps.io.err.write(`error: context ${o.context}: ${o.error.message}\n`);
  const fleet = fleetReport(outcomes, opts.upgrade);
  const width = Math.max(100, (deps.io.out as NodeJS.WriteStream).columns ?? 140);
  await writeChunk(deps.io.out, renderFleet(fleet, opts.output, width));
  if (fleet.summary.verdict === 'error') throw new ExitWith(ExitCode.ERROR);
  exitFor(fleet.summary.verdict, opts.failOn);
}

/** Checks one cluster and returns its report (throws when the cluster cannot be reached). */
async function checkOneCluster(opts: ReadinessVerbOptions, clusterOpts: ReadinessVerbOptions['cluster'], deps: Deps, onProgress?: (line: string) => void): Promise<import('../readiness/index.js').ReadinessReport> {
  const { connect } = await import('../cluster/index.js');
  const { runReadiness } = await import('../readiness/index.js');
  const cluster = await connect(clusterOpts, deps.env, { ...opts.tuning, log: deps.log });
  try {
    // Progress only on a terminal: it is noise in CI logs and in tests.
    const progress = onProgress ? { progress: onProgress } : {};
    return opts.upgrade
      ? await (await import('../readiness/upgrade.js')).runUpgradeReadiness(cluster, progress.progress)
      : await runReadiness(cluster, {
          allNamespaces: opts.allNamespaces,
          namespace: cluster.namespace,
          runtime: opts.runtime,
          concurrency: opts.tuning.concurrency,
          ...(deps.relieveMemory ? { relieveMemory: deps.relieveMemory } : {}),
          ...(opts.target ? { target: (await import('../convert/targets/index.js')).getTarget(opts.target) } : {}),
          ...progress,
        });
  } finally {
    cluster.close();
  }
}
