// kubectl's plugin completion protocol (`kubectl_complete-trainjob ARGS... WORD`). It sits above the verb
// layer, beside run.ts, because it builds the whole CLI (src/cli.ts) to ask yargs for candidates; the
// `completion <shell>` verb and the tables it shares with this file live in src/verbs/completion.ts.
import { Readable } from 'node:stream';
import type { Argv } from 'yargs';
import type { Deps } from './io.js';
import { FILE_FLAGS, FILE_POSITIONAL_VERBS, OUTPUT_FORMATS, ShellCompDirective } from './verbs/completion.js';

/**
 * Answers kubectl's plugin completion protocol: `kubectl_complete-trainjob ARGS... WORD`
 * (WORD is "" when a new word is started). Prints one candidate per line (`cand` or
 * `cand<TAB>description`) and a last line `:<directive>`. Never fails: completion must not
 * print errors into the user's prompt.
 */
export async function runCompletionProtocol(rawArgs: string[], deps: Deps): Promise<number> {
  let args = rawArgs;
  // `--flag=partial` (as cobra does): complete "partial" as the flag's value, print `--flag=value`.
  let prefix = '';
  const inline = /^(--[\w-]+)=(.*)$/s.exec(args[args.length - 1] ?? '');
  if (inline) {
    prefix = `${inline[1]}=`;
    args = [...args.slice(0, -1), inline[1]!, inline[2]!];
  }
  const words = args.length > 0 ? args.slice(0, -1) : [];
  const current = args.length > 0 ? args[args.length - 1]! : '';
  const prev = words[words.length - 1];
  let candidates: string[] = [];
  let directive: number = ShellCompDirective.NoFileComp;
  try {
    const { cli, globalValueFlags, verbValueFlags, verbNames } = await loadCli(args, deps);
    const verb = firstVerb(words, globalValueFlags);
    const valueFlags = new Set([...globalValueFlags, ...(verbValueFlags.get(verb) ?? [])]);
    if (prev !== undefined && FILE_FLAGS.has(prev)) {
      directive = ShellCompDirective.Default;
    } else if (verb !== '' && FILE_POSITIONAL_VERBS.has(verb) && !current.startsWith('-') && !(prev && valueFlags.has(prev))) {
      directive = ShellCompDirective.Default;
    } else {
      const fromYargs = await yargsCompletions(cli);
      const isValue = prev !== undefined && valueFlags.has(prev) && !current.startsWith('-');
      // In fish format, commands and flags carry a description; declared `choices` do not.
      const choices = fromYargs.filter((c) => !c.includes('\t') && !c.startsWith('-'));
      if (isValue && choices.length > 0) {
        candidates = choices;
      } else if (isValue && (prev === '-o' || prev === '--output')) {
        candidates = [...(OUTPUT_FORMATS[verb] ?? OUTPUT_FORMATS['']!)];
      } else if (isValue && prev === '--target-version') {
        const { targetVersions } = await import('./convert/targets/index.js');
        candidates = [...targetVersions(), 'auto'];
      } else if (isValue) {
        candidates = []; // a free-form value (--context, -n, ...): nothing sensible to offer offline
      } else {
        // Like cobra: flags only once the word starts with "-"; yargs' "--n" spellings of short aliases never.
        candidates = fromYargs.filter((c) => (current.startsWith('-') ? !/^--.(\t|$)/.test(c) : !c.startsWith('-')));
        // yargs offers the other verbs after a verb; every verb is a leaf, so drop them.
        if (verb !== '') candidates = candidates.filter((c) => !verbNames.has(c.split('\t', 1)[0]!));
      }
    }
  } catch {
    candidates = [];
  }
  const seen = new Set<string>();
  for (const c of candidates) {
    const word = c.split('\t', 1)[0]!.replace(/\\:/g, ':');
    if (!word.startsWith(current) || word.startsWith('__') || seen.has(word)) continue;
    seen.add(word);
    const desc = c.includes('\t') ? c.slice(c.indexOf('\t') + 1) : '';
    deps.io.out.write(desc ? `${prefix}${word}\t${desc}\n` : `${prefix}${word}\n`);
  }
  deps.io.out.write(`:${directive}\n`);
  return 0;
}

/** The part of yargs' internal option table used here. */
interface YargsOptions {
  string: string[];
  array: string[];
  number: string[];
  alias: Record<string, string[] | undefined>;
}

