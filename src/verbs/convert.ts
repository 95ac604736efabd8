import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { OutputSchemaError } from '../convert/index.js';
import type { KubeObject } from '../convert/model.js';
import type { RuntimeChoice } from '../convert/plan.js';
import { getTarget, newestTarget } from '../convert/targets/index.js';
import type { Target } from '../convert/targets/types.js';
import { ExitCode, ExitWith, InternalError, UsageError } from '../errors.js';
import { resolveInputs } from '../input/sources.js';
import { writeChunk, type Deps } from '../io.js';
import { convertSources } from '../pipeline/convert-files.js';
import { ConvertReporter, type JobReport, type ReportFormat } from '../render/convert-report.js';
import { TOOL_VERSION } from '../version.js';
import { toYaml } from '../yaml/index.js';
import { finding } from '../convert/codes.js';
import { clusterOptions, outputFormat, type GlobalFlags } from './flags.js';

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
}

/** Validated options of `convert`. */
export interface ConvertOptions {
  files: string[];
  recursive: boolean;
  /** A fixed target, or 'auto' to ask the cluster. */
  target: Target | 'auto';
  runtime: RuntimeChoice;
  suffix: string;
  output: 'yaml' | 'json';
  outputDir?: string;
  overwrite: boolean;
  report: ReportFormat;
  reportFile?: string;
  strict: boolean;
  force: boolean;
  envShim: boolean;
  namespace?: string;
  flags: GlobalFlags;
}

const DNS_SUFFIX = /^[-a-z0-9]*$/;

/** Declares the flags of `convert` (shared with preview and apply-v2, which read files the same way). */
export function withConversionFlags<T>(y: Argv<T>): Argv<T> {
  return y
    .option('filename', { alias: 'f', type: 'string', array: true, describe: 'File or directory of PyTorchJob manifests (YAML or JSON); - for standard input. Repeatable' })
    .option('recursive', { alias: 'R', type: 'boolean', default: false, describe: 'Process the directory used in -f recursively' })
    .option('target-version', { type: 'string', describe: 'Trainer schema to emit: v2.0, v2.1, v2.2, v2.3 (default: newest), or auto (ask the cluster)' })
    .option('runtime', { type: 'string', default: 'torch-distributed', describe: 'Runtime the TrainJobs reference' })
    .option('runtime-kind', { type: 'string', default: 'ClusterTrainingRuntime', choices: ['ClusterTrainingRuntime', 'TrainingRuntime'], describe: 'Kind of --runtime' })
    .option('suffix', { type: 'string', requiresArg: true, describe: 'Appended to each PyTorchJob name to form the TrainJob name, e.g. --suffix v2 gives NAME-v2 (default: same name)' })
    .option('strict', { type: 'boolean', default: false, describe: 'Refuse jobs with warnings too (exit 4)' })
    .option('force', { type: 'boolean', default: false, describe: 'Convert jobs despite error findings that do not make the output invalid (exit 3)' })
    .option('env-shim', { type: 'boolean', default: true, describe: 'Add RANK/WORLD_SIZE/MASTER_ADDR/MASTER_PORT where the entrypoint relied on v1 injecting them (--no-env-shim to disable)' }) as Argv<T>;
}

/** `kubectl trainjob convert`: PyTorchJob manifests in, TrainJob manifests out; never contacts a cluster (unless --target-version auto). */
export function convertCommand(deps: Deps): CommandModule<GlobalFlags, ConvertArgs> {
  return {
    command: 'convert [files..]',
    describe: 'Convert PyTorchJob manifests to TrainJob manifests (offline)',
    builder: (y) =>
      withConversionFlags(y)
        .positional('files', { type: 'string', array: true, describe: 'Files or directories to convert (same as -f)' })
        .option('output-dir', { type: 'string', describe: 'Write one file per job into this directory instead of stdout' })
        .option('overwrite', { type: 'boolean', default: false, describe: 'Allow --output-dir to replace existing files' })
        .option('report', { type: 'string', choices: ['table', 'json', 'yaml', 'none'], default: 'table', describe: 'Format of the findings report on stderr' })
        .option('report-file', { type: 'string', describe: 'Write the findings report to this file instead of stderr' })
        .example('kubectl trainjob convert -f pytorchjob.yaml', 'Convert one file; TrainJobs on stdout, findings on stderr')
        .example('kubectl get pytorchjobs -o yaml | kubectl trainjob convert -f - | kubectl apply -f -', 'Convert live jobs and create the TrainJobs')
        .example('kubectl trainjob convert -R -f jobs/ --output-dir out/ --target-version v2.1', 'A directory tree for Trainer v2.1, one file per job')
        .example('kubectl trainjob convert -f job.yaml --report json --report-file findings.json', 'Machine-readable findings') as Argv<ConvertArgs>,
    handler: async (argv) => runConvert(completeConvert(argv), deps),
  };
}

