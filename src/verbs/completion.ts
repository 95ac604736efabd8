import type { CommandModule } from 'yargs';
import { UsageError } from '../errors.js';
import type { Deps } from '../io.js';

/** `kubectl trainjob completion bash|zsh`: prints a shell completion script (placeholder until packaging lands). */
export function completionCommand(deps: Deps): CommandModule {
  return {
    command: 'completion <shell>',
    describe: 'Print a shell completion script (bash or zsh)',
    handler: async (argv) => {
      const shell = String(argv.shell);
      if (shell !== 'bash' && shell !== 'zsh') throw new UsageError(`unsupported shell "${shell}"`, 'Supported shells: bash, zsh.');
      deps.io.out.write(`# completion for ${shell}\n`);
    },
  };
}

/** Answers kubectl's plugin completion protocol (`kubectl_complete-trainjob ARGS... WORD`). */
export async function runCompletionProtocol(args: string[], deps: Deps): Promise<number> {
  void args;
  deps.io.out.write(':4\n');
  return 0;
}
