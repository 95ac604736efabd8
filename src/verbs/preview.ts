import { spawn } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import type { Cluster, KubeObject } from '../cluster/client.js';
import type { Finding, FindingSubject, RuntimeChoice } from '../convert/index.js';
import { parseTargetVersion } from '../convert/targets/versions.js';
import { CliError, ExitCode, ExitWith, UsageError, type ExitCodeValue } from '../errors.js';
import { resolveInputs } from '../input/sources.js';
import { writeChunk, type Deps } from '../io.js';
import { admitJobObjects, GeneratedRuntimeRegistry } from '../convert/shared-runtimes.js';
import { applyConversion, appliedLine, ApplyConversionError, SharedRuntimeApplies, type AppliedObject } from '../live/apply.js';
import { cleanManifest } from '../live/clean.js';
import {
  asKubeObjects, convertFileSources, convertLiveJobs, mapOrdered, resolveClusterTarget, RuntimeReader, type ConversionEvent, type JobConversion, type LiveConvertOptions,
} from '../live/convert-live.js';
import { describeKinds, describeSelection, type JobSelection } from '../live/select.js';
import { CONVERTIBLE_KINDS } from '../live/convertible.js';
import { describeJobCount } from '../live/kinds.js';
import { diffFileName, unifiedDiff } from '../render/diff.js';
import { renderFindingsTable } from '../render/findings-table.js';
import { TOOL_VERSION } from '../version.js';
import { toYaml } from '../yaml/index.js';
import { renderObjects } from '../render/objects.js';
import { withConversionFlags, type ConvertArgs } from './convert.js';
import { clusterOptions, clusterTuning, outputFormat, withClusterVerbFlags, withKindFlag, type ClusterTuning, type ClusterVerbFlags, type KindFlag, parseSuffix, parseRuntime, jobSelection } from './flags.js';

/** Raw flags shared by preview and apply-v2: conversion flags, selection flags and job names. */
export interface LiveVerbArgs extends ConvertArgs, ClusterVerbFlags, KindFlag {
  names?: string[];
  'force-conflicts'?: boolean;
}

/** Validated input and conversion options shared by preview and apply-v2. */
export interface LiveVerbOptions {
  /** Manifest files (-f); when empty, live jobs are selected. */
  files: string[];
  recursive: boolean;
  selection: JobSelection;
  /** --target-version, or undefined to detect it from the cluster. */
  targetVersion?: string;
  runtime: RuntimeChoice;
  suffix: string;
  strict: boolean;
  force: boolean;
  envShim: boolean;
  forceConflicts: boolean;
  tuning: ClusterTuning;
  flags: LiveVerbArgs;
}

/** Declares the flags preview and apply-v2 share: -f or job names, -l/-n/-A, conversion and tuning flags, --force-conflicts. */
export function withLiveVerbFlags<T>(y: Argv<T>): Argv<T & LiveVerbArgs> {
  return withKindFlag(withClusterVerbFlags(withConversionFlags(y)))
    .positional('names', { type: 'string', array: true, describe: 'Live jobs (in -n NAMESPACE): NAME for a PyTorchJob, TYPE/NAME for any v1 kind (mpijob/x); without names and -f, every job selected by -l/-n/-A' })
    .option('force-conflicts', { type: 'boolean', default: false, describe: 'Take ownership of fields another field manager owns (server-side apply force)' }) as unknown as Argv<T & LiveVerbArgs>;
}

/** Turns the shared raw flags into options; usage errors name the clash. */
export function completeLiveVerb(argv: LiveVerbArgs, verb: string): LiveVerbOptions {
  const names = (argv.names ?? []).filter((n) => n !== '');
  const files = argv.filename ?? [];
  if (files.length > 0 && (names.length > 0 || argv.selector || argv['all-namespaces'] || argv.kind)) {
    throw new UsageError('job names, --kind, -l and -A select live jobs and cannot be combined with -f', `Run kubectl trainjob ${verb} -f FILE, or kubectl trainjob ${verb} NAME... / -l SELECTOR / -A.`);
  }
  const tv = argv['target-version'];
  if (tv !== undefined && tv !== '' && tv !== 'auto') parseTargetVersion(tv); // validates early, with the list of valid values
  const suffix = parseSuffix(argv.suffix);
  const runtime = parseRuntime(argv.runtime, argv['runtime-kind']);
  const selection: JobSelection = jobSelection(names, argv);
  return {
    files,
    recursive: Boolean(argv.recursive),
    selection,
    ...(tv !== undefined && tv !== '' && tv !== 'auto' ? { targetVersion: tv } : {}),
    runtime,
    suffix,
    strict: Boolean(argv.strict),
    force: Boolean(argv.force),
    envShim: argv['env-shim'] !== false,
    forceConflicts: Boolean(argv['force-conflicts']),
    tuning: clusterTuning(argv),
    flags: argv,
  };
}

