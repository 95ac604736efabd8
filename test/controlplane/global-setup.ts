// Jest globalSetup of the `integration` project (wired in jest.config.mjs): one control plane per run.
//
// Why this file only imports node builtins: Jest loads globalSetup outside its own module system,
// through a require() hook that compiles TypeScript to CommonJS and ignores moduleNameMapper. Our
// sources import each other as './x.js' (NodeNext style), which plain require() cannot find. So this
// file installs a narrowly scoped resolve hook (a './x.js' that does not exist but './x.ts' does,
// from a file in this directory) for the duration of loading jest-lifecycle.ts, then removes it.
import { existsSync } from 'node:fs';
import { registerHooks } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

interface JestProjectConfig {
  rootDir: string;
}

function resolveTsSiblings(dir: string): { deregister(): void } {
  // registerHooks needs Node >= 22.15; so does require() of the ESM-only @kubernetes/client-node.
  if (typeof registerHooks !== 'function') {
    throw new Error(`Node ${process.version} is too old for the integration tests: run them through npx or npm `
      + '(which use the pinned Node 24 from node_modules/.bin), e.g. NODE_OPTIONS=--experimental-vm-modules npx jest --selectProjects integration');
  }
  return registerHooks({
    resolve(specifier, context, nextResolve) {
      const parent = context.parentURL?.startsWith('file:') ? fileURLToPath(context.parentURL) : undefined;
      if (parent && parent.startsWith(dir + path.sep) && /^\.\.?\/.*\.js$/.test(specifier)) {
        const asJs = path.resolve(path.dirname(parent), specifier);
        const asTs = asJs.replace(/\.js$/, '.ts');
        if (!existsSync(asJs) && existsSync(asTs)) return nextResolve(asTs, context); // a plain path works for both require() and import
      }
      return nextResolve(specifier, context);
    },
  });
}

/** Starts the run's control plane and installs the CRDs; see jest-lifecycle.ts. */
export default async function globalSetup(_globalConfig: unknown, projectConfig: JestProjectConfig): Promise<void> {
  // Workers inherit this and find upstream/ and bin/ from it, whatever directory Jest was started in.
  process.env.KTJ_REPO_ROOT ??= projectConfig.rootDir;
  const hooks = resolveTsSiblings(path.join(projectConfig.rootDir, 'test', 'controlplane'));
  let lifecycle: typeof import('./jest-lifecycle.js');
  try {
    lifecycle = await import('./jest-lifecycle.js');
  } finally {
    hooks.deregister();
  }
  await lifecycle.setUpControlPlane();
}
