import { FINDING_CODES, type FindingCode } from '../convert/codes.js';
import type { Finding, FindingSubject, Severity } from '../convert/findings.js';
import { toYaml } from '../yaml/index.js';
import { renderFindingsTable, subjectLabel } from './findings-table.js';
import { markdownTable } from './markdown.js';
import { DOCS_URL, SarifWriter, sarifLevel, type Region, type SarifRule } from './sarif.js';

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

/** The report row of one job: refused, or converted with or without warnings, naming the TrainJob and generated runtime emitted. */
export function jobReportOf(subject: FindingSubject, findings: Finding[], refused: boolean, emitted: { trainJob?: string; generatedRuntime?: string }): JobReport {
  const hasWarnings = findings.some((f) => f.severity !== 'info');
  return {
    kind: subject.kind,
    status: refused ? 'refused' : hasWarnings ? 'converted-with-warnings' : 'converted',
    findings,
    ...(subject.namespace ? { namespace: subject.namespace } : {}),
    ...(subject.name ? { name: subject.name } : {}),
    ...(subject.source ? { source: subject.source } : {}),
    ...(emitted.trainJob ? { trainJob: emitted.trainJob } : {}),
    ...(emitted.generatedRuntime ? { generatedRuntime: emitted.generatedRuntime } : {}),
  };
}

/** What `convert --in-place` (or `--diff`) did with one file. */
export interface FileReport {
  path: string;
  /** rewritten (or would-rewrite with --diff), or unchanged because a job in it was refused or could not be placed. */
  status: 'rewritten' | 'would-rewrite' | 'unchanged';
  /** Why an unchanged file was left alone. */
  reason?: string;
  /** The jobs of the file, `PyTorchJob ns/name → TrainJob name` style entries. */
  jobs: { source: string; trainJob?: string; generatedRuntime?: string }[];
}