/** Connects, resolves the target and returns the stream of conversions (files or live jobs) for a live verb. */
export async function openConversions(opts: LiveVerbOptions, deps: Deps): Promise<{ cluster: Cluster; convert: LiveConvertOptions; events: AsyncGenerator<ConversionEvent> }> {
  const { connect } = await import('../cluster/index.js');
  const { tuning } = opts;
  const cluster = await connect(clusterOptions(opts.flags), deps.env, { qps: tuning.qps, burst: tuning.burst, pageSize: tuning.pageSize, log: deps.log });
  const note = (line: string): void => void deps.io.err.write(`${line}\n`);
  const target = await resolveClusterTarget(cluster, opts.targetVersion, note);
  const convert: LiveConvertOptions = { target, runtime: opts.runtime, suffix: opts.suffix, envShim: opts.envShim, force: opts.force, strict: opts.strict, toolVersion: TOOL_VERSION };
  const runtimes = new RuntimeReader(cluster, opts.runtime, note);
  const events = opts.files.length
    ? convertFileSources(await resolveInputs(opts.files, opts.recursive, deps.cwd, deps.io.in), opts.selection.namespace ?? cluster.namespace, convert, runtimes, opts.selection.namespace)
    : convertLiveJobs(cluster, opts.selection, convert, runtimes, opts.tuning.concurrency);
  return { cluster, convert, events };
}

/** Keeps the findings of a run for the table on stderr, bounded so memory stays flat over thousands of jobs. */
export class FindingsLog {
  static readonly LIMIT = 1000;
  private readonly rows: Finding[] = [];
  /** Findings seen, including those beyond the table's limit. */
  count = 0;
  add(findings: Finding[]): void {
    this.count += findings.length;
    for (const f of findings) if (this.rows.length < FindingsLog.LIMIT) this.rows.push(f);
  }
  /** The findings table (cli-table3), or "" when there were none. */
  render(width: number): string {
    if (!this.rows.length) return '';
    const more = this.count > this.rows.length ? `… and ${this.count - this.rows.length} more findings (use -o json for all of them).\n` : '';
    return `${renderFindingsTable(this.rows, width)}\n${more}`;
  }
}

/** `ns/name` of a finding subject. */
export function subjectName(s: FindingSubject): string {
  return `${s.namespace ? `${s.namespace}/` : ''}${s.name ?? '(unnamed)'}`;
}

/** Prints a ClusterError the way run.ts does, for errors that do not end the run. */
export function printError(deps: Deps, e: CliError): void {
  deps.io.err.write(`error: ${e.message}\n${e.hint ? `hint: ${e.hint}\n` : ''}`);
}

// --- preview ---------------------------------------------------------------------------------------

/** kubectl diff's exit code for errors (1 + 1: 1 already means "differences"). */
const PREVIEW_ERROR: ExitCodeValue = 2;

/** What preview prints on stdout: objects and diff (default), only the objects, or only the diff. */
type PreviewOutput = 'text' | 'yaml' | 'json' | 'diff';

/** Validated options of `preview`. */
export interface PreviewOptions extends LiveVerbOptions {
  output: PreviewOutput;
  /** KUBECTL_EXTERNAL_DIFF: program and its (filtered) flags, or undefined for the built-in diff. */
  externalDiff?: { program: string; args: string[] };
}

/** The result of previewing one job: its conversion, the server's dry-run verdict per object, and the diffs. */
interface PreviewedJob {
  event: ConversionEvent;
  applied: AppliedObject[];
  error?: CliError;
  /** One entry per object that would change: file name, live YAML ('' when absent) and predicted YAML. */
  changes: Array<{ file: string; live: string; merged: string }>;
}

/** Parses KUBECTL_EXTERNAL_DIFF like kubectl: split on spaces; flags that are not [a-zA-Z0-9-=]+ are dropped. */
export function externalDiffCommand(value: string | undefined): { program: string; args: string[] } | undefined {
  if (!value) return undefined;
  const [program, ...rest] = value.split(' ');
  if (!program) return undefined;
  return { program, args: rest.filter((a) => /^[a-zA-Z0-9-=]+$/.test(a)) };
}

