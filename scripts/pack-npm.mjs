#!/usr/bin/env node
// Builds the npm package of kubectl-trainjob: the bundled CLI for any OS with Node.js >= 22.19,
// for the platforms and users that a packaged executable does not reach.
//
//   node scripts/pack-npm.mjs          (npm run pack:npm)
//   npm install -g dist/npm/kubectl-trainjob-<version>.tgz
//   kubectl trainjob version
//
// Runs on whatever Node runs it (>= 22; macOS and Windows included): it bundles with esbuild and
// packs with npm, and never touches the pinned linux-x64 Node binary. The package has no
// dependencies (everything is in cli.cjs), so installing it needs no registry access.
// Output: dist/npm/kubectl-trainjob-<version>.tgz (the path is printed on the last line).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'npm');
const pkgDir = join(out, 'package');
/** client-node 2 brings undici 8, whose engines field requires Node >= 22.19 (on Node 20 it crashes at import). */
const NODE_RANGE = '>=22.19.0';

const fail = (message) => {
  console.error(`pack-npm: ${message}`);
  process.exit(1);
};
const [major] = process.versions.node.split('.').map(Number);
if (major < 22) fail(`run me with Node.js >= 22 (this is ${process.version})`);

const rootPkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
rmSync(out, { recursive: true, force: true });
mkdirSync(join(pkgDir, 'bin'), { recursive: true });

// 1. The bundle, for the oldest Node the package accepts.
const build = spawnSync(process.execPath, [join(root, 'scripts', 'build.mjs'), '--bundle-only', '--target=node22', `--out=${join(out, 'bundle', 'cli.cjs')}`], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) fail(`scripts/build.mjs failed (exit ${build.status ?? build.signal})`);
copyFileSync(join(out, 'bundle', 'cli.cjs'), join(pkgDir, 'cli.cjs'));

// 2. The command npm links onto PATH. A small CommonJS launcher: it refuses a too-old Node with a
// clear message (npm only warns about engines), and maps the completion helper name that kubectl
// runs (kubectl_complete-trainjob, a link to this file) to the __complete protocol, because under
// node the helper's name is in argv[1], not in argv0 as in the single executable.
writeFileSync(
  join(pkgDir, 'bin', 'kubectl-trainjob.cjs'),
  `#!/usr/bin/env node
'use strict';
// kubectl-trainjob launcher (npm package): checks the Node.js version, then runs ../cli.cjs.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 19)) {
  process.stderr.write(
    'error: kubectl-trainjob needs Node.js ${NODE_RANGE} (this is ' + process.version + ' at ' + process.execPath + ').\\n' +
      'Install a newer Node.js, or the single executable of a release (krew), which needs no Node.js (docs/install.md).\\n',
  );
  process.exit(1);
}
if (require('node:path').basename(process.argv[1] || '').startsWith('kubectl_complete-')) process.argv.splice(2, 0, '__complete');
require('../cli.cjs');
`,
  { mode: 0o755 },
);

// 3. package.json, README and LICENSE.
writeFileSync(
  join(pkgDir, 'package.json'),
  `${JSON.stringify(
    {
      name: rootPkg.name,
      version: rootPkg.version,
      description: rootPkg.description,
      license: rootPkg.license,
      keywords: ['kubectl', 'kubectl-plugin', 'kubeflow', 'trainjob', 'pytorchjob', 'migration'],
      bin: { 'kubectl-trainjob': 'bin/kubectl-trainjob.cjs' },
      files: ['bin/', 'cli.cjs', 'LICENSE', 'README.md'],
      engines: { node: NODE_RANGE },
    },
    null,
    2,
  )}\n`,
);
copyFileSync(join(root, 'LICENSE'), join(pkgDir, 'LICENSE'));
writeFileSync(
  join(pkgDir, 'README.md'),
  `# kubectl-trainjob ${rootPkg.version}

A kubectl plugin that moves Kubeflow Training Operator v1 PyTorchJobs to Kubeflow Trainer v2
TrainJobs. This npm package is the bundled CLI for any OS with Node.js ${NODE_RANGE}; the krew
release is a single executable that needs no Node.js.

\`\`\`bash
npm install -g kubectl-trainjob-${rootPkg.version}.tgz
kubectl trainjob version
kubectl trainjob convert -f pytorchjob.yaml
\`\`\`

npm puts \`kubectl-trainjob\` on your PATH (in \`$(npm prefix -g)/bin\`), where kubectl finds it.
Shell completion of \`kubectl trainjob <TAB>\` needs a second name for it, which npm cannot create:

\`\`\`bash
ln -sf "$(command -v kubectl-trainjob)" "$(dirname "$(command -v kubectl-trainjob)")/kubectl_complete-trainjob"
\`\`\`

Documentation: the project's README and docs/ (docs/install.md for every way to install).
`,
);

// 4. npm pack (the tarball npm install -g takes).
const packed = spawnSync('npm', ['pack', '--pack-destination', out, '--silent'], { cwd: pkgDir, encoding: 'utf8', shell: process.platform === 'win32' });
if (packed.status !== 0) fail(`npm pack failed:\n${packed.stderr}`);
rmSync(join(out, 'bundle'), { recursive: true, force: true });
console.log(join(out, packed.stdout.trim().split('\n').pop()));
