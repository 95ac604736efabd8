// `convert --in-place` and `convert --diff`: the IO around the pure file rewrite (src/inplace). Every file
// is read and planned first; only when the whole run read cleanly are files written (or diffs printed), so
// a syntax error anywhere leaves every file as it was.
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, existsSync, constants as fsConstants, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { finding } from '../convert/codes.js';
import { convertDocument, describeSourceKinds, OutputSchemaError, SOURCE_KINDS, type FindingSubject } from '../convert/index.js';
import type { Target } from '../convert/targets/types.js';
import { ExitCode, ExitWith, InputError, InternalError } from '../errors.js';
import { planFile, type DocumentConversion, type FilePlan, type JobConversion } from '../inplace/file.js';
import { checkKustomization, KUSTOMIZATION_FILE, KUSTOMIZATION_NAMES, patchFiles, type RewrittenIdentity } from '../inplace/kustomize.js';
import { resolveInputs } from '../input/sources.js';
import { writeChunk, type Deps } from '../io.js';
import { ConvertReporter, jobReportOf, type FileReport, type FindingLocator } from '../render/convert-report.js';
import { DocumentLocator } from '../render/sarif.js';
import { unifiedDiff } from '../render/diff.js';
import { TOOL_VERSION } from '../version.js';
import type { ConvertOptions } from './convert-options.js';
import { applyNamespace } from './namespace.js';
import { parseDocument, readDocuments, YamlSyntaxError } from '../yaml/index.js';
import { countLines } from './convert-files.js';

/** "Left out of the output" findings that do not apply in place, where every other object stays in its file. */
const STAY_IN_PLACE = new Set(['KTJ-IN-002', 'KTJ-IN-004']);

/** A file read and planned, waiting to be written or diffed. */
interface PlannedFile {
  name: string;
  full: string;
  original: string;
  stat: { mtimeMs: number; size: number; mode: number };
  plan: FilePlan;
}

function describe(s: FindingSubject): string {
  return `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name ?? '(unnamed)'}`;
}

/** Where the report goes when --report-file is given (opened, and so checked, before the run). */
export interface ReportSink {
  write(chunk: string): void;
  close(): void;
  discard(): void;
}