/** `kubectl trainjob preview`: what migrating would create, judged by a server-side dry run, diffed against the live TrainJobs. */
export function previewCommand(deps: Deps): CommandModule<any, LiveVerbArgs> {
  return {
    command: 'preview [names..]',
    describe: 'Show the TrainJobs a migration would create, diffed against the live ones and checked by a server-side dry run',
    builder: (y) =>
      withLiveVerbFlags(y)
        .example('kubectl trainjob preview -n team-a bert-finetune', 'One live job: objects, findings, dry-run verdict, diff')
        .example('kubectl trainjob preview -A -l team=nlp -o diff', 'Only the diff, for every matching job (exit 1 when anything would change)')
        .example('KUBECTL_EXTERNAL_DIFF="meld" kubectl trainjob preview -f job.yaml', 'Compare with your own diff program')
        .option('context', { type: 'string', array: true, requiresArg: true, describe: 'The kubeconfig context to use; give it several times to preview on several clusters (one section each)' })
        .option('all-contexts', { type: 'boolean', default: false, describe: 'Preview on every context of the kubeconfig' })
        .epilogue('Exit codes (as kubectl diff): 0 no differences, 1 differences, 2 error (API error, dry-run rejection, missing job or runtime, usage), 4 a job was refused by the converter. Several clusters: 2 when any cluster failed, else the highest of 4, 1, 0.') as unknown as Argv<LiveVerbArgs>,
    handler: async (argv) => {
      // --context is an array here (repeatable); the connection options take the last one, as kubectl would.
      const raw = (argv as { context?: string[] | string }).context;
      const contexts = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      const single = { ...argv, ...(contexts.length ? { context: contexts[contexts.length - 1] } : {}) } as LiveVerbArgs;
      const { fleetContexts } = await import('../cluster/index.js');
      const fleet = fleetContexts(contexts, Boolean((argv as { 'all-contexts'?: boolean })['all-contexts']), clusterOptions(single), deps.env);
      if (fleet) return runPreviewFleet(completePreview(single, deps.env), fleet, deps);
      try {
        await runPreview(completePreview(single, deps.env), deps);
      } catch (e) {
        // Exit code 1 means "differences" here, so every ordinary failure moves to 2, like kubectl diff.
        if (e instanceof CliError && !(e instanceof ExitWith) && e.exitCode === ExitCode.ERROR) throw new CliError(e.message, PREVIEW_ERROR, e.hint);
        throw e;
      }
    },
  };
}

/** The exit code one preview run ended with (kubectl diff's: ordinary errors are 2). */
async function previewExitCode(run: () => Promise<void>): Promise<{ code: ExitCodeValue; error?: CliError | Error }> {
  try {
    await run();
    return { code: ExitCode.OK };
  } catch (e) {
    if (e instanceof ExitWith) return { code: e.exitCode };
    if (e instanceof CliError) return { code: e.exitCode === ExitCode.ERROR ? PREVIEW_ERROR : e.exitCode, error: e };
    return { code: PREVIEW_ERROR, error: e instanceof Error ? e : new Error(String(e)) };
  }
}

/**
 * preview on several clusters: each runs concurrently (at most FLEET_CONCURRENCY) with its output captured,
 * then each cluster's output is printed under `=== context NAME ===` (`# context: NAME` for YAML), or with -o
 * json one object whose items carry their `cluster`. A cluster that fails is reported and the others go on.
 * Exit: 2 when any cluster failed, else 4 when a job was refused, else 1 when anything would change, else 0.
 */
