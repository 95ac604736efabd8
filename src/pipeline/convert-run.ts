import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { finding } from '../convert/codes.js';
import { describeSourceKinds, OutputSchemaError, SOURCE_KINDS } from '../convert/index.js';
import { admitJobObjects, GeneratedRuntimeRegistry, isGeneratedRuntime } from '../convert/shared-runtimes.js';
import type { KubeObject } from '../convert/model.js';
import { getTarget, newestTarget } from '../convert/targets/index.js';
import type { Target } from '../convert/targets/types.js';
import { ExitCode, ExitWith, InputError, InternalError, OutputError, UsageError } from '../errors.js';
import { resolveInputs } from '../input/sources.js';
import type { Deps } from '../io.js';
import { ConvertReporter, jobReportOf, type FindingLocator } from '../render/convert-report.js';
import { DocumentLocator } from '../render/sarif.js';
import { TOOL_VERSION } from '../version.js';
import type { ConvertOptions } from './convert-options.js';
import { renderObjects } from '../render/objects.js';
import { convertSources, countLines } from './convert-files.js';
import { IdentityLedger } from './identities.js';
import { RunOutput } from './output-buffer.js';

function fileNameFor(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return `${ns ? `${ns}_` : ''}${obj.metadata.name ?? obj.metadata.generateName ?? 'trainjob'}.yaml`;
}

