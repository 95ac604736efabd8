/** How serious a finding is: error blocks conversion (unless forced), warning converts with a caveat, info is advice. */
export type Severity = 'error' | 'warning' | 'info';

/** The object a finding is about, and where it came from. */
export interface FindingSubject {
  kind: string;
  namespace?: string;
  name?: string;
  /** Where the object was read from: `file.yaml#2` (document index, 1-based) or `cluster`. */
  source?: string;
}

/** One observation of the converter: stable code, severity, input path, message and hint. */
export interface Finding {
  /** Stable identifier, for example `KTJ-ENV-001`. Documented in docs/findings.md. */
  code: string;
  severity: Severity;
  /** Path in the input object, for example `spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].env`. */
  path: string;
  /** One sentence saying what was found. */
  message: string;
  /** What to do about it. */
  hint?: string;
  /** The object the finding is about (filled in by the caller, not the rule). */
  subject?: FindingSubject;
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Orders findings by severity, then code, then path, so reports are stable. */
export function compareFindings(a: Finding, b: Finding): number {
  return (
    severityRank[a.severity] - severityRank[b.severity] ||
    (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) ||
    (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)
  );
}