async function runPreviewFleet(opts: PreviewOptions, contexts: string[], deps: Deps): Promise<void> {
  const { forEachCluster, FLEET_CONCURRENCY } = await import('../cluster/index.js');
  const { capturedDeps } = await import('../io.js');
  let done = 0;
  const outcomes = await forEachCluster(contexts, clusterOptions(opts.flags), FLEET_CONCURRENCY, async (_cluster, context) => {
    const c = capturedDeps(deps);
    const r = await previewExitCode(() => runPreview({ ...opts, flags: { ...opts.flags, context } }, c.deps));
    done++;
    deps.io.err.write(`[${done}/${contexts.length}] context ${context} previewed\n`);
    return { ...r, out: c.out.text, err: c.err.text };
  });
  const rank = (code: number) => (code === PREVIEW_ERROR ? 3 : code === ExitCode.BLOCKED ? 2 : code === 1 ? 1 : 0);
  let worst: ExitCodeValue = ExitCode.OK;
  const items: unknown[] = [];
  let text = '';
  for (const o of outcomes) {
    const r = o.ok ? o.value : { code: PREVIEW_ERROR, error: o.error, out: '', err: '' };
    if (rank(r.code) > rank(worst)) worst = r.code as ExitCodeValue;
    for (const line of r.err.split('\n').filter(Boolean)) deps.io.err.write(`[${o.context}] ${line}\n`);
    if (r.error) deps.io.err.write(`error: context ${o.context}: ${r.error.message}\n`);
    if (opts.output === 'json') {
      let output: unknown = r.out;
      try {
        output = r.out.trim() ? JSON.parse(r.out) : null;
      } catch {
        /* not JSON: kept as text */
      }
      items.push({ cluster: { context: o.context }, exitCode: r.code, ...(r.error ? { error: { message: r.error.message, ...((r.error as CliError).hint ? { hint: (r.error as CliError).hint } : {}) } } : {}), output });
    } else {
      const head = opts.output === 'yaml' ? `# context: ${o.context}\n` : `=== context ${o.context} ===\n`;
      text += `${head}${r.out}${r.error ? `error: ${r.error.message}\n` : ''}${opts.output === 'yaml' ? '' : '\n'}`;
    }
  }
  await writeChunk(deps.io.out, opts.output === 'json' ? `${JSON.stringify({ kind: 'FleetPreview', items }, null, 2)}\n` : text);
  if (worst !== ExitCode.OK) throw new ExitWith(worst);
}

/** Turns raw flags into preview options. */
export function completePreview(argv: LiveVerbArgs, env: NodeJS.ProcessEnv): PreviewOptions {
  const base = completeLiveVerb(argv, 'preview');
  const output = outputFormat(argv.output, ['yaml', 'json', 'diff'] as const, 'text' as PreviewOutput);
  const externalDiff = externalDiffCommand(env.KUBECTL_EXTERNAL_DIFF);
  return { ...base, output, ...(externalDiff ? { externalDiff } : {}) };
}

function diffYaml(obj: KubeObject | undefined): string {
  // Server-owned fields (uid, resourceVersion, managedFields, status, ...) would show as noise on every run.
  return obj ? toYaml(cleanManifest(obj)) : '';
}

async function previewJob(cluster: Cluster, event: ConversionEvent, opts: PreviewOptions, sharedRuntimes: SharedRuntimeApplies): Promise<PreviewedJob> {
  const done: PreviewedJob = { event, applied: [], changes: [] };
  if (!('job' in event) || event.job.error || !event.job.objects.length) return done;
  try {
    done.applied = await applyConversion(cluster, asKubeObjects(event.job.objects), { dryRun: 'server', forceConflicts: opts.forceConflicts }, sharedRuntimes);
  } catch (e) {
    if (!(e instanceof ApplyConversionError)) throw e;
    done.applied = e.applied;
    done.error = e;
  }
  for (const a of done.applied) {
    if (a.action === 'unchanged') continue;
    const file = diffFileName(a.result.apiVersion ?? `${a.ref.group}/${a.ref.version}`, a.kind, a.namespace, a.name);
    done.changes.push({ file, live: diffYaml(a.live), merged: diffYaml(a.result) });
  }
  return done;
}