/** Runs convert --in-place / --diff over files and directories; exit codes as for convert. */
export async function runConvertInPlace(opts: ConvertOptions, deps: Deps, target: Target, reportSink?: ReportSink): Promise<void> {
  let sources;
  try {
    sources = await resolveInputs(opts.files, opts.recursive, deps.cwd, deps.io.in);
  } catch (e) {
    reportSink?.discard();
    throw e;
  }
  const srcRoot = opts.report === 'sarif' ? `${pathToFileURL(deps.cwd).href.replace(/\/?$/, '/')}` : undefined;
  const reporter = new ConvertReporter(opts.report, (s) => (reportSink ? reportSink.write(s) : deps.io.err.write(s)), target.version, srcRoot);
  const namespaceRule = opts.namespace ? { namespace: opts.namespace, override: opts.overrideNamespace } : undefined;
  let objectsSeen = 0;
  let failed = false;
  const convertOpts = {
    target,
    runtime: opts.runtime,
    suffix: opts.suffix,
    envShim: opts.envShim,
    force: opts.force,
    toolVersion: TOOL_VERSION,
    ...(opts.namespace ? { defaultNamespace: opts.namespace } : {}),
  };
  const planned: PlannedFile[] = [];
  // Patch files of the kustomizations in the run look like (partial) v1 jobs or are JSON patches: they
  // are not manifests to convert and stay as they are; KTJ-KUSTOMIZE-001 says what to do with them.
  const kustomizations = sources.filter((s) => KUSTOMIZATION_FILE.test(path.basename(s.name)));
  const patchOf = new Map<string, string>();
  for (const k of kustomizations) {
    const text = readText(path.resolve(deps.cwd, k.name));
    if (text !== undefined) for (const rel of patchFiles(text)) patchOf.set(path.resolve(deps.cwd, path.dirname(k.name), rel), k.name);
  }
  const patches: FileReport[] = [];
  try {
    for (const src of sources) {
      const full = path.resolve(deps.cwd, src.name);
      const kustomization = patchOf.get(full);
      if (kustomization !== undefined) {
        patches.push({ path: src.name, status: 'unchanged', reason: `a patch of ${kustomization}, not a manifest`, jobs: [] });
        continue;
      }
      const file = readFile(src.name, full);
      const docs: DocumentConversion[] = [];
      try {
        for await (const doc of readDocuments(once(file.bytes), { source: src.name })) {
          reporter.summary.documents++;
          reporter.summary.inputLines += countLines(doc.text);
          const parsed = parseDocument(doc.text, { source: src.name, document: doc.index, startLine: doc.startLine });
          if (parsed.value !== null && parsed.value !== undefined) objectsSeen++;
          const where = `${src.name}#${doc.index}`;
          // -n applies as in plain convert (a manifest naming another namespace is an error without --override-namespace).
          if (namespaceRule) applyNamespace(parsed.value, namespaceRule, where);
          const outcome = convertDocument(parsed.value, { ...convertOpts, source: where });
          // Objects of other kinds are not "left out" here: they stay in their file, byte for byte.
          const docFindings = outcome.findings.filter((f) => !STAY_IN_PLACE.has(f.code));
          // SARIF places findings in the input; the document is parsed again for positions only when needed.
          let located: DocumentLocator | undefined;
          const locate: FindingLocator = (f) => (located ??= new DocumentLocator(doc.text, doc.startLine)).locate(f.path, f.subject?.kind, f.subject?.name);
          if (docFindings.length) reporter.other(docFindings, locate);
          const jobs: JobConversion[] = outcome.jobs.map((job) => {
            const hasWarnings = job.findings.some((f) => f.severity !== 'info');
            let refused = job.refused;
            if (opts.strict && !refused && hasWarnings) {
              refused = true;
              for (const f of job.findings) if (f.severity === 'warning') f.severity = 'error';
            }
            const objects = refused ? [] : job.objects;
            const trainJob = objects.find((o) => o.kind === 'TrainJob');
            const runtime = objects.find((o) => o.kind === 'TrainingRuntime');
            const report = jobReportOf(job.subject, job.findings, refused, { trainJob: trainJob?.metadata.name, generatedRuntime: runtime?.metadata.name });
            reporter.job(report, locate);
            return { subject: job.subject, refused, objects };
          });
          docs.push({ span: { index: doc.index, startLine: doc.startLine, text: doc.text }, value: parsed.value, jobs });
        }
      } catch (e) {
        if (e instanceof YamlSyntaxError) throw new InputError(e.message, 'Fix the document and run again; no file was changed.');
        throw e;
      }
      const plan = planFile(file.text, docs, { name: src.name, format: /\.json$/i.test(src.name) ? 'json' : 'yaml' });
      if (plan.findings.length) reporter.other(plan.findings);
      if (plan.status === 'no-jobs') continue;
      reporter.summary.outputLines += plan.status === 'rewritten' ? countLines(plan.text) : 0;
      planned.push({ name: src.name, full, original: file.text, stat: file.stat, plan });
    }
    if (objectsSeen > 0 && reporter.summary.jobs === 0) {
      reporter.other([finding('KTJ-IN-007', '(input)', `No Training Operator v1 job found in ${describeSources(sources)}.`, `Pass manifests of kind ${describeSourceKinds()}.`)]);
    }
    for (const f of checkKustomizations(planned, kustomizations.map((k) => path.resolve(deps.cwd, k.name)), deps.cwd)) reporter.other(f);
    if (opts.diff) {
      for (const f of planned) {
        if (f.plan.status !== 'rewritten') continue;
        // Paths as git prints them: relative to the working directory when inside it, with `/` separators.
        const rel = path.relative(deps.cwd, f.full);
        const label = (rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : f.full).split(path.sep).join('/').replace(/^\/+/, '');
        const diff = unifiedDiff(f.original, f.plan.text, { fromLabel: `a/${label}`, toLabel: `b/${label}` });
        if (diff) await writeChunk(deps.io.out, `diff --git a/${label} b/${label}\n${diff}`);
      }
    } else {
      writeFiles(planned.filter((f) => f.plan.status === 'rewritten'));
    }
    for (const f of planned) reporter.file(fileReport(f, opts.diff));
    for (const p of patches) reporter.file(p);
  } catch (e) {
    failed = true;
    throw e instanceof OutputSchemaError ? new InternalError(e.message) : e;
  } finally {
    if (!failed || opts.report !== 'table') {
      reporter.finish(Math.max(100, (deps.io.err as NodeJS.WriteStream).columns ?? 140), reportSink || opts.report === 'none' ? (l) => deps.io.err.write(l) : undefined);
    }
    reportSink?.close();
  }
  const s = reporter.summary;
  // As plain convert: nothing to convert is an error (exit 1), also on a second run over converted files.
  if (objectsSeen === 0) {
    throw new InputError(`no objects passed to convert: ${describeSources(sources)} held no Kubernetes object`, `Pass ${kindList()} manifests with -f FILE or a directory (-R for subdirectories).`);
  }
  if (s.jobs === 0 && reporter.documentErrors === 0) {
    throw new InputError(`nothing to convert: no Training Operator v1 job in ${describeSources(sources)}`, `Nothing was changed. Pass manifests of kind ${describeSourceKinds()}.`);
  }
  if (s.refused > 0 || reporter.documentErrors > 0) throw new ExitWith(ExitCode.BLOCKED);
  if (s.errors > 0 || s.warnings > 0) throw new ExitWith(ExitCode.WARNINGS);
}

