import type { Finding, Severity } from '../convert/findings.js';
import { toYaml } from '../yaml/index.js';
import { renderFindingsTable } from './findings-table.js';

/** What happened to one v1 job: converted cleanly, with warnings, or refused. */
export type JobStatus = 'converted' | 'converted-with-warnings' | 'refused';

/** One row of the conversion report. */
export interface JobReport {
  /** The v1 kind (`PyTorchJob`, `JAXJob`, ...). */
  kind: string;
  namespace?: string;
  name?: string;
  source?: string;
  status: JobStatus;
  trainJob?: string;
  generatedRuntime?: string;
  findings: Finding[];
}

/** Totals printed as the summary line and in the machine report. */
export interface ConvertSummary {
  target: string;
  documents: number;
  /** v1 jobs of every kind. */
  jobs: number;
  /** v1 jobs per kind, in the order first seen. */
  kinds: Record<string, number>;
  /** PyTorchJobs among them (kept for scripts written before other kinds were converted). */
  pytorchJobs: number;
  converted: number;
  convertedWithWarnings: number;
  refused: number;
  objectsLeftOut: number;
  generatedRuntimes: number;
  errors: number;
  warnings: number;
  infos: number;
  inputLines: number;
  outputLines: number;
}

/** Report formats of --report. */
export type ReportFormat = 'table' | 'json' | 'yaml' | 'none';

/** The most findings the table keeps in memory; beyond it, only counts per code (memory stays flat). */
export const TABLE_ROW_LIMIT = 1000;

/**
 * Collects findings while the conversion streams. Machine formats are written incrementally (one
 * job at a time), the table keeps at most TABLE_ROW_LIMIT rows, so memory does not grow with the
 * number of jobs.
 */
export class ConvertReporter {
  private rows: Finding[] = [];
  private overflow = new Map<string, { severity: Severity; count: number }>();
  private firstItem = true;
  private readonly runtimes = new Set<string>();
  readonly summary: ConvertSummary;

  constructor(
    private readonly format: ReportFormat,
    private readonly write: (chunk: string) => void,
    target: string,
  ) {
    this.summary = {
      target, documents: 0, jobs: 0, kinds: {}, pytorchJobs: 0, converted: 0, convertedWithWarnings: 0, refused: 0, objectsLeftOut: 0,
      generatedRuntimes: 0, errors: 0, warnings: 0, infos: 0, inputLines: 0, outputLines: 0,
    };
    if (format === 'json') this.write(`{"apiVersion":"kubectl-trainjob.io/v1alpha1","kind":"ConversionReport","target":${JSON.stringify(target)},"items":[`);
    if (format === 'yaml') this.write(`apiVersion: kubectl-trainjob.io/v1alpha1\nkind: ConversionReport\ntarget: ${target}\nitems:\n`);
  }

  private count(findings: Finding[]): void {
    for (const f of findings) {
      if (f.severity === 'error') this.summary.errors++;
      else if (f.severity === 'warning') this.summary.warnings++;
      else this.summary.infos++;
    }
  }

  private keepRows(findings: Finding[]): void {
    for (const f of findings) {
      if (this.rows.length < TABLE_ROW_LIMIT) this.rows.push(f);
      else {
        const o = this.overflow.get(f.code) ?? { severity: f.severity, count: 0 };
        o.count++;
        this.overflow.set(f.code, o);
      }
    }
  }

  private item(obj: object): void {
    if (this.format === 'json') {
      this.write(`${this.firstItem ? '' : ','}\n${JSON.stringify(obj)}`);
    } else if (this.format === 'yaml') {
      const y = toYaml([obj]);
      this.write(y.endsWith('\n') ? y : `${y}\n`);
    }
    this.firstItem = false;
  }

  /** Records the outcome of one v1 job. */
  job(r: JobReport): void {
    this.summary.jobs++;
    this.summary.kinds[r.kind] = (this.summary.kinds[r.kind] ?? 0) + 1;
    if (r.kind === 'PyTorchJob') this.summary.pytorchJobs++;
    if (r.status === 'refused') this.summary.refused++;
    else if (r.status === 'converted-with-warnings') this.summary.convertedWithWarnings++;
    else this.summary.converted++;
    // Generated runtimes are shared by content: count each namespace/name once.
    if (r.generatedRuntime && r.status !== 'refused') {
      const key = `${r.namespace ?? ''}/${r.generatedRuntime}`;
      if (!this.runtimes.has(key)) {
        this.runtimes.add(key);
        this.summary.generatedRuntimes++;
      }
    }
    this.count(r.findings);
    this.keepRows(r.findings);
    this.item(r);
  }

  /** Error findings about documents themselves (not objects, unsupported apiVersion): they block like a refused job. */
  documentErrors = 0;

  /** Records findings about a document or the run (objects left out, nothing found). */
  other(findings: Finding[]): void {
    this.documentErrors += findings.filter((f) => f.severity === 'error').length;
    this.summary.objectsLeftOut += findings.filter((f) => f.code.startsWith('KTJ-IN-')).length;
    this.count(findings);
    this.keepRows(findings);
    for (const f of findings) this.item({ kind: 'Finding', ...f });
  }

  /**
   * Writes the end of the report: the closing of machine formats, or the table and the summary
   * line. `human` receives the summary line when the report itself is machine-readable and goes
   * elsewhere (a file), so the JSON/YAML stays parseable.
   */
  finish(width: number, human?: (line: string) => void): void {
    const s = this.summary;
    if (this.format === 'json') this.write(`],\n"summary":${JSON.stringify(s)}}\n`);
    else if (this.format === 'yaml') this.write(toYaml({ summary: s }));
    else if (this.format === 'table') {
      if (this.rows.length) this.write(`${renderFindingsTable(this.rows, width)}\n`);
      if (this.overflow.size) {
        const more = [...this.overflow.entries()].map(([code, o]) => `${o.count} × ${code} (${o.severity})`).join(', ');
        this.write(`… and ${[...this.overflow.values()].reduce((a, o) => a + o.count, 0)} more findings not shown: ${more}. Use --report json for all of them.\n`);
      }
    }
    if (this.format === 'table') this.write(`${summaryLine(s)}\n`);
    else if (human) human(`${summaryLine(s)}\n`);
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `3 PyTorchJobs` when one kind was read, else `5 v1 jobs (3 PyTorchJobs, 2 JAXJobs)`. */
function jobCount(s: ConvertSummary): string {
  const kinds = Object.entries(s.kinds);
  if (kinds.length === 0) return plural(0, 'PyTorchJob');
  if (kinds.length === 1) return plural(kinds[0]![1], kinds[0]![0]);
  return `${plural(s.jobs, 'v1 job')} (${kinds.map(([k, n]) => plural(n, k)).join(', ')})`;
}

/** The one-line summary: jobs converted, warnings, errors, and configuration lines before and after. */
export function summaryLine(s: ConvertSummary): string {
  const done = s.converted + s.convertedWithWarnings;
  return (
    `Summary: ${done}/${jobCount(s)} converted for Trainer ${s.target}` +
    ` (${s.converted} clean, ${s.convertedWithWarnings} with warnings, ${s.refused} refused` +
    `${s.generatedRuntimes ? `, ${plural(s.generatedRuntimes, 'generated TrainingRuntime')}` : ''}` +
    `${s.objectsLeftOut ? `, ${plural(s.objectsLeftOut, 'other object')} left out` : ''}); ` +
    `${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}, ${s.infos} info; ` +
    `${s.inputLines} → ${s.outputLines} lines of YAML.`
  );
}
