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
export const FILE_FLAGS = new Set(['-f', '--filename', '--kubeconfig', '--output-dir', '--report-file', '--certificate-authority', '--client-certificate', '--client-key']);

/** Verbs whose positional arguments are files. */
export const FILE_POSITIONAL_VERBS = new Set(['convert']);

/**
 * The -o values offered per verb when the verb's own `output` option declares no `choices`
 * (yargs completes declared choices by itself, and those win). Keep in step with the
 * `outputFormat(...)` call in each verb.
 */
export const OUTPUT_FORMATS: Record<string, readonly string[]> = {
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