/** A one-chunk byte stream, for the stream splitter (which reports encoding errors with line and column). */
async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

function fileReport(f: PlannedFile, diff: boolean): FileReport {
  const p = f.plan;
  const jobs = p.rewritten.map((j) => ({ source: describe(j.subject), ...(j.trainJob ? { trainJob: j.trainJob } : {}), ...(j.generatedRuntime ? { generatedRuntime: j.generatedRuntime } : {}) }));
  if (p.status === 'rewritten') return { path: f.name, status: diff ? 'would-rewrite' : 'rewritten', jobs };
  const reason =
    p.status === 'unchanged-nested'
      ? `${p.blockers.map(describe).join(', ')} inside a List or AppWrapper`
      : `${p.blockers.map(describe).join(', ')} refused`;
  return { path: f.name, status: 'unchanged', reason, jobs };
}

/** Reads a text file, or undefined when it cannot be read. */
function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Checks the kustomizations of the run and those next to rewritten files against the rewritten jobs:
 * one list of findings per kustomization.
 */
function checkKustomizations(planned: PlannedFile[], given: string[], cwd: string): ReturnType<typeof checkKustomization>[] {
  const rewritten: RewrittenIdentity[] = [];
  const files = new Set(given);
  for (const f of planned) {
    if (f.plan.status !== 'rewritten') continue;
    for (const j of f.plan.rewritten) {
      rewritten.push({
        kind: j.subject.kind,
        ...(j.subject.name ? { name: j.subject.name } : {}),
        ...(j.subject.namespace ? { namespace: j.subject.namespace } : {}),
        ...(j.trainJob ? { trainJob: j.trainJob } : {}),
        ...(j.generatedRuntime ? { generatedRuntime: j.generatedRuntime } : {}),
      });
    }
    for (const n of KUSTOMIZATION_NAMES) if (existsSync(path.join(path.dirname(f.full), n))) files.add(path.join(path.dirname(f.full), n));
  }
  if (!rewritten.length) return [];
  const out: ReturnType<typeof checkKustomization>[] = [];
  for (const file of [...files].sort()) {
    const text = readText(file);
    if (text === undefined) continue;
    const rel = path.relative(cwd, file);
    const name = rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
    const found = checkKustomization({ name, text, read: (r) => readText(path.resolve(path.dirname(file), r)), rewritten });
    if (found.length) out.push(found);
  }
  return out;
}