/** Runs preview: converts, dry-runs each job's objects on the server, prints objects and diffs, sets the diff exit code. */
export async function runPreview(opts: PreviewOptions, deps: Deps): Promise<void> {
  const { cluster, convert, events } = await openConversions(opts, deps);
  const findings = new FindingsLog();
  const out = (s: string): Promise<void> | void => writeChunk(deps.io.out, s);
  const err = (s: string): void => void deps.io.err.write(s);
  const dirs = opts.externalDiff && opts.output !== 'yaml' && opts.output !== 'json' ? await DiffDirs.create() : undefined;
  const tally = { jobs: 0, unchanged: 0, created: 0, configured: 0, refused: 0, failed: 0 };
  /** Jobs per v1 kind, for the summary line. */
  const kinds: Record<string, number> = {};
  let differences = false;
  // A generated runtime several jobs share is dry-run and printed once.
  const sharedRuntimes = new SharedRuntimeApplies();
  const printed = new GeneratedRuntimeRegistry();
  try {
    for await (const p of mapOrdered(events, opts.tuning.concurrency, (ev) => previewJob(cluster, ev, opts, sharedRuntimes))) {
      if (!('job' in p.event)) {
        findings.add(p.event.documentFindings);
        continue;
      }
      const job: JobConversion = p.event.job;
      tally.jobs++;
      kinds[job.subject.kind] = (kinds[job.subject.kind] ?? 0) + 1;
      findings.add(job.findings);
      if (job.error) {
        tally.failed++;
        printError(deps, job.error);
        continue;
      }
      if (job.refused) {
        tally.refused++;
        err(`${job.subject.kind} ${subjectName(job.subject)} refused: error findings below (--force converts it anyway).\n`);
        continue;
      }
      const objects = admitJobObjects(printed, job.objects, job.subject.source ?? job.subject.name, true).objects;
      if (opts.output === 'yaml' || opts.output === 'json') await out(renderObjects(objects, opts.output));
      if (opts.output === 'text') await out(renderObjects(objects, 'yaml'));
      for (const a of p.applied) err(`${appliedLine(a)}\n`);
      if (p.error) {
        tally.failed++;
        printError(deps, p.error);
      } else {
        const tj = p.applied[p.applied.length - 1];
        if (tj) tally[tj.action]++;
      }
      if (p.changes.length) differences = true;
      for (const c of p.changes) {
        if (dirs) await dirs.add(c.file, c.live, c.merged);
        // In the default view a new object is already printed in full above; the diff is for changes to live ones.
        else if (opts.output === 'diff' || (opts.output === 'text' && c.live !== '')) {
          await out(`diff -u -N LIVE/${c.file} MERGED/${c.file}\n${unifiedDiff(c.live, c.merged, { fromLabel: `LIVE/${c.file}`, toLabel: `MERGED/${c.file}` })}`);
        }
      }
    }
    const table = findings.render(Math.max(100, (deps.io.err as NodeJS.WriteStream).columns ?? 140));
    if (table) err(table);
    err(
      `Preview for Trainer ${convert.target.version}: ${describeJobCount(kinds)}; TrainJobs: ${tally.created} to create, ${tally.configured} to change, ${tally.unchanged} unchanged; ${tally.refused} refused, ${tally.failed} failed.\n`,
    );
    if (tally.jobs === 0 && !opts.files.length) err(`No ${describeKinds(opts.selection, CONVERTIBLE_KINDS)} found ${describeSelection(opts.selection, cluster)}.\n`);
    let code: ExitCodeValue = tally.failed > 0 ? PREVIEW_ERROR : tally.refused > 0 ? ExitCode.BLOCKED : differences ? ExitCode.ERROR : ExitCode.OK;
    if (dirs && opts.externalDiff) {
      const status = await dirs.run(opts.externalDiff, deps);
      if (status > 1) {
        err(`error: ${opts.externalDiff.program} (KUBECTL_EXTERNAL_DIFF) exited with status ${status}\n`);
        code = PREVIEW_ERROR;
      } else if (code === ExitCode.OK || code === ExitCode.ERROR) code = status as ExitCodeValue;
    }
    if (code !== ExitCode.OK) throw new ExitWith(code);
  } finally {
    await dirs?.remove();
    cluster.close();
  }
}

/** The two directories kubectl diff hands to the diff program: LIVE-* (current objects) and MERGED-* (after apply). */
class DiffDirs {
  private constructor(
    readonly live: string,
    readonly merged: string,
  ) {}

  static async create(): Promise<DiffDirs> {
    return new DiffDirs(await fs.mkdtemp(path.join(os.tmpdir(), 'LIVE-')), await fs.mkdtemp(path.join(os.tmpdir(), 'MERGED-')));
  }

  async add(file: string, live: string, merged: string): Promise<void> {
    // A new object has no LIVE file, as with kubectl diff; the program sees it as added (diff -N).
    if (live !== '') await fs.writeFile(path.join(this.live, file), live);
    await fs.writeFile(path.join(this.merged, file), merged);
  }

  /** Runs `program LIVE MERGED flags...` (kubectl's argument order) with its output passed through; returns its exit status. */
  run(cmd: { program: string; args: string[] }, deps: Deps): Promise<number> {
    return new Promise((resolve) => {
      const child = spawn(cmd.program, [this.live, this.merged, ...cmd.args], { stdio: ['ignore', 'pipe', 'pipe'], env: deps.env });
      child.stdout.on('data', (d: Buffer) => deps.io.out.write(d));
      child.stderr.on('data', (d: Buffer) => deps.io.err.write(d));
      child.on('error', (e) => {
        deps.io.err.write(`error: cannot run ${cmd.program} (KUBECTL_EXTERNAL_DIFF): ${e.message}\n`);
        resolve(127);
      });
      child.on('close', (code, signal) => resolve(code ?? (signal ? 128 : 2)));
    });
  }

  async remove(): Promise<void> {
    await fs.rm(this.live, { recursive: true, force: true });
    await fs.rm(this.merged, { recursive: true, force: true });
  }
}
