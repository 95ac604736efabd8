import type { CommandModule } from 'yargs';
import type { Deps } from '../io.js';
import type { GlobalFlags } from './flags.js';

/** `kubectl trainjob convert`: PyTorchJob manifests in, TrainJob manifests out (placeholder). */
export function convertCommand(deps: Deps): CommandModule<GlobalFlags, GlobalFlags> {
  return {
    command: 'convert [files..]',
    describe: 'Convert PyTorchJob manifests to TrainJob manifests (never contacts a cluster)',
    handler: async () => {
      deps.io.err.write('convert: not implemented yet\n');
    },
  };
}