function describeSources(sources: { name: string }[]): string {
  if (!sources.length) return 'the input';
  const names = sources.slice(0, 3).map((s) => s.name).join(', ');
  return sources.length > 3 ? `${names} and ${sources.length - 3} more file(s)` : names;
}

// File access is synchronous on purpose (as for --output-dir): manifests are small, and the thread-pool
// round trips of asynchronous calls cost more than the reads and writes themselves.
function readFile(name: string, full: string): { bytes: Uint8Array; text: string; stat: PlannedFile['stat'] } {
  try {
    const st = statSync(full);
    const bytes = readFileSync(full);
    // Decoding errors are reported by the splitter (with line and column); here they only must not throw.
    const text = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true }).decode(bytes);
    return { bytes, text, stat: { mtimeMs: st.mtimeMs, size: st.size, mode: st.mode } };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException)?.code;
    if (code === 'EACCES' || code === 'EPERM') throw new InputError(`cannot read "${name}": permission denied`, 'Check the file permissions.');
    throw new InputError(`cannot read "${name}": ${(e as Error)?.message ?? String(e)}`);
  }
}

/**
 * Writes each file atomically: the new text goes to a temporary file in the same directory (same
 * permissions), which is then renamed over the original, so a reader sees the old file or the new one,
 * never a part. Symbolic links are followed (the link stays, its target is rewritten). Every directory is
 * checked for write access first, and a file changed by someone else since it was read is not overwritten.
 */
function writeFiles(files: PlannedFile[]): void {
  const targets: { f: PlannedFile; real: string }[] = [];
  for (const f of files) {
    const real = realpathSync(f.full);
    try {
      accessSync(path.dirname(real), fsConstants.W_OK);
    } catch {
      throw new InputError(`cannot rewrite "${f.name}": its directory ${path.dirname(real)} is not writable`, 'Fix the permissions and run again; no file was changed.');
    }
    targets.push({ f, real });
  }
  const done: string[] = [];
  for (const { f, real } of targets) {
    const tmp = path.join(path.dirname(real), `.${path.basename(real)}.kubectl-trainjob-${randomBytes(4).toString('hex')}.tmp`);
    try {
      const now = statSync(real);
      if (now.mtimeMs !== f.stat.mtimeMs || now.size !== f.stat.size) {
        throw new InputError(`"${f.name}" changed while it was being converted, so it was not rewritten.`, 'Run the conversion again.');
      }
      writeFileSync(tmp, f.plan.text, { flag: 'wx', mode: f.stat.mode & 0o7777 });
      // The mode given to open is filtered by the umask; set it exactly.
      chmodSync(tmp, f.stat.mode & 0o7777);
      renameSync(tmp, real);
      done.push(f.name);
    } catch (e) {
      rmSync(tmp, { force: true });
      const already = done.length ? ` ${done.length} file(s) were already rewritten (${done.slice(0, 5).join(', ')}${done.length > 5 ? ', …' : ''}); the others are unchanged.` : ' No file was changed.';
      if (e instanceof InputError) throw new InputError(e.message + already, e.hint);
      throw new InputError(`cannot rewrite "${f.name}": ${(e as Error)?.message ?? String(e)}.${already}`, 'Fix the cause and run again; rewritten files convert to themselves (nothing left to convert).');
    }
  }
}

/** The v1 kinds convert reads, for messages: `PyTorchJob, XGBoostJob, JAXJob`. */
function kindList(): string {
  return SOURCE_KINDS.map((k) => k.kind).join(', ');
}