/** Turns raw flags into validated options (usage errors here print usage). */
export function completeConvert(argv: ConvertArgs): ConvertOptions {
  const files = [...(argv.filename ?? []), ...(argv.files ?? [])];
  const tv = argv['target-version'];
  const target = tv === undefined || tv === '' ? newestTarget() : tv === 'auto' ? 'auto' : getTarget(tv);
  // `--suffix v2` and `--suffix=-v2` both give NAME-v2 (a value starting with "-" would read as a flag).
  const rawSuffix = argv.suffix ?? '';
  const suffix = rawSuffix === '' || rawSuffix.startsWith('-') ? rawSuffix : `-${rawSuffix}`;
  if (!DNS_SUFFIX.test(suffix)) throw new UsageError(`invalid --suffix "${suffix}"`, "Use lower-case letters, digits and '-' only, e.g. --suffix=-v2.");
  const runtimeName = argv.runtime ?? 'torch-distributed';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(runtimeName)) throw new UsageError(`invalid --runtime "${runtimeName}"`, 'A runtime name is a DNS subdomain, e.g. torch-distributed.');
  if (argv.strict && argv.force) throw new UsageError('--strict and --force cannot be combined', '--strict refuses more jobs, --force fewer; choose one.');
  const output = outputFormat(argv.output, ['yaml', 'json'] as const, 'yaml');
  if (argv.overwrite && !argv['output-dir']) throw new UsageError('--overwrite needs --output-dir');
  const opts: ConvertOptions = {
    files,
    recursive: Boolean(argv.recursive),
    target,
    runtime: { name: runtimeName, kind: (argv['runtime-kind'] ?? 'ClusterTrainingRuntime') as RuntimeChoice['kind'] },
    suffix,
    output,
    overwrite: Boolean(argv.overwrite),
    report: (argv.report ?? 'table') as ReportFormat,
    strict: Boolean(argv.strict),
    force: Boolean(argv.force),
    envShim: argv['env-shim'] !== false,
    flags: argv,
  };
  if (argv['output-dir']) opts.outputDir = argv['output-dir'];
  if (argv['report-file']) opts.reportFile = argv['report-file'];
  if (argv.namespace) opts.namespace = argv.namespace;
  if (files.length === 0) throw new UsageError('no input given', 'Pass files with -f FILE (or -f - for standard input), e.g. kubectl trainjob convert -f job.yaml.');
  return opts;
}

function fileNameFor(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return `${ns ? `${ns}_` : ''}${obj.metadata.name ?? obj.metadata.generateName ?? 'trainjob'}.yaml`;
}

/** Resolves `--target-version auto` through the cluster; otherwise returns the fixed target. */
async function resolveTarget(opts: ConvertOptions, deps: Deps): Promise<Target> {
  if (opts.target !== 'auto') return opts.target;
  const cluster = await import('../cluster/index.js');
  const conn = await cluster.connect(clusterOptions(opts.flags), deps.env);
  const found = await cluster.discoverTrainer(conn);
  if (!found.schema) {
    throw new UsageError(
      `--target-version auto: the cluster serves no TrainJob schema (${found.evidence.join('; ')})`,
      'Install Trainer v2, or pass an explicit --target-version.',
    );
  }
  deps.io.err.write(`Detected Trainer schema ${found.schema} (${found.evidence.join('; ')}).\n`);
  return getTarget(found.schema);
}

