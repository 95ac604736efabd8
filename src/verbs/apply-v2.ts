import type { Argv, CommandModule } from 'yargs';
import { isForbidden, isResourceTypeMissing } from '../cluster/errors.js';
import { ExitCode, ExitWith, type CliError } from '../errors.js';
import { writeChunk, type Deps } from '../io.js';
import { applyConversion, appliedLine, ApplyConversionError, SharedRuntimeApplies, type AppliedObject, type DryRunMode } from '../live/apply.js';
import { asKubeObjects, mapOrdered, type ConversionEvent } from '../live/convert-live.js';
import { CONVERTIBLE_KINDS } from '../live/convertible.js';
import { describeJobCount } from '../live/kinds.js';
import { describeKinds, describeSelection } from '../live/select.js';
import { dryRunOption, FIELD_MANAGER_OPTION, outputFormat, parseDryRun } from './flags.js';
import { completeLiveVerb, FindingsLog, openConversions, printError, subjectName, withLiveVerbFlags, type LiveVerbArgs, type LiveVerbOptions } from './preview.js';

/** Raw flags of apply-v2. */
export interface ApplyV2Args extends LiveVerbArgs {
  'dry-run'?: string;
}

/** Validated options of apply-v2. */
export interface ApplyV2Options extends LiveVerbOptions {
  dryRun: DryRunMode;
  output: 'lines' | 'json' | 'name';
}

/** What happened to one v1 job: applied, refused by the converter, failed, or skipped after a stop. */
type JobStatus = 'applied' | 'refused' | 'failed' | 'skipped';

/** One item of the `-o json` report. */
interface JobReport {
  pytorchJob: { namespace?: string; name?: string; source?: string };
  status: JobStatus;
  objects: Array<{ kind: string; namespace?: string; name: string; action: string; wrote: boolean }>;
  findings: unknown[];
  error?: { message: string; hint?: string; object?: string };
}

/** `kubectl trainjob apply-v2`: server-side applies the converted TrainJobs (and generated runtimes), idempotently. */
export function applyV2Command(deps: Deps): CommandModule<any, ApplyV2Args> {
  return {
    command: 'apply-v2 [names..]',
    describe: 'Create or update the TrainJobs of v1 jobs (files or live jobs) with server-side apply',
    builder: (y) =>
      withLiveVerbFlags(y)
        .option('field-manager', FIELD_MANAGER_OPTION)
        .option('dry-run', dryRunOption('none, client (no writes, local comparison; a bare --dry-run means client) or server (the API server validates, nothing is stored)'))
        .example('kubectl trainjob apply-v2 -n team-a bert-finetune', 'Create the TrainJob of one live PyTorchJob (the PyTorchJob is left alone; mpijob/NAME for an MPIJob)')
        .example('kubectl trainjob apply-v2 -f jobs/ -R --dry-run=server', 'Let the API server judge a directory of manifests without writing')
        .example('kubectl trainjob apply-v2 -A -l team=nlp -o json', 'Every matching job, with a JSON report of what happened to each')
        .epilogue('Exit codes: 0 applied, 1 an API error (the message names the object), 3 applied with warnings, 4 a job was refused by the converter (--force applies it).') as unknown as Argv<ApplyV2Args>,
    handler: async (argv) => runApplyV2(completeApplyV2(argv), deps),
  };
}

/** Turns raw flags into apply-v2 options. */
export function completeApplyV2(argv: ApplyV2Args): ApplyV2Options {
  const dryRun: DryRunMode = parseDryRun(argv['dry-run'], ['client', 'server'] as const);
  return { ...completeLiveVerb(argv, 'apply-v2'), dryRun, output: outputFormat(argv.output, ['json', 'name'] as const, 'lines' as const) };
}

interface Outcome {
  event: ConversionEvent;
  applied: AppliedObject[];
  error?: CliError;
  skipped?: boolean;
}

