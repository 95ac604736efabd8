import { Readable } from 'node:stream';
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import type { Deps } from '../io.js';

/** The shells `kubectl trainjob completion` can print a script for. */
export const COMPLETION_SHELLS = ['bash', 'zsh'] as const;

/** The name kubectl (>= 1.26) looks up on PATH to complete `kubectl trainjob ...`. */
export const KUBECTL_COMPLETE_NAME = 'kubectl_complete-trainjob';

/** The command that puts the kubectl completion helper next to the installed binary. */
export const SYMLINK_COMMAND = `ln -sf "$(command -v kubectl-trainjob)" "$(dirname "$(command -v kubectl-trainjob)")/${KUBECTL_COMPLETE_NAME}"`;

/**
 * cobra's ShellCompDirective values, printed as the last line `:<n>` of the protocol.
 * kubectl forwards them to the shell: 0 lets the shell fall back to file names, 4 forbids it.
 */
export const ShellCompDirective = { Default: 0, NoFileComp: 4 } as const;

/** Flags whose value is a file name: the shell should offer files after them. */
const FILE_FLAGS = new Set(['-f', '--filename', '--kubeconfig', '--output-dir', '--report-file']);

/** Verbs whose positional arguments are files. */
const FILE_POSITIONAL_VERBS = new Set(['convert']);

/**
 * The -o values offered per verb when the verb's own `output` option declares no `choices`
 * (yargs completes declared choices by itself, and those win). Keep in step with the
 * `outputFormat(...)` call in each verb.
 */
const OUTPUT_FORMATS: Record<string, readonly string[]> = {
  '': ['yaml', 'json'],
  convert: ['yaml', 'json'],
  version: ['text', 'json', 'yaml'],
};

/** `kubectl trainjob completion bash|zsh`: prints a shell completion script. */
export function completionCommand(deps: Deps): CommandModule {
  return {
    command: 'completion <shell>',
    describe: 'Print a shell completion script (bash or zsh)',
    builder: (y: Argv) =>
      y
        .positional('shell', { type: 'string', choices: COMPLETION_SHELLS, describe: 'The shell to print the script for' })
        .example('source <(kubectl-trainjob completion bash)', 'Complete kubectl-trainjob in the current bash')
        .epilogue(completionHelp('<shell>', true)),
    handler: async (argv) => {
      const shell = String(argv.shell);
      if (shell === 'bash') deps.io.out.write(bashScript());
      else if (shell === 'zsh') deps.io.out.write(zshScript());
      else throw new UsageError(`unsupported shell "${shell}"`, `Supported shells: ${COMPLETION_SHELLS.join(', ')}.`);
    },
  };
}

/**
 * The setup instructions, printed in `completion --help` and at the top of each script.
 * `--help` output is wrapped by yargs, so there the symlink command is split over two short lines.
 */
function completionHelp(shell: string, forHelp = false): string {
  const rc = shell === 'zsh' ? '~/.zshrc' : shell === 'bash' ? '~/.bashrc' : `your shell's rc file`;
  return [
    `To complete "kubectl-trainjob ...", load the script in ${rc}:`,
    `  source <(kubectl-trainjob completion ${shell})`,
    `To complete "kubectl trainjob ..." (kubectl >= 1.26 with kubectl's own completion loaded),`,
    `put the helper ${KUBECTL_COMPLETE_NAME} on PATH next to the binary (krew cannot install it, krew#812):`,
    ...(forHelp
      ? ['  bin="$(command -v kubectl-trainjob)"', `  ln -sf "$bin" "$(dirname "$bin")/${KUBECTL_COMPLETE_NAME}"`]
      : [`  ${SYMLINK_COMMAND}`]),
  ].join('\n');
}

function commentBlock(shell: string): string {
  return (
    `# ${shell} completion for kubectl-trainjob.\n#\n` +
    completionHelp(shell)
      .split('\n')
      .map((l) => `# ${l}`)
      .join('\n') +
    '\n'
  );
}

/**
 * The bash script asks the binary itself (the kubectl protocol, `__complete` ARGS... WORD),
 * so bash and kubectl see the same candidates. The last output line is the directive.
 */
function bashScript(): string {
  return `${commentBlock('bash')}
_kubectl_trainjob_complete() {
    local cur out directive
    local -a words lines
    cur="\${COMP_WORDS[COMP_CWORD]}"
    words=("\${COMP_WORDS[@]:1:COMP_CWORD-1}")
    out="$("\${COMP_WORDS[0]}" __complete "\${words[@]}" "$cur" 2>/dev/null)" || return 0
    mapfile -t lines <<<"$out"
    directive="\${lines[\${#lines[@]}-1]}"
    if [[ "$directive" == :* ]]; then
        unset 'lines[\${#lines[@]}-1]'
        directive="\${directive#:}"
    else
        directive=0
    fi
    COMPREPLY=()
    local line
    for line in "\${lines[@]}"; do
        [[ -n "$line" ]] && COMPREPLY+=("\${line%%$'\\t'*}")
    done
    if [[ \${#COMPREPLY[@]} -eq 0 && $(( directive & 4 )) -eq 0 ]]; then
        compopt -o default 2>/dev/null
    fi
    return 0
}
complete -o nosort -F _kubectl_trainjob_complete kubectl-trainjob 2>/dev/null ||
    complete -F _kubectl_trainjob_complete kubectl-trainjob
`;
}

/** The zsh script: same protocol, descriptions shown through _describe. */
function zshScript(): string {
  return `#compdef kubectl-trainjob
${commentBlock('zsh')}
_kubectl_trainjob() {
    local -a lines cands
    local out directive line
    out="$("\${words[1]}" __complete "\${(@)words[2,CURRENT-1]}" "\${words[CURRENT]}" 2>/dev/null)" || return 1
    lines=("\${(@f)out}")
    directive="\${lines[-1]}"
    if [[ "$directive" == :* ]]; then
        lines=("\${(@)lines[1,-2]}")
        directive="\${directive#:}"
    else
        directive=0
    fi
    for line in "\${lines[@]}"; do
        [[ -z "$line" ]] && continue
        if [[ "$line" == *$'\\t'* ]]; then
            cands+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
        else
            cands+=("\${line//:/\\\\:}")
        fi
    done
    if (( \${#cands} > 0 )); then
        _describe -V kubectl-trainjob cands
    elif (( (directive & 4) == 0 )); then
        _files
    fi
}
if [[ "\${zsh_eval_context[-1]}" == loadautofunc ]]; then
    _kubectl_trainjob "$@"
else
    compdef _kubectl_trainjob kubectl-trainjob
fi
`;
}

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
        const { targetVersions } = await import('../convert/targets/index.js');
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
  const [{ buildCli, verbFactories }, { default: yargs }] = await Promise.all([import('../cli.js'), import('yargs')]);
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