/** Runs the conversion: streams documents through the converter, writes objects, reports findings, sets the exit code. */
export async function runConvert(opts: ConvertOptions, deps: Deps): Promise<void> {
  const target = await resolveTarget(opts, deps);
  const sources = await resolveInputs(opts.files, opts.recursive, deps.cwd, deps.io.in);
  const reportSink = opts.reportFile ? await openReportFile(path.resolve(deps.cwd, opts.reportFile)) : undefined;
  const reporter = new ConvertReporter(opts.report, (s) => (reportSink ? reportSink.write(s) : deps.io.err.write(s)), target.version);
  const staging = opts.outputDir ? await Staging.open(path.resolve(deps.cwd, opts.outputDir), opts.overwrite) : undefined;
  let first = true;
  try {
    const convertOpts = {
      target,
      runtime: opts.runtime,
      suffix: opts.suffix,
      envShim: opts.envShim,
      force: opts.force,
      toolVersion: TOOL_VERSION,
      ...(opts.namespace ? { defaultNamespace: opts.namespace } : {}),
    };
    for await (const doc of convertSources(sources, convertOpts)) {
      reporter.summary.documents++;
      if ((reporter.summary.documents & 255) === 0) deps.relieveMemory?.();
      reporter.summary.inputLines += doc.lines;
      if (doc.findings.length) reporter.other(doc.findings);
      for (const job of doc.jobs) {
        let objects = job.objects;
        const hasWarnings = job.findings.some((f) => f.severity !== 'info');
        let refused = job.refused;
        if (opts.strict && !refused && hasWarnings) {
          refused = true;
          objects = [];
          for (const f of job.findings) if (f.severity === 'warning') f.severity = 'error';
        }
        const trainJob = objects.find((o) => o.kind === 'TrainJob');
        const runtime = objects.find((o) => o.kind === 'TrainingRuntime');
        const report: JobReport = {
          kind: 'PyTorchJob',
          status: refused ? 'refused' : hasWarnings ? 'converted-with-warnings' : 'converted',
          findings: job.findings,
          ...(job.subject.namespace ? { namespace: job.subject.namespace } : {}),
          ...(job.subject.name ? { name: job.subject.name } : {}),
          ...(job.subject.source ? { source: job.subject.source } : {}),
          ...(trainJob?.metadata.name ? { trainJob: trainJob.metadata.name } : {}),
          ...(runtime?.metadata.name ? { generatedRuntime: runtime.metadata.name } : {}),
        };
        reporter.job(report);
        if (!objects.length) continue;
        const text = renderObjects(objects, opts.output);
        reporter.summary.outputLines += countLines(text);
        if (staging && trainJob) await staging.add(fileNameFor(trainJob), text);
        else {
          await writeChunk(deps.io.out, (first || opts.output === 'json' ? '' : '') + text);
          first = false;
        }
      }
    }
    if (reporter.summary.pytorchJobs === 0) {
      reporter.other([finding('KTJ-IN-007', '(input)', `No PyTorchJob found in ${sources.map((s) => s.name).join(', ') || 'the input'}.`, 'Pass manifests of kind PyTorchJob (apiVersion kubeflow.org/v1).')]);
    }
    if (staging) await staging.commit();
  } catch (e) {
    if (staging) await staging.abort();
    if (e instanceof OutputSchemaError) throw new InternalError(e.message);
    throw e;
  } finally {
    reporter.finish(Math.max(100, (deps.io.err as NodeJS.WriteStream).columns ?? 140), reportSink || opts.report === 'none' ? (l) => deps.io.err.write(l) : undefined);
    if (reportSink) await reportSink.close();
  }
  const s = reporter.summary;
  if (s.refused > 0 || reporter.documentErrors > 0) throw new ExitWith(ExitCode.BLOCKED);
  if (s.errors > 0 || s.warnings > 0) throw new ExitWith(ExitCode.WARNINGS);
}

function countLines(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/** Renders the objects of one job: a `---`-separated YAML stream, or one JSON object per line block. */
export function renderObjects(objects: KubeObject[], format: 'yaml' | 'json'): string {
  if (format === 'json') return objects.map((o) => `${JSON.stringify(o, null, 2)}\n`).join('');
  return objects.map((o) => `---\n${toYaml(o)}`).join('');
}

async function openReportFile(file: string) {
  const handle = await fs.open(file, 'w');
  let chain: Promise<unknown> = Promise.resolve();
  return {
    write: (s: string) => {
      chain = chain.then(() => handle.write(s));
    },
    close: async () => {
      await chain;
      await handle.close();
    },
  };
}

/**
 * Writes --output-dir files atomically: everything goes into a hidden staging directory first and
 * is renamed into place only when the whole run succeeded, so a failed run leaves no partial file.
 */
class Staging {
  private files: string[] = [];
  private constructor(
    private readonly dir: string,
    private readonly tmp: string,
    private readonly overwrite: boolean,
  ) {}

  static async open(dir: string, overwrite: boolean): Promise<Staging> {
    await fs.mkdir(dir, { recursive: true });
    const tmp = await fs.mkdtemp(path.join(dir, '.kubectl-trainjob-'));
    return new Staging(dir, tmp, overwrite);
  }

  async add(name: string, text: string): Promise<void> {
    if (this.files.includes(name)) throw new UsageError(`two jobs map to the same output file ${name}`, 'Give the jobs distinct names or namespaces.');
    this.files.push(name);
    await fs.writeFile(path.join(this.tmp, name), text, { flag: 'wx' });
  }

  async commit(): Promise<void> {
    if (!this.overwrite) {
      const existing: string[] = [];
      for (const f of this.files) {
        try {
          await fs.access(path.join(this.dir, f));
          existing.push(f);
        } catch {
          /* does not exist: fine */
        }
      }
      if (existing.length) {
        await this.abort();
        throw new UsageError(`--output-dir ${this.dir} already holds ${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ` and ${existing.length - 5} more` : ''}`, 'Pass --overwrite to replace them, or choose an empty directory. Nothing was written.');
      }
    }
    for (const f of this.files) await fs.rename(path.join(this.tmp, f), path.join(this.dir, f));
    await fs.rm(this.tmp, { recursive: true, force: true });
  }

  async abort(): Promise<void> {
    await fs.rm(this.tmp, { recursive: true, force: true });
  }
}
