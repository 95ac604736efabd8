import yargs, { type Argv, type CommandModule } from 'yargs';
import { UsageError } from './errors.js';
import type { Deps } from './io.js';
import { withGlobalFlags } from './verbs/flags.js';

/** A verb: a yargs command module built with the process dependencies. */
export type VerbFactory = (deps: Deps) => CommandModule<any, any>;

/**
 * One verb as the root command knows it: its yargs command, its one-line description, and how to
 * load the module that implements it. Verbs load only when named on the command line, so
 * `kubectl trainjob --help` evaluates none of them (fast start; test/unit/cli.test.ts keeps the
 * command and description here equal to the module's).
 */
export interface VerbEntry {
  name: string;
  command: string;
  describe: string;
  load: () => Promise<VerbFactory>;
}

/** Every verb, in the order `--help` lists them. */
export const verbEntries: VerbEntry[] = [
  { name: 'convert', command: 'convert [files..]', describe: 'Convert v1 job manifests (PyTorchJob, MPIJob, ... every kind) to TrainJob manifests (offline)', load: async () => (await import('./verbs/convert.js')).convertCommand },
  { name: 'readiness', command: 'readiness', describe: 'Check whether the cluster is ready to migrate v1 jobs (PyTorchJob, MPIJob, ... every kind) to TrainJobs', load: async () => (await import('./verbs/readiness.js')).readinessCommand },
  { name: 'preview', command: 'preview [names..]', describe: 'Show the TrainJobs a migration would create, diffed against the live ones and checked by a server-side dry run', load: async () => (await import('./verbs/preview.js')).previewCommand },
  { name: 'apply-v2', command: 'apply-v2 [names..]', describe: 'Create or update the TrainJobs of v1 jobs (files or live jobs) with server-side apply', load: async () => (await import('./verbs/apply-v2.js')).applyV2Command },
  { name: 'backup', command: 'backup [names..]', describe: 'Back up live v1 jobs (PyTorchJob, MPIJob, ... every kind) as clean manifests (one file per job plus index.yaml)', load: async () => (await import('./verbs/backup.js')).backupCommand },
  { name: 'migrate', command: 'migrate [names..]', describe: 'Migrate live v1 jobs (every kind) to TrainJobs (side by side or replacement), backing them up first', load: async () => (await import('./verbs/migrate.js')).migrateCommand },
  { name: 'compare', command: 'compare [names..]', describe: 'Compare a v1 job (PyTorchJob, MPIJob, XGBoostJob, ...) with the TrainJob migrated from it (state, times, nodes, images, resources, env, pods, logs)', load: async () => (await import('./verbs/compare.js')).compareCommand },
  { name: 'cleanup', command: 'cleanup', describe: 'Report what still uses kubeflow.org/v1 and whether Training Operator v1 can be removed; delete migrated v1 jobs', load: async () => (await import('./verbs/cleanup.js')).cleanupCommand },
  { name: 'rollback', command: 'rollback [names..]', describe: 'Undo a migration: recreate each v1 job (PyTorchJob, XGBoostJob, ...) from its backup and delete its TrainJob and unused generated runtime', load: async () => (await import('./verbs/rollback.js')).rollbackCommand },
  { name: 'completion', command: 'completion <shell>', describe: 'Print a shell completion script (bash or zsh)', load: async () => (await import('./verbs/completion.js')).completionCommand },
  { name: 'version', command: 'version', describe: 'Print the version of kubectl-trainjob', load: async () => (await import('./verbs/version.js')).versionCommand },
];

/** A stand-in for a verb not named on the command line: enough for the root --help listing. */
function listedOnly(entry: VerbEntry): VerbFactory {
  return () => ({ command: entry.command, describe: entry.describe, builder: (y: Argv) => y, handler: async () => undefined });
}

/** Loads the verbs named in args (or all of them, for completion); the others are listed only. */
export async function verbFactories(args: readonly string[], all = false): Promise<VerbFactory[]> {
  return Promise.all(verbEntries.map(async (e) => (all || args.includes(e.name) ? e.load() : listedOnly(e))));
}

/**
 * Builds the yargs parser for `kubectl trainjob`. It never exits the process: usage errors
 * become UsageError, and the single exit point is main.ts.
 */
export function buildCli(args: string[], deps: Deps, factories: VerbFactory[]): Argv {
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
    // kubectl (pflag) lets the last of a repeated single-valued flag win: `-n a -n b` means b. yargs collects
    // repeats into an array instead; keep only the last value of every option not declared as an array.
    .middleware(lastValueWins as unknown as Parameters<Argv["middleware"]>[0], true)
    .fail((msg, err) => {
      // yargs reports its own validation problems as YError: those are usage errors too.
      if (err && err.name === 'YError') throw new UsageError(err.message, 'Run "kubectl trainjob --help" for usage.');
      if (err) throw err;
      throw new UsageError(msg ?? 'invalid usage', 'Run "kubectl trainjob --help" for usage.');
    })
    .epilogue('Exit codes: 0 ok, 1 error, 2 usage, 3 warnings, 4 refused or blocked, 5 internal error (docs/exit-codes.md).');
  for (const verb of factories) y = y.command(verb(deps));
  return y;
}