interface LoadedCli {
  cli: Argv;
  /** Flags that take a value, with their aliases (`-n`, `--namespace`, ...). */
  globalValueFlags: Set<string>;
  /** The value-taking flags each verb declares in its builder. */
  verbValueFlags: Map<string, Set<string>>;
  /** The top-level verbs (`convert`, `version`, ...). */
  verbNames: Set<string>;
}

/**
 * Builds the real CLI in yargs' completion mode. yargs picks its candidate format from
 * $SHELL when the instance is created; "fish" gives `cand<TAB>description`, which is
 * exactly kubectl's protocol, so $SHELL is set for the duration of the call.
 */
async function loadCli(args: string[], deps: Deps): Promise<LoadedCli> {
  const [{ buildCli, verbFactories }, { default: yargs }] = await Promise.all([import('./cli.js'), import('yargs')]);
  const verbs = await verbFactories([], true);
  // Handlers must never run while completing (see the middleware below); if one did anyway, it
  // would read an empty stdin and write nowhere.
  const quiet: Deps = { ...deps, io: { ...deps.io, in: Readable.from([]), out: nullStream(), err: nullStream() } };
  const saved = { SHELL: process.env.SHELL, ZSH_NAME: process.env.ZSH_NAME };
  process.env.SHELL = '/usr/bin/fish';
  delete process.env.ZSH_NAME;
  try {
    const cli = buildCli(['--get-yargs-completions', ...(args.length > 0 ? args : [''])], quiet, verbs)
      // yargs skips a verb's handler in completion mode only if it printed a candidate; when it
      // printed none, it would run the handler. After-validation middleware runs right before a
      // handler and nowhere else, so it can stop that.
      .middleware(() => {
        throw new Error('completion mode: verb handlers do not run');
      }, false);
    const globalValueFlags = valueFlagsOf(cli);
    const verbNames = new Set<string>();
    const verbValueFlags = new Map<string, Set<string>>();
    for (const factory of verbs) {
      const verb = factory(quiet);
      const cmd = verb.command ?? [];
      const names = (Array.isArray(cmd) ? cmd : [cmd]).map((c) => String(c).split(/\s/, 1)[0]!);
      let flags = new Set<string>();
      if (typeof verb.builder === 'function') {
        try {
          const y = yargs([]);
          flags = valueFlagsOf((verb.builder(y) as Argv | undefined) ?? y);
        } catch {
          // a builder that cannot run standalone: its flags are still completed by yargs
        }
      }
      for (const name of names) {
        verbNames.add(name);
        verbValueFlags.set(name, flags);
      }
    }
    return { cli, globalValueFlags, verbValueFlags, verbNames };
  } finally {
    restoreEnv('SHELL', saved.SHELL);
    restoreEnv('ZSH_NAME', saved.ZSH_NAME);
  }
}

/** The flags (with their aliases, as typed: `-n`, `--namespace`) that take a value. */
function valueFlagsOf(y: Argv): Set<string> {
  // getOptions() exists at run time but is missing from @types/yargs 17.
  const opts = (y as unknown as { getOptions(): YargsOptions }).getOptions();
  const flags = new Set<string>();
  for (const key of [...opts.string, ...opts.array, ...opts.number]) {
    for (const name of [key, ...(opts.alias[key] ?? [])]) flags.add(name.length === 1 ? `-${name}` : `--${name}`);
  }
  return flags;
}

/**
 * Runs the parse that answers `--get-yargs-completions` and returns what yargs printed.
 * yargs prints through console.log (a parse callback would swallow the output of nested
 * command builders, and `getCompletion()` never resolves once a command is involved).
 */
async function yargsCompletions(cli: Argv): Promise<string[]> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => void lines.push(a.map(String).join(' '));
  try {
    await cli.parseAsync();
    await new Promise((resolve) => setImmediate(resolve));
  } catch {
    // strict-mode or handler errors: keep whatever candidates were printed
  } finally {
    console.log = log;
  }
  return lines.flatMap((l) => l.split('\n')).filter((l) => l !== '');
}

/** The verb named in the completed words: the first word that is neither a flag nor a flag's value. */
function firstVerb(words: string[], valueFlags: Set<string>): string {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w === '--') return '';
    if (w.startsWith('-')) {
      if (!w.includes('=') && valueFlags.has(w)) i++;
      continue;
    }
    return w;
  }
  return '';
}

function restoreEnv(key: string, value: string | undefined): void {
  if (value === undefined) delete process.env[key];
  else process.env[key] = value;
}

function nullStream(): Deps['io']['out'] {
  return { write: () => true } as unknown as Deps['io']['out'];
}
