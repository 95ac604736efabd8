// The npm package, as a user without a packaged executable would use it: scripts/pack-npm.mjs
// builds it with a Node that is NOT the pinned linux-x64 binary (the oldest supported one), npm
// installs the tarball globally into a temporary prefix, and kubectl runs it from there, on the
// oldest supported Node and on Node 24; a Node below the engines range gets a clear error.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { EXAMPLE, PINNED_NODE, ROOT, expectExit, kubectlPath, linkDir, run, runtimeNode } from './support.js';

let work: string;
let prefix: string;
let tarball: string;
let kubectlDir: string;
let oldest: string;
let tooOld: string;
const rootPkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

/** The test runner's PATH without node_modules/.bin (where npm run and npx put the pinned Node). */
const withoutNodeModules = () => (process.env.PATH ?? '').split(':').filter((d) => !d.includes('node_modules')).join(':');

/** kubectl with PATH = the npm prefix's bin, one node, kubectl: nothing else. */
const kubectlWith = (node: string, args: string[]) =>
  run('kubectl', args, { env: { HOME: work, PATH: `${prefix}/bin:${path.dirname(node)}:${kubectlDir}` }, timeoutMs: 120_000 });

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'trainjob-npm-'));
  prefix = path.join(work, 'prefix');
  kubectlDir = linkDir(path.join(work, 'kubectl'), { kubectl: kubectlPath() });
  [oldest, tooOld] = [await runtimeNode('oldest-supported'), await runtimeNode('too-old')];

  // Packed by Node 22.19 with no node_modules/.bin on PATH: the pinned linux-x64 Node plays no part.
  // npm is the machine's npm-cli.js, whose `#!/usr/bin/env node` finds Node 22.19 first on PATH.
  const npmSh = realpathSync(spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8', env: { PATH: withoutNodeModules() } }).stdout.trim());
  const npmDir = linkDir(path.join(work, 'npm'), { npm: path.join(path.dirname(npmSh), 'npm-cli.js') });
  const env = { HOME: work, PATH: `${path.dirname(oldest)}:${npmDir}:/usr/bin:/bin`, npm_config_cache: path.join(work, 'npm-cache') };
  const packed = expectExit(await run(oldest, [path.join(ROOT, 'scripts', 'pack-npm.mjs')], { env, cwd: ROOT, timeoutMs: 300_000 }), 'scripts/pack-npm.mjs');
  tarball = packed.stdout.trim().split('\n').pop() ?? '';
  expect(tarball).toBe(path.join(ROOT, 'dist', 'npm', `kubectl-trainjob-${rootPkg.version}.tgz`));

  // --offline: the package has no dependencies, so installing it must not need the registry.
  expectExit(await run('npm', ['install', '-g', '--prefix', prefix, tarball, '--offline', '--no-audit', '--no-fund'], { env, timeoutMs: 300_000 }), 'npm install -g');
}, 900_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('npm package', () => {
  test('holds the launcher, the bundle, LICENSE and README, and depends on nothing', async () => {
    const list = expectExit(await run('tar', ['-tzf', tarball], { env: { PATH: '/usr/bin:/bin' } }), 'tar -t').stdout.trim().split('\n').sort();
    expect(list).toEqual(['package/LICENSE', 'package/README.md', 'package/bin/kubectl-trainjob.cjs', 'package/cli.cjs', 'package/package.json']);
    const pkg = JSON.parse(readFileSync(path.join(prefix, 'lib', 'node_modules', 'kubectl-trainjob', 'package.json'), 'utf8'));
    expect(pkg).toMatchObject({ name: 'kubectl-trainjob', version: rootPkg.version, bin: { 'kubectl-trainjob': 'bin/kubectl-trainjob.cjs' }, engines: { node: '>=22.19.0' } });
    expect(pkg.dependencies).toBeUndefined();
    expect(existsSync(path.join(prefix, 'bin', 'kubectl-trainjob'))).toBe(true);
  });

  test.each([
    ['the oldest supported Node (22.19.0)', () => oldest],
    ['Node 24', () => PINNED_NODE],
  ])('runs through kubectl on %s: plugin list, version, convert', async (_name, node) => {
    const list = expectExit(await kubectlWith(node(), ['plugin', 'list']), 'kubectl plugin list');
    expect(list.stdout).toContain(path.join(prefix, 'bin', 'kubectl-trainjob'));
    const ver = expectExit(await kubectlWith(node(), ['trainjob', 'version', '-o', 'json']), 'kubectl trainjob version');
    expect(JSON.parse(ver.stdout)).toMatchObject({ name: 'kubectl-trainjob', version: rootPkg.version });
    const conv = expectExit(await kubectlWith(node(), ['trainjob', 'convert', '-f', EXAMPLE]), 'kubectl trainjob convert', [3]);
    expect(conv.stdout).toMatch(/^kind: TrainJob$/m);
    expect(conv.stderr).toContain('1/1 PyTorchJob converted');
  });

  test('the completion helper link works under node (kubectl __complete)', async () => {
    const helper = path.join(prefix, 'bin', 'kubectl_complete-trainjob');
    symlinkSync(path.join(prefix, 'bin', 'kubectl-trainjob'), helper);
    try {
      const r = expectExit(await kubectlWith(oldest, ['__complete', 'trainjob', 'conv']), 'kubectl __complete');
      expect(r.stdout).toMatch(/^convert\t/m);
      expect(r.stdout.trim().split('\n').pop()).toBe(':4');
    } finally {
      rmSync(helper);
    }
  });

  test('a Node below 22.19 gets exit 1 and a message that says what to do', async () => {
    const r = await kubectlWith(tooOld, ['trainjob', 'version']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`error: kubectl-trainjob needs Node.js >=22.19.0 (this is v22.18.0 at ${tooOld})`);
    expect(r.stderr).toContain('docs/install.md');
  });
});