/** Resolves `--target-version auto` through the cluster; otherwise returns the fixed target. */
export async function resolveTarget(opts: ConvertOptions, deps: Deps): Promise<Target> {
  if (opts.target === undefined || opts.target === '') return newestTarget();
  if (opts.target !== 'auto') return getTarget(opts.target);
  const cluster = await import('../cluster/index.js');
  const conn = await cluster.connect(opts.cluster, deps.env, { log: deps.log });
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

/**
 * A lazy SARIF locator for one document: the YAML is parsed again with positions only when a finding
 * needs them. `item`: the text holds one item of a List read item by item, as `items[0]`.
 */
function locatorFor(text: string, startLine: number, item?: number): FindingLocator {
  let doc: DocumentLocator | undefined;
  const prefix = item === undefined ? undefined : `items[${item}]`;
  return (f) => {
    doc ??= new DocumentLocator(text, startLine);
    const path = prefix && f.path.startsWith(prefix) ? `items[0]${f.path.slice(prefix.length)}` : f.path;
    return doc.locate(path, f.subject?.kind, f.subject?.name);
  };
}

/** Runs the conversion: streams documents through the converter, writes objects, reports findings, sets the exit code. */
export async function runConvert(opts: ConvertOptions, deps: Deps): Promise<void> {
  // Outputs are checked before any input is read, so a bad path fails at once and names itself.
  const reportSink = opts.reportFile ? openReportFile(path.resolve(deps.cwd, opts.reportFile), opts.reportFile) : undefined;
  let staging: Staging | undefined;
  try {
    staging = opts.outputDir ? Staging.open(path.resolve(deps.cwd, opts.outputDir), opts.outputDir, opts.overwrite) : undefined;
  } catch (e) {
    reportSink?.discard();
    throw e;
  }
  let target: Target;
  let sources;
  try {
    target = await resolveTarget(opts, deps);
    if (!opts.inPlace && !opts.diff) sources = await resolveInputs(opts.files, opts.recursive, deps.cwd, deps.io.in);
  } catch (e) {
    reportSink?.discard();
    staging?.abort();
    throw e;
  }
  // --in-place and --diff rewrite (or diff) the input files themselves: their own run (src/inplace).
  if (!sources) return (await import('./convert-inplace.js')).runConvertInPlace(opts, deps, target, reportSink);
  const reporter = new ConvertReporter(opts.report, (s) => (reportSink ? reportSink.write(s) : deps.io.err.write(s)), target.version, opts.report === 'sarif' ? `${pathToFileURL(deps.cwd).href.replace(/\/?$/, '/')}` : undefined);
  const stdout = staging ? undefined : new RunOutput();
  let objectsSeen = 0;
  const identities = new IdentityLedger();
  let failed = false;
  try {
    const convertOpts = {
      target,
      runtime: opts.runtime,
      suffix: opts.suffix,
      envShim: opts.envShim,
      force: opts.force,
      toolVersion: TOOL_VERSION,
      ...(opts.namespace ? { defaultNamespace: opts.namespace, namespaceRule: { namespace: opts.namespace, override: opts.overrideNamespace } } : {}),
    };
    // Generated runtimes are named by content: emitted once per stream, however many jobs share one.
    const runtimes = new GeneratedRuntimeRegistry();
    let pieces = 0;
    let locate: FindingLocator | undefined;
    let located: string | undefined;
    for await (const doc of convertSources(sources, convertOpts, opts.report === 'sarif')) {
      if (doc.newDocument) reporter.summary.documents++;
      if (!doc.empty) objectsSeen++;
      if ((++pieces & 255) === 0) deps.relieveMemory?.();
      reporter.summary.inputLines += doc.lines;
      // The items of a List read whole share its text: one locator (one positional parse) for all of them.
      if (doc.text === undefined) locate = undefined;
      else if (doc.item !== undefined || doc.text !== located) locate = locatorFor(doc.text, doc.startLine ?? 1, doc.item);
      located = doc.item === undefined ? doc.text : undefined;
      if (doc.findings.length) reporter.other(doc.findings, locate);
      for (const job of doc.jobs) {
        let objects = job.objects;
        const runtime = objects.find((o) => o.kind === 'TrainingRuntime');
        let refused = job.refused;
        if (opts.strict && !refused && job.findings.some((f) => f.severity !== 'info')) {
          refused = true;
          objects = [];
          for (const f of job.findings) if (f.severity === 'warning') f.severity = 'error';
        }
        if (objects.length) {
          // A runtime already emitted in this stream is left out; one with the same name and other content refuses the job.
          const admitted = admitJobObjects(runtimes, objects, job.subject.source ?? job.subject.name, !staging, job.runtimeDigest);
          if (admitted.conflict) {
            job.findings.unshift({ ...admitted.conflict, subject: job.subject });
            refused = true;
          }
          objects = admitted.objects;
        }
        if (objects.length && !refused) {
          // generateName objects are new objects each time they are applied: no identity to clash.
          // Generated runtimes are shared and checked by the runtime registry above.
          const named = objects.filter((o) => o.metadata.name && !isGeneratedRuntime(o));
          const verdict = identities.check(named);
          const source = job.subject.source ?? '(input)';
          if (verdict.conflicts.length) {
            for (const c of verdict.conflicts) {
              job.findings.push({
                ...finding(
                  'KTJ-DUP-002',
                  'metadata.name',
                  `${c.label} from ${source} has the identity of a different ${c.object.kind} from ${c.firstSource}; applying both would let the second silently replace the first, so this job's objects are not emitted.`,
                  'Give the jobs distinct names or namespaces (files without a namespace all land in one namespace), or convert them in separate runs.',
                ),
                subject: job.subject,
              });
            }
            refused = true;
            objects = [];
          } else if (verdict.duplicates.length) {
            for (const d of verdict.duplicates) {
              job.findings.push({
                ...finding('KTJ-DUP-001', 'metadata.name', `${d.label} from ${source} is identical to the one from ${d.firstSource}; emitted once.`),
                subject: job.subject,
              });
            }
            const dup = new Set(verdict.duplicates.map((d) => d.object));
            objects = objects.filter((o) => !dup.has(o));
          }
          identities.record(named, source);
        }
        const trainJob = (refused ? objects : job.objects).find((o) => o.kind === 'TrainJob');
        const report = jobReportOf(job.subject, job.findings, refused, { trainJob: trainJob?.metadata.name, generatedRuntime: runtime?.metadata.name });
        reporter.job(report, locate);
        if (!objects.length) continue;
        const text = renderObjects(objects, opts.output);
        reporter.summary.outputLines += countLines(text);
        if (staging) staging.add(fileNameFor(objects.find((o) => o.kind === 'TrainJob') ?? objects[0]!), text);
        else stdout?.write(text);
      }
    }
    if (objectsSeen > 0 && reporter.summary.jobs === 0) {
      reporter.other([finding('KTJ-IN-007', '(input)', `No Training Operator v1 job found in ${describeSources(sources)}.`, `Pass manifests of kind ${describeSourceKinds()}.`)]);
    }
    if (objectsSeen > 0 && (reporter.summary.jobs > 0 || reporter.documentErrors > 0)) {
      if (staging) staging.commit();
      else await stdout?.commit(deps.io.out);
    }
  } catch (e) {
    failed = true;
    throw e instanceof OutputSchemaError ? new InternalError(e.message) : e;
  } finally {
    // Anything not committed above (a failed run, nothing to convert) leaves no output behind.
    staging?.abort();
    stdout?.discard();
    if (!failed || opts.report !== 'table') {
      reporter.finish(Math.max(100, (deps.io.err as NodeJS.WriteStream).columns ?? 140), reportSink || opts.report === 'none' ? (l) => deps.io.err.write(l) : undefined);
    }
    reportSink?.close();
  }
  const s = reporter.summary;
  if (objectsSeen === 0) {
    throw new InputError(`no objects passed to convert: ${describeSources(sources)} held no Kubernetes object`, `Pass ${kindList()} manifests with -f FILE (or -f - for standard input).`);
  }
  if (s.jobs === 0 && reporter.documentErrors === 0) {
    throw new InputError(`nothing to convert: no Training Operator v1 job in ${describeSources(sources)}`, `Pass manifests of kind ${describeSourceKinds()}; the other objects are listed above.`);
  }
  if (s.refused > 0 || reporter.documentErrors > 0) throw new ExitWith(ExitCode.BLOCKED);
  if (s.convertedWithWarnings > 0 || s.errors > 0 || s.warnings > 0) throw new ExitWith(ExitCode.WARNINGS);
}

/** The v1 kinds convert reads: `PyTorchJob, XGBoostJob, JAXJob`. */
function kindList(): string {
  return SOURCE_KINDS.map((k) => k.kind).join(', ');
}

function describeSources(sources: { name: string }[]): string {
  if (!sources.length) return 'the input';
  const names = sources.slice(0, 3).map((s) => s.name).join(', ');
  return sources.length > 3 ? `${names} and ${sources.length - 3} more file(s)` : names;
}

/** Error for an output path (--output-dir, --report-file) that cannot be written. */
function outputPathError(flag: string, shown: string, e: unknown): OutputError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const why =
    code === 'EACCES' || code === 'EPERM' || code === 'EROFS'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'it is a directory'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? flag === '--output-dir' ? 'it (or a part of its path) is a file, not a directory' : 'a part of its path is a file, not a directory'
          : code === 'ENOENT'
            ? 'its directory does not exist'
            : ((e as Error)?.message ?? String(e));
  const hint = flag === '--output-dir' ? 'Pass a directory you can write to (it is created if missing). Nothing was written.' : 'Pass a file path you can write to. Nothing was written.';
  return new OutputError(`${flag} "${shown}" cannot be written: ${why}`, hint);
}

