import * as path from 'node:path';
import { ExitCode } from './errors.js';
import { processDeps } from './io.js';
import { run } from './run.js';
import { runCompletionProtocol } from './completion-protocol.js';

/** Process entry point: picks completion mode or the CLI, and sets the exit code once. */
async function main(): Promise<void> {
  const deps = processDeps();
  const args = process.argv.slice(2);
  // kubectl >= 1.26 runs `kubectl_complete-trainjob` (from PATH) for shell completion of plugins.
  const invokedAs = path.basename(process.argv0);
  const code =
    invokedAs.startsWith('kubectl_complete-') || args[0] === '__complete'
      ? await runCompletionProtocol(args[0] === '__complete' ? args.slice(1) : args, deps)
      : await run(args, deps);
  // exitCode rather than exit(): lets piped stdout/stderr flush first.
  process.exitCode = code;
}

main().catch((e) => {
  process.stderr.write(`error: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = ExitCode.INTERNAL;
});