/** Applies every selected job with bounded concurrency, prints kubectl-style lines (or a JSON report) and sets the exit code. */
export async function runApplyV2(opts: ApplyV2Options, deps: Deps): Promise<void> {
  const { cluster, convert, events } = await openConversions(opts, deps);
  const findings = new FindingsLog();
  const tally = { jobs: 0, applied: 0, refused: 0, failed: 0, skipped: 0, warned: 0, writes: 0 };
  /** Jobs per v1 kind (the summary line names them; the JSON summary carries them as `kinds`). */
  const kinds: Record<string, number> = {};
  // A Forbidden or a missing CRD fails every later job the same way: stop starting new ones and report the rest as skipped.
  let stop: string | undefined;
  const json = opts.output === 'json';
  let first = true;
  const emit = (r: JobReport): Promise<void> | void => {
    const chunk = `${first ? '' : ','}\n${JSON.stringify(r)}`;
    first = false;
    return writeChunk(deps.io.out, chunk);
  };
  if (json) await writeChunk(deps.io.out, `{"apiVersion":"kubectl-trainjob.io/v1alpha1","kind":"ApplyReport","target":${JSON.stringify(convert.target.version)},"dryRun":${JSON.stringify(opts.dryRun)},"items":[`);
  // With -o json or -o name the product on stdout is the report or the names; the kubectl-style lines go to stderr.
  const lines = (s: string): Promise<void> | void => (opts.output !== 'lines' ? void deps.io.err.write(s) : writeChunk(deps.io.out, s));

  // A generated runtime several jobs share is applied once; the other jobs report it unchanged.
  const sharedRuntimes = new SharedRuntimeApplies();
  // -v=2+: say when a TrainJob waits for Trainer's webhook to see the runtime applied just before it.
  const raceLog = deps.log && deps.log.verbosity >= 2 ? deps.log.write : undefined;
  const applyJob = async (event: ConversionEvent): Promise<Outcome> => {
    if (!('job' in event) || event.job.error || event.job.refused || !event.job.objects.length) return { event, applied: [] };
    if (stop) return { event, applied: [], skipped: true };
    try {
      return { event, applied: await applyConversion(cluster, asKubeObjects(event.job.objects), { dryRun: opts.dryRun, forceConflicts: opts.forceConflicts, ...(raceLog ? { log: raceLog } : {}) }, sharedRuntimes) };
    } catch (e) {
      if (!(e instanceof ApplyConversionError)) throw e;
      if (isForbidden(e.cause) || isResourceTypeMissing(e.cause)) stop ??= e.message;
      return { event, applied: e.applied, error: e };
    }
  };

  try {
    for await (const o of mapOrdered(events, opts.tuning.concurrency, applyJob)) {
      if (!('job' in o.event)) {
        findings.add(o.event.documentFindings);
        continue;
      }
      const job = o.event.job;
      tally.jobs++;
      kinds[job.subject.kind] = (kinds[job.subject.kind] ?? 0) + 1;
      findings.add(job.findings);
      for (const a of o.applied) {
        if (a.wrote) tally.writes++;
        await lines(`${appliedLine(a)}\n`);
        if (opts.output === 'name') await writeChunk(deps.io.out, `${a.ref.kind.toLowerCase()}.${a.ref.group}/${a.name}\n`);
      }
      const error = job.error ?? o.error;
      const status: JobStatus = o.skipped ? 'skipped' : error ? 'failed' : job.refused ? 'refused' : 'applied';
      tally[status]++;
      if (status === 'applied' && job.findings.some((f) => f.severity !== 'info')) tally.warned++;
      if (error) printError(deps, error);
      if (status === 'refused') deps.io.err.write(`${job.subject.kind} ${subjectName(job.subject)} refused: not applied because of error findings (see below; --force applies it anyway).\n`);
      if (json) {
        await emit({
          pytorchJob: { ...(job.subject.namespace ? { namespace: job.subject.namespace } : {}), ...(job.subject.name ? { name: job.subject.name } : {}), ...(job.subject.source ? { source: job.subject.source } : {}) },
          status,
          objects: o.applied.map((a) => ({ kind: a.kind, ...(a.namespace ? { namespace: a.namespace } : {}), name: a.name, action: a.action, wrote: a.wrote })),
          findings: job.findings.map(({ subject: _s, ...f }) => f),
          ...(error ? { error: { message: error.message, ...(error.hint ? { hint: error.hint } : {}), ...(error instanceof ApplyConversionError ? { object: error.failed } : {}) } } : {}),
        });
      }
    }
  } finally {
    cluster.close();
  }
  const stats = cluster.stats();
  if (json) await writeChunk(deps.io.out, `],\n"summary":${JSON.stringify({ ...tally, kinds, requests: { total: stats.total, byVerb: stats.byVerb, retries: stats.retries } })}}\n`);
  const table = findings.render(Math.max(100, (deps.io.err as NodeJS.WriteStream).columns ?? 140));
  if (table) deps.io.err.write(table);
  const dry = opts.dryRun === 'none' ? '' : ` (dry run: ${opts.dryRun})`;
  deps.io.err.write(
    `Applied ${tally.applied}/${describeJobCount(kinds)} as TrainJobs for Trainer ${convert.target.version}${dry}: ${tally.refused} refused, ${tally.failed} failed, ${tally.skipped} skipped; ${tally.writes} write${tally.writes === 1 ? '' : 's'}, ${stats.total} API requests.\n`,
  );
  if (stop && tally.skipped) deps.io.err.write(`Stopped after: ${stop}\n${tally.skipped} job${tally.skipped === 1 ? ' was' : 's were'} not attempted; fix the cause and run the same command again (jobs already applied report "unchanged").\n`);
  if (tally.jobs === 0 && !opts.files.length) deps.io.err.write(`No ${describeKinds(opts.selection, CONVERTIBLE_KINDS)} found ${describeSelection(opts.selection, cluster)}.\n`);
  if (tally.failed || tally.skipped) throw new ExitWith(ExitCode.ERROR);
  if (tally.refused) throw new ExitWith(ExitCode.BLOCKED);
  if (tally.warned) throw new ExitWith(ExitCode.WARNINGS);
}