/** Replaces repeated values of single-valued options by the last one (the middleware above). */
function lastValueWins(argv: Record<string, unknown>, y: Argv): void {
  const opts = (y as unknown as { getOptions(): { array: string[] } }).getOptions();
  const arrays = new Set<string>(['_']);
  for (const k of opts.array) arrays.add(k).add(k.replace(/-([a-z])/g, (_m, c: string) => c.toUpperCase()));
  for (const [k, v] of Object.entries(argv)) if (Array.isArray(v) && !arrays.has(k)) argv[k] = v[v.length - 1];
}

/** Short flags that take a value (pflag shorthands): `-oyaml`, `-nteam-a`, `-n=x` give the rest of the word as the value. */
const VALUE_SHORTHANDS: Record<string, string> = { n: 'namespace', o: 'output', f: 'filename', l: 'selector', s: 'server', v: 'v' };
/** Short boolean flags, which pflag lets a user group (`-Ay`). */
const BOOLEAN_SHORTHANDS = new Set(['A', 'R', 'y', 'h']);
const VERBOSITY_HINT = 'kubectl\'s log level is a number: -v=4 debug detail and stack traces, -v=6 API requests, -v=8 request and response bodies.';

/**
 * Rewrites a command line into the spellings yargs parses the way kubectl (pflag) does:
 * - `-oyaml`, `-nteam-a`, `-n=x`, `-Ay` (shorthand with its value, or grouped booleans) become `--output=yaml`, ...;
 * - `-v N`, `-vN`, `-v=N`, `--v N` become `--v=N` (never a job name); `-v` without a number is a usage error;
 * - a bare `--dry-run` becomes `--dry-run=client` (kubectl's meaning) without swallowing the next word;
 * - `-f -` / `--filename -` become `--filename=-` (yargs drops a lone `-` after an array option);
 * - `--verbose` (this tool's old spelling) becomes `--v=4`.
 * Everything after `--` is left alone.
 */
export function normalizeArgs(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    if ((a === '-f' || a === '--filename') && args[i + 1] === '-') {
      out.push('--filename=-');
      i++;
    } else if (a === '--dry-run') {
      out.push('--dry-run=client');
    } else if (a === '--verbose') {
      out.push('--v=4');
    } else if (a === '-v' || a === '--v') {
      out.push(verbosityArg(a, args[i + 1]));
      i++;
    } else if (/^--v=/.test(a) || /^-v=?\d/.test(a) || a.startsWith('-v=')) {
      out.push(verbosityArg('-v', a.replace(/^--?v=?/, '')));
    } else if (/^-[A-Za-z]./.test(a)) {
      const expanded = expandShorthands(a);
      if (expanded === undefined) out.push(a);
      else if (expanded[expanded.length - 1] === '-v') {
        out.push(...expanded.slice(0, -1), verbosityArg('-v', args[i + 1]));
        i++;
      } else out.push(...expanded);
    } else out.push(a);
  }
  return out;
}

function verbosityArg(flag: string, value: string | undefined): string {
  if (value === undefined || value === '' || value.startsWith('-') && !/^-\d+$/.test(value)) {
    throw new UsageError(`flag needs an argument: 'v' in ${flag}`, VERBOSITY_HINT);
  }
  if (!/^\d+$/.test(value)) throw new UsageError(`invalid argument "${value}" for "-v, --v" flag: not a non-negative number`, VERBOSITY_HINT);
  return `--v=${Number(value)}`;
}

/** pflag's shorthand groups: booleans may be grouped, and a value-taking shorthand takes the rest of the word. */
function expandShorthands(word: string): string[] | undefined {
  const out: string[] = [];
  for (let j = 1; j < word.length; j++) {
    const c = word[j]!;
    const long = VALUE_SHORTHANDS[c];
    if (long !== undefined) {
      const rest = word.slice(j + 1).replace(/^=/, '');
      out.push(rest === '' ? `-${c}` : long === 'v' ? verbosityArg('-v', rest) : `--${long}=${rest}`);
      return out;
    }
    if (!BOOLEAN_SHORTHANDS.has(c)) return undefined; // not ours: let yargs report the unknown flag as typed
    out.push(`-${c}`);
  }
  return out;
}

/** The -v level of a command line (0 when not given); never throws, so errors can still be printed at the level asked for. */
export function verbosityOf(args: readonly string[]): number {
  let level = 0;
  try {
    for (const a of normalizeArgs([...args])) {
      if (a === '--') break;
      const m = /^--v=(\d+)$/.exec(a);
      if (m) level = Number(m[1]);
    }
  } catch {
    // a malformed -v is reported by the parse itself
  }
  return level;
}
