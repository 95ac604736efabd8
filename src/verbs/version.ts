import type { CommandModule } from 'yargs';
import type { Deps } from '../io.js';
import { TOOL_NAME, TOOL_VERSION } from '../version.js';
import { outputFormat, type GlobalFlags } from './flags.js';

/** `kubectl trainjob version`: prints the tool version and the Trainer schemas it can target. */
export function versionCommand(deps: Deps): CommandModule<GlobalFlags, GlobalFlags> {
  return {
    command: 'version',
    describe: 'Print the version of kubectl-trainjob',
    handler: async (argv) => {
      const format = outputFormat(argv.output, ['text', 'json', 'yaml'] as const, 'text');
      const { targetVersions } = await import('../convert/targets/index.js');
      const info = { name: TOOL_NAME, version: TOOL_VERSION, targets: targetVersions() };
      if (format === 'json') deps.io.out.write(JSON.stringify(info, null, 2) + '\n');
      else if (format === 'yaml') deps.io.out.write(`name: ${info.name}\nversion: ${info.version}\ntargets: [${info.targets.join(', ')}]\n`);
      else deps.io.out.write(`${TOOL_NAME} ${TOOL_VERSION} (targets Trainer ${info.targets.join(', ')})\n`);
    },
  };
}
