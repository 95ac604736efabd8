import yargs, { type Argv, type CommandModule } from 'yargs';
import { UsageError } from './errors.js';
import type { Deps } from './io.js';
import { withGlobalFlags } from './verbs/flags.js';
import { convertCommand } from './verbs/convert.js';
import { completionCommand } from './verbs/completion.js';
import { versionCommand } from './verbs/version.js';
import { rollbackCommand } from './verbs/rollback.js';
import { compareCommand } from './verbs/compare.js';
import { cleanupCommand } from './verbs/cleanup.js';
import { previewCommand } from './verbs/preview.js';
import { applyV2Command } from './verbs/apply-v2.js';
import { readinessCommand } from './verbs/readiness.js';
import { backupCommand } from './verbs/backup.js';
import { migrateCommand } from './verbs/migrate.js';

/** A verb: a yargs command module built with the process dependencies. */
export type VerbFactory = (deps: Deps) => CommandModule<any, any>;

/** Every verb, in the order `--help` lists them. */
export const verbs: VerbFactory[] = [convertCommand, previewCommand, applyV2Command, backupCommand, migrateCommand, completionCommand, versionCommand, readinessCommand, compareCommand, cleanupCommand, rollbackCommand];

/**
 * Builds the yargs parser for `kubectl trainjob`. It never exits the process: usage errors
 * become UsageError, and the single exit point is main.ts.
 */
export function buildCli(args: string[], deps: Deps): Argv {
  let y: Argv = withGlobalFlags(yargs(normalizeArgs(args)))
    .scriptName('kubectl trainjob')
    .usage('Convert and migrate Kubeflow PyTorchJobs (kubeflow.org/v1) to Trainer v2 TrainJobs.\n\nUsage: kubectl trainjob <verb> [flags]')
    .completion('__yargs_completion', false)
    .strict()
    .recommendCommands()
    .demandCommand(1, 'Name a verb; run "kubectl trainjob --help" to list them.')
    .help('help')
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .exitProcess(false)
    .showHelpOnFail(false)
    .fail((msg, err) => {
      // yargs reports its own validation problems as YError: those are usage errors too.
      if (err && err.name === 'YError') throw new UsageError(err.message, 'Run "kubectl trainjob --help" for usage.');
      if (err) throw err;
      throw new UsageError(msg ?? 'invalid usage', 'Run "kubectl trainjob --help" for usage.');
    })
    .epilogue('Exit codes: 0 ok, 1 error, 2 usage, 3 warnings, 4 refused or blocked, 5 internal error (docs/exit-codes.md).');
  for (const verb of verbs) y = y.command(verb(deps));
  return y;
}

/**
 * Rewrites `-f -` / `--filename -` to `--filename=-`: yargs drops a lone `-` that follows an array
 * option, and `-` (standard input) is how kubectl users pipe manifests.
 */
export function normalizeArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if ((a === '-f' || a === '--filename') && args[i + 1] === '-') {
      out.push('--filename=-');
      i++;
    } else out.push(a);
  }
  return out;
}