/** The --report-file: opened (and so checked) before the run; written in batches; removed if the run cannot start. */
function openReportFile(file: string, shown: string) {
  let fd: number;
  try {
    fd = openSync(file, 'w');
  } catch (e) {
    throw outputPathError('--report-file', shown, e);
  }
  let pending: string[] = [];
  let size = 0;
  const flush = () => {
    if (!pending.length) return;
    writeSync(fd, pending.join(''));
    pending = [];
    size = 0;
  };
  return {
    write: (s: string) => {
      pending.push(s);
      size += s.length;
      if (size >= 256 * 1024) flush();
    },
    close: () => {
      flush();
      closeSync(fd);
    },
    discard: () => {
      closeSync(fd);
      rmSync(file, { force: true });
    },
  };
}

/**
 * Writes --output-dir files atomically: everything goes into a hidden staging directory first and
 * is renamed into place only when the whole run succeeded, so a failed run leaves no partial file.
 * Synchronous on purpose: one small file per job, and the thread-pool round trips of async fs calls
 * cost more than the writes themselves.
 */
class Staging {
  private files = new Set<string>();
  private done = false;
  private constructor(
    private readonly dir: string,
    private readonly shown: string,
    private readonly tmp: string,
    private readonly overwrite: boolean,
  ) {}

  static open(dir: string, shown: string, overwrite: boolean): Staging {
    try {
      mkdirSync(dir, { recursive: true });
      if (!statSync(dir).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      return new Staging(dir, shown, mkdtempSync(path.join(dir, '.kubectl-trainjob-')), overwrite);
    } catch (e) {
      throw outputPathError('--output-dir', shown, e);
    }
  }

  add(name: string, text: string): void {
    if (this.files.has(name)) throw new UsageError(`two jobs map to the same output file ${name}`, 'Give the jobs distinct names or namespaces.');
    this.files.add(name);
    writeFileSync(path.join(this.tmp, name), text, { flag: 'wx' });
  }

  commit(): void {
    if (!this.overwrite) {
      // One directory listing instead of a stat per file.
      const present = new Set(readdirSync(this.dir));
      const existing = [...this.files].filter((f) => present.has(f));
      if (existing.length) {
        throw new UsageError(`--output-dir ${this.shown} already holds ${existing.slice(0, 5).join(', ')}${existing.length > 5 ? ` and ${existing.length - 5} more` : ''}`, 'Pass --overwrite to replace them, or choose an empty directory. Nothing was written.');
      }
    }
    try {
      for (const f of this.files) renameSync(path.join(this.tmp, f), path.join(this.dir, f));
    } catch (e) {
      throw outputPathError('--output-dir', this.shown, e);
    }
    this.done = true;
  }

  /** Removes the staging directory (after a commit it holds nothing). */
  abort(): void {
    rmSync(this.tmp, { recursive: true, force: true });
    void this.done;
  }
}
