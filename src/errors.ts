/**
 * Exit codes of kubectl-trainjob. The table in docs/exit-codes.md is the contract; the
 * exit-code regression test (test/verbs/exit-codes.test.ts) keeps the two in step.
 */
export const ExitCode = {
  /** Success: everything converted or checked cleanly. */
  OK: 0,
  /** A runtime error: unreadable input, cluster unreachable, API error. (preview: differences found) */
  ERROR: 1,
  /** A usage error: unknown flag, bad flag value, missing argument. */
  USAGE: 2,
  /** Done, with warnings (convert: converted with warnings; readiness: advisory findings). */
  WARNINGS: 3,
  /** Refused or blocked (convert: a job could not be converted safely; readiness: blocking findings). */
  BLOCKED: 4,
  /** A bug in kubectl-trainjob (for example it produced an object its own schema check rejects). */
  INTERNAL: 5,
} as const;

/** One of the documented exit codes. */
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Base class of every error the CLI turns into a message and an exit code. */
export class CliError extends Error {
  /** The exit code this error maps to. */
  readonly exitCode: ExitCodeValue;
  /** What the user can do next, printed after the message. */
  readonly hint?: string;
  constructor(message: string, exitCode: ExitCodeValue, hint?: string) {
    super(message);
    this.name = new.target.name;
    this.exitCode = exitCode;
    if (hint !== undefined) this.hint = hint;
  }
}

/** Bad flags or arguments: the only error that prints usage text. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.USAGE, hint);
  }
}

/** Input that cannot be read or parsed: names the file and the document. */
export class InputError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.ERROR, hint);
  }
}

/** An output that cannot be written (--output-dir, --report-file): names the path. */
export class OutputError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.ERROR, hint);
  }
}

/** A failure talking to the cluster (connection, authentication, authorization, API errors). */
export class ClusterError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, ExitCode.ERROR, hint);
  }
}

/** A bug: asks the user to file an issue. */
export class InternalError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.INTERNAL, 'This is a bug in kubectl-trainjob; please file an issue with the input that triggered it.');
  }
}

/** Ends a verb with a given exit code after it has printed its own output (findings, reports). */
export class ExitWith extends CliError {
  constructor(exitCode: ExitCodeValue, message = '') {
    super(message, exitCode);
  }
}