function fileLine(r: FileReport): string {
  if (r.status === 'unchanged') return `${r.path}: left unchanged (${r.reason ?? 'nothing converted'})`;
  const jobs = r.jobs
    .map((j) => `${j.source} → TrainJob ${j.trainJob ?? '(generated name)'}${j.generatedRuntime ? ` (+ TrainingRuntime ${j.generatedRuntime}, placed before it)` : ''}`)
    .join(', ');
  return `${r.path}: ${r.status === 'rewritten' ? 'rewritten' : 'would be rewritten'}: ${jobs}`;
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
export type ReportFormat = 'table' | 'json' | 'yaml' | 'sarif' | 'markdown' | 'none';

/** Every --report format, in the order --help lists them. */
export const REPORT_FORMATS: readonly ReportFormat[] = ['table', 'json', 'yaml', 'sarif', 'markdown', 'none'];

/** Finds the line and column of a finding in its input document (SARIF only). */
export type FindingLocator = (f: Finding) => Region | undefined;

/** The SARIF rule of a finding code: its title, default level and the documentation of the codes. */
export function findingRule(code: string): SarifRule {
  const info = FINDING_CODES[code as FindingCode];
  return { id: code, title: info?.title ?? code, level: sarifLevel(info?.severity ?? 'warning'), helpUri: `${DOCS_URL}/findings.md#${code.toLowerCase()}` };
}

/** The most findings the table keeps in memory; beyond it, only counts per code (memory stays flat). */
export const TABLE_ROW_LIMIT = 1000;

/**
 * The table shows every finding per object while at most this many objects have findings (and at
 * most TABLE_DETAIL_ROWS rows); past that it groups findings by code and field with counts and the
 * first examples, which costs a small fraction of the conversion however large the run.
 */
export const TABLE_DETAIL_OBJECTS = 10;
/** Most rows of the per-object table. */
export const TABLE_DETAIL_ROWS = 200;
/** Example objects named per group of the grouped table. */
const GROUP_EXAMPLES = 3;

const LIST_ITEM = /^items\[\d+\]/;

/** Findings of one code on one field, over the whole run (the grouped table's row). */
interface FindingGroup {
  first: Finding;
  count: number;
  examples: string[];
}

/**
 * Collects findings while the conversion streams. Machine formats are written incrementally (one
 * job at a time), the table keeps at most TABLE_ROW_LIMIT rows, so memory does not grow with the
 * number of jobs.
 */
export class ConvertReporter {
  private rows: Finding[] = [];
  private overflow = new Map<string, { severity: Severity; count: number }>();
  /** Table: findings by code and path (always kept; small: one entry per distinct code and field). */
  private readonly groups = new Map<string, FindingGroup>();
  /** Table: objects with findings so far, while the per-object table is still possible. */
  private objectsWithFindings = 0;
  private detailed = true;
  private firstItem = true;
  private readonly sarif?: SarifWriter;
  /** Jobs for the markdown report (bounded like the table rows). */
  private readonly jobs: Array<Pick<JobReport, 'namespace' | 'name' | 'source' | 'status' | 'trainJob'> & { findings: number }> = [];
  private readonly runtimes = new Set<string>();
  readonly summary: ConvertSummary;

  constructor(
    private readonly format: ReportFormat,
    private readonly write: (chunk: string) => void,
    target: string,
    /** file:// URI of the working directory (with a trailing slash): SARIF's base for relative input paths. */
    srcRoot?: string,
  ) {
    this.summary = {
      target, documents: 0, jobs: 0, kinds: {}, pytorchJobs: 0, converted: 0, convertedWithWarnings: 0, refused: 0, objectsLeftOut: 0,
      generatedRuntimes: 0, errors: 0, warnings: 0, infos: 0, inputLines: 0, outputLines: 0,
    };
    if (format === 'json') this.write(`{"apiVersion":"kubectl-trainjob.io/v1alpha1","kind":"ConversionReport","target":${JSON.stringify(target)},"items":[`);
    if (format === 'yaml') this.write(`apiVersion: kubectl-trainjob.io/v1alpha1\nkind: ConversionReport\ntarget: ${target}\nitems:\n`);
    if (format === 'sarif') this.sarif = new SarifWriter(write, findingRule, srcRoot);
  }

  private sarifResults(findings: Finding[], locate?: FindingLocator): void {
    for (const f of findings) {
      const source = f.subject?.source;
      const file = source && source !== 'cluster' ? source.replace(/#\d+( .*)?$/, '') : undefined;
      const region = locate?.(f);
      const s = f.subject;
      const name = s?.name ? `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}: ${f.path}` : f.path;
      this.sarif!.result({
        ruleId: f.code,
        level: sarifLevel(f.severity),
        message: f.hint ? `${f.message} ${f.hint}` : f.message,
        ...(file ? { file } : {}),
        ...(region ? { region } : {}),
        logicalName: name,
        properties: { path: f.path, ...(source ? { source } : {}) },
      });
    }
  }

  private count(findings: Finding[]): void {
    for (const f of findings) {
      if (f.severity === 'error') this.summary.errors++;
      else if (f.severity === 'warning') this.summary.warnings++;
      else this.summary.infos++;
    }
  }

  private keepRows(findings: Finding[]): void {
    if (this.format === 'table') return this.keepTable(findings);
    for (const f of findings) {
      if (this.rows.length < TABLE_ROW_LIMIT) this.rows.push(f);
      else {
        const o = this.overflow.get(f.code) ?? { severity: f.severity, count: 0 };
        o.count++;
        this.overflow.set(f.code, o);
      }
    }
  }

  /** Table: per-object rows while the run is small, and the groups always (nothing rendered until finish). */
  private keepTable(findings: Finding[]): void {
    if (!findings.length) return;
    this.objectsWithFindings++;
    if (this.detailed) {
      if (this.objectsWithFindings > TABLE_DETAIL_OBJECTS || this.rows.length + findings.length > TABLE_DETAIL_ROWS) {
        this.detailed = false;
        this.rows = [];
      } else this.rows.push(...findings);
    }
    for (const f of findings) {
      // The items of a List are one field for grouping: 100,000 left-out items are one group, not 100,000.
      const path = f.path.startsWith('items[') ? f.path.replace(LIST_ITEM, 'items[*]') : f.path;
      const key = `${f.code}\u0000${path}`;
      const g = this.groups.get(key);
      if (!g) this.groups.set(key, { first: path === f.path ? f : { ...f, path }, count: 1, examples: [subjectLabel(f)] });
      else {
        g.count++;
        if (g.examples.length < GROUP_EXAMPLES) {
          const label = subjectLabel(f);
          if (!g.examples.includes(label)) g.examples.push(label);
        }
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

  /** Records the outcome of one v1 job; `locate` places its findings in the input (SARIF). */
  job(r: JobReport, locate?: FindingLocator): void {
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
    if (this.format === 'markdown' && this.jobs.length < TABLE_ROW_LIMIT) this.jobs.push({ ...(r.namespace ? { namespace: r.namespace } : {}), ...(r.name ? { name: r.name } : {}), ...(r.source ? { source: r.source } : {}), status: r.status, ...(r.trainJob ? { trainJob: r.trainJob } : {}), findings: r.findings.length });
    if (this.sarif) this.sarifResults(r.findings.map((f) => (f.subject ? f : { ...f, subject: { kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), ...(r.name ? { name: r.name } : {}), ...(r.source ? { source: r.source } : {}) } })), locate);
    else this.item(r);
  }

  /** Records what `convert --in-place` or `--diff` did with one file: a line of the table report, an item of the machine reports. */
  file(r: FileReport): void {
    if (this.format === 'table') this.write(`${fileLine(r)}\n`);
    else this.item({ kind: 'File', ...r });
  }

  /** Error findings about documents themselves (not objects, unsupported apiVersion): they block like a refused job. */
  documentErrors = 0;

  /** Records findings about a document or the run (objects left out, nothing found). */
  other(findings: Finding[], locate?: FindingLocator): void {
    this.documentErrors += findings.filter((f) => f.severity === 'error').length;
    this.summary.objectsLeftOut += findings.filter((f) => f.code.startsWith('KTJ-IN-')).length;
    this.count(findings);
    this.keepRows(findings);
    if (this.sarif) this.sarifResults(findings, locate);
    else for (const f of findings) this.item({ kind: 'Finding', ...f });
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
    else if (this.sarif) this.sarif.finish();
    else if (this.format === 'markdown') this.write(this.markdown());
    else if (this.format === 'table') {
      if (this.detailed) {
        if (this.rows.length) this.write(`${renderFindingsTable(this.rows, width)}\n`);
      } else {
        const total = s.errors + s.warnings + s.infos;
        this.write(`Findings grouped by code and field: ${total} on ${this.objectsWithFindings} objects in ${this.groups.size} groups (--report json or yaml lists each one per job).\n`);
        this.write(`${renderGroupedFindings([...this.groups.values()], width)}\n`);
      }
    }
    if (this.format === 'table') this.write(`${summaryLine(s)}\n`);
    else if (human) human(`${summaryLine(s)}\n`);
  }

  /** The markdown report (a pull-request comment): summary, jobs, findings with their documentation. */
  private markdown(): string {
    const s = this.summary;
    const icon = s.refused > 0 ? 'Refused' : s.convertedWithWarnings > 0 || s.warnings > 0 ? 'Converted with warnings' : 'Converted';
    const out = [`### kubectl trainjob convert: ${icon}`, '', summaryLine(s).replace(/^Summary: /, ''), ''];
    if (this.jobs.length) {
      out.push(markdownTable(['Job', 'Source', 'Result', 'TrainJob', 'Findings'], this.jobs.map((j) => [j.name ? `${j.namespace ? `${j.namespace}/` : ''}${j.name}` : '-', j.source ?? '-', j.status, j.trainJob ?? '-', String(j.findings)])));
      if (s.pytorchJobs > this.jobs.length) out.push(`… and ${s.pytorchJobs - this.jobs.length} more jobs.`);
      out.push('');
    }
    if (this.rows.length) {
      out.push(
        '<details><summary>Findings</summary>',
        '',
        markdownTable(
          ['Severity', 'Code', 'Object', 'Path', 'Message'],
          this.rows.map((f) => [f.severity, `[${f.code}](${findingRule(f.code).helpUri})`, subjectLabel(f), `\`${f.path}\``, f.hint ? `${f.message} ${f.hint}` : f.message]),
        ),
      );
      if (this.overflow.size) out.push('', `… and ${[...this.overflow.values()].reduce((a, o) => a + o.count, 0)} more findings (use --report json or sarif for all of them).`);
      out.push('', '</details>', '');
    }
    return `${out.join('\n')}\n`;
  }
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** The grouped table: one row per code and field, worst first, then most frequent, with example objects. */
function renderGroupedFindings(groups: FindingGroup[], width: number): string {
  const sorted = groups.sort((a, b) => SEVERITY_ORDER[a.first.severity] - SEVERITY_ORDER[b.first.severity] || b.count - a.count || (a.first.code < b.first.code ? -1 : 1));
  const rows = sorted.map((g) => {
    const f = g.first;
    const more = g.count - g.examples.length;
    const examples = `${g.count === 1 ? 'on' : 'e.g.'} ${g.examples.join('; ')}${more > 0 && g.count > 1 ? `; and ${more} more` : ''}`;
    return { ...f, path: f.path, message: `${f.message}${f.hint ? `\nhint: ${f.hint}` : ''}\n${examples}`, hint: '', count: g.count };
  });
  return renderFindingsTable(rows, width, { grouped: true });
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
