// Decides what `convert --in-place` does with one manifest file, given what each of its documents
// converted to. Pure: the caller reads the file and converts the documents (convertDocument), and writes
// (or diffs) the text this returns.
import { finding } from '../convert/codes.js';
import type { Finding, FindingSubject } from '../convert/findings.js';
import type { JsonObject, KubeObject } from '../convert/model.js';
import { carryComments } from './comments.js';
import { layoutDocument } from './layout.js';
import { jsonIndent, renderBody, type BodyFormat } from './render.js';
import { rewriteFile, type DocumentSpan } from './rewrite.js';

/** One v1 job found in a document, after --strict was applied: its objects, or refused. */
export interface JobConversion {
  subject: FindingSubject;
  refused: boolean;
  /** Objects in apply order (a generated TrainingRuntime first, then the TrainJob); empty when refused. */
  objects: KubeObject[];
}

/** One document of the file: where it is, the value it parsed to, and the jobs it held. */
export interface DocumentConversion {
  span: DocumentSpan;
  value: unknown;
  jobs: JobConversion[];
}

/** What happens to a file: rewritten, left unchanged because a job in it was refused or cannot be placed, or nothing to do. */
export type FileStatus = 'rewritten' | 'unchanged-refused' | 'unchanged-nested' | 'no-jobs';

/** A job that was rewritten in place, for the report. */
export interface RewrittenJob {
  subject: FindingSubject;
  trainJob?: string;
  generatedRuntime?: string;
}

/** The decision for one file. */
export interface FilePlan {
  status: FileStatus;
  /** The new text of the file (equal to the original unless status is `rewritten`). */
  text: string;
  rewritten: RewrittenJob[];
  /** Jobs whose refusal (or position) keeps the file unchanged. */
  blockers: FindingSubject[];
  /** Findings about the file's documents (KTJ-INPLACE-*). */
  findings: Finding[];
}

/** Options of planFile. */
export interface PlanFileOptions {
  /** The file as shown in messages (the path as given). */
  name: string;
  /** JSON files are rewritten as JSON, everything else as YAML. */
  format: BodyFormat;
}

function describe(s: FindingSubject): string {
  return `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name ?? '(unnamed)'}`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** Whether a document is itself the job (not a List or AppWrapper holding it). */
function isTopLevelJob(doc: DocumentConversion): boolean {
  const v = doc.value as JsonObject | null;
  return doc.jobs.length === 1 && v !== null && typeof v === 'object' && !Array.isArray(v) && v.kind === doc.jobs[0]!.subject.kind;
}

/**
 * Plans the rewrite of one file. Every converted job's document is replaced by its objects (the generated
 * TrainingRuntime first, as the Trainer webhook requires it to exist when the TrainJob is created); every
 * other document stays byte for byte. The whole file stays unchanged when any job in it is refused, or sits
 * inside a List or AppWrapper (which cannot be replaced without rewriting its neighbours): a file is either
 * fully migrated or not touched, never half of it.
 */
export function planFile(original: string, docs: readonly DocumentConversion[], opts: PlanFileOptions): FilePlan {
  const plan: FilePlan = { status: 'no-jobs', text: original, rewritten: [], blockers: [], findings: [] };
  const bodies = new Map<number, string>();
  let nested = false;
  let refused = false;
  for (const doc of docs) {
    if (doc.jobs.length === 0) continue;
    if (!isTopLevelJob(doc)) {
      nested = true;
      const v = doc.value as JsonObject;
      const container = v && typeof v === 'object' && typeof v.kind === 'string' ? v.kind : 'document';
      plan.blockers.push(...doc.jobs.map((j) => j.subject));
      plan.findings.push({
        ...finding(
          'KTJ-INPLACE-001',
          '(document)',
          `${opts.name} document ${doc.span.index} holds ${doc.jobs.map((j) => describe(j.subject)).join(', ')} inside a ${container}; it cannot be replaced in place, so ${opts.name} is left unchanged.`,
          `Convert it to standard output instead (kubectl trainjob convert -f ${opts.name} > converted.yaml) and edit the ${container} by hand.`,
        ),
        subject: { kind: 'Document', source: `${opts.name}#${doc.span.index}` },
      });
      continue;
    }
    const job = doc.jobs[0]!;
    if (job.refused || job.objects.length === 0) {
      refused = true;
      plan.blockers.push(job.subject);
      continue;
    }
    let body = renderBody(job.objects, opts.format, opts.format === 'json' ? jsonIndent(doc.span.text) : 2);
    if (opts.format === 'yaml') {
      const layout = layoutDocument(doc.span.text);
      const carried = carryComments(layout.body, body);
      body = carried.text;
      if (carried.notCarried.length) {
        const lines = carried.notCarried.map((l) => doc.span.startLine + layout.bodyStartLine - 2 + l);
        plan.findings.push({
          ...finding(
            'KTJ-INPLACE-002',
            '(document)',
            `${plural(lines.length, 'comment')} of ${describe(job.subject)} in ${opts.name} (line ${lines.join(', ')}) ${lines.length === 1 ? 'is' : 'are'} not carried: the commented field has no single home in the TrainJob.`,
            'Review them in the diff (or in version control) and re-add what still applies.',
          ),
          subject: job.subject,
        });
      }
    }
    bodies.set(doc.span.index, body);
    const trainJob = job.objects.find((o) => o.kind === 'TrainJob');
    const runtime = job.objects.find((o) => o.kind === 'TrainingRuntime');
    plan.rewritten.push({
      subject: job.subject,
      ...(trainJob?.metadata.name ? { trainJob: trainJob.metadata.name } : {}),
      ...(runtime?.metadata.name ? { generatedRuntime: runtime.metadata.name } : {}),
    });
  }
  if (nested) plan.status = 'unchanged-nested';
  else if (refused) plan.status = 'unchanged-refused';
  else if (bodies.size > 0) {
    plan.status = 'rewritten';
    plan.text = rewriteFile(original, docs.map((d) => d.span), bodies);
  }
  if (plan.status !== 'rewritten') plan.rewritten = [];
  return plan;
}
