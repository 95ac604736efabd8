import { buildCli, verbFactories, verbosityOf } from './cli.js';
import { CliError, ExitCode } from './errors.js';
import { debugLog, type Deps } from './io.js';

/**
 * The only place that exits the process: runs the CLI and maps errors to exit codes.
 * Returns the exit code so tests can call it without exiting.
 */
export async function run(args: string[], deps: Deps): Promise<number> {
  // -v is read before the parse so that a parse error is reported at the level asked for too.
  const verbosity = verbosityOf(args);
  const log = debugLog(deps.io.err, verbosity);
  const withLog: Deps = { ...deps, verbosity, ...(log ? { log } : {}) };
  try {
    await buildCli(args, withLog, await verbFactories(args)).parseAsync();
    return ExitCode.OK;
  } catch (e) {
    return reportError(e, withLog, verbosity >= 4);
  }
}

/** Prints an error in kubectl's style (`error: ...`) with its hint and returns its exit code. */
export function reportError(e: unknown, deps: Deps, verbose: boolean): number {
  const err = deps.io.err;
  if (e instanceof CliError) {
    if (e.message) err.write(`error: ${e.message}\n`);
    if (e.hint) err.write(`hint: ${e.hint}\n`);
    if (verbose && e.stack && e.exitCode !== ExitCode.OK) err.write(`${e.stack}\n`);
    return e.exitCode;
  }
  const message = e instanceof Error ? e.message : String(e);
  err.write(`error: internal error: ${message}\n`);
  err.write('hint: This is a bug in kubectl-trainjob; please file an issue (run with -v=4 for the stack trace).\n');
  if (verbose && e instanceof Error && e.stack) err.write(`${e.stack}\n`);
  return ExitCode.INTERNAL;
}

