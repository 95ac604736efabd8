import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { finding } from '../convert/codes.js';
import { OutputSchemaError, SOURCE_KINDS } from '../convert/index.js';
import type { KubeObject } from '../convert/model.js';
import { getTarget, newestTarget } from '../convert/targets/index.js';
import type { Target } from '../convert/targets/types.js';
import { ExitCode, ExitWith, InternalError, UsageError } from '../errors.js';
import { resolveInputs } from '../input/sources.js';
import { writeChunk, type Deps } from '../io.js';
import { ConvertReporter, type JobReport } from '../render/convert-report.js';
import { TOOL_VERSION } from '../version.js';
import type { ConvertOptions } from './convert-options.js';
import { renderObjects } from '../render/objects.js';
import { convertSources, countLines } from './convert-files.js';

function fileNameFor(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return `${ns ? `${ns}_` : ''}${obj.metadata.name ?? obj.metadata.generateName ?? 'trainjob'}.yaml`;
}

/** Resolves `--target-version auto` through the cluster; otherwise returns the fixed target. */
async function resolveTarget(opts: ConvertOptions, deps: Deps): Promise<Target> {
  if (opts.target === undefined || opts.target === '') return newestTarget();
  if (opts.target !== 'auto') return getTarget(opts.target);
  const cluster = await import('../cluster/index.js');
  const conn = await cluster.connect(opts.cluster, deps.env);
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
          kind: job.subject.kind,
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
          await writeChunk(deps.io.out, text);
        }
      }
    }
    if (reporter.summary.jobs === 0) {
      reporter.other([finding('KTJ-IN-007', '(input)', `No Training Operator v1 job found in ${sources.map((s) => s.name).join(', ') || 'the input'}.`, `Pass manifests of kind ${SOURCE_KINDS.map((k) => k.kind).join(', ')} (apiVersion kubeflow.org/v1).`)]);
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
