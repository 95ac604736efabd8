// The one question destructive lifecycle verbs ask: go ahead? Non-interactive runs must say --yes.
import { UsageError } from '../errors.js';
import type { Deps } from '../io.js';

/** Whether standard input is a terminal someone can answer from. */
export function stdinIsTTY(deps: Deps): boolean {
  return Boolean((deps.io.in as { isTTY?: boolean }).isTTY);
}

/** Throws a UsageError (exit 2) when the run is not interactive and --yes was not given; call it before any write. */
export function requireYesWhenNotInteractive(deps: Deps, yes: boolean, verb: string): void {
  if (!yes && !stdinIsTTY(deps)) {
    throw new UsageError(`${verb} changes the cluster and standard input is not a terminal: pass --yes to confirm`, `Review the plan above, then run the same command with --yes. Nothing was changed.`);
  }
}

/** Asks "Proceed? [y/N]" on stderr and reads one line from stdin; true only for y/yes. */
export async function confirm(deps: Deps, question: string): Promise<boolean> {
  deps.io.err.write(`${question} [y/N] `);
  const line = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (d: Buffer | string) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) done(buf.slice(0, nl));
    };
    const done = (s: string) => {
      deps.io.in.off('data', onData);
      deps.io.in.off('end', onEnd);
      deps.io.in.pause();
      resolve(s);
    };
    const onEnd = () => done(buf);
    deps.io.in.on('data', onData);
    deps.io.in.on('end', onEnd);
    deps.io.in.resume();
  });
  return /^\s*y(es)?\s*$/i.test(line);
}
