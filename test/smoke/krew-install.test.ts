// The krew path end to end: scripts/release.sh (reusing the built binary) makes the archive and
// the rendered manifest, and krew/simulate-install.sh installs them the way
// `kubectl krew install --manifest --archive` would, then runs the plugin through kubectl.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { BINARY, ROOT, requireBinary } from './sandbox.js';

let work: string;
let version: string;
beforeAll(() => {
  requireBinary();
  work = mkdtempSync(path.join(tmpdir(), 'trainjob-krew-'));
  version = JSON.parse(spawnSync(BINARY, ['version', '-o', 'json'], { encoding: 'utf8' }).stdout).version;
});
afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

const sh = (script: string, args: string[], env: Record<string, string> = {}) => {
  const r = spawnSync('bash', [path.join(ROOT, script), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 110_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

describe('krew release and install', () => {
  test('release.sh builds a validated manifest and a deterministic archive, and the install works', () => {
    const releaseDir = path.join(work, 'release');
    const rel = sh('scripts/release.sh', [version], { SKIP_BUILD: '1', RELEASE_DIR: releaseDir });
    if (rel.code !== 0) throw new Error(`scripts/release.sh exited ${rel.code}:\n${rel.out}`);
    expect(rel.out).toContain('trainjob.yaml: ok');

    const archive = path.join(releaseDir, `kubectl-trainjob_v${version}_linux_amd64.tar.gz`);
    const manifestPath = path.join(releaseDir, 'trainjob.yaml');
    const manifest = parse(readFileSync(manifestPath, 'utf8'));
    const sha = createHash('sha256').update(readFileSync(archive)).digest('hex');
    expect(manifest.metadata.name).toBe('trainjob');
    expect(manifest.spec.version).toBe(`v${version}`);
    expect(manifest.spec.platforms).toHaveLength(1);
    expect(manifest.spec.platforms[0]).toMatchObject({
      selector: { matchLabels: { os: 'linux', arch: 'amd64' } },
      sha256: sha,
      bin: 'kubectl-trainjob',
      uri: expect.stringMatching(new RegExp(`/kubectl-trainjob_v${version.replace(/\./g, '\\.')}_linux_amd64\\.tar\\.gz$`)),
    });

    const listing = spawnSync('tar', ['-tzvf', archive], { encoding: 'utf8' }).stdout.trim().split('\n');
    expect(listing.map((l) => l.split(/\s+/).pop()).sort()).toEqual(['LICENSE', 'kubectl-trainjob']);
    expect(listing.find((l) => l.endsWith('kubectl-trainjob'))).toMatch(/^-rwxr-xr-x 0\/0/);

    const krewRoot = path.join(work, 'krew');
    const inst = sh('krew/simulate-install.sh', [manifestPath, archive], { KREW_ROOT: krewRoot });
    if (inst.code !== 0) throw new Error(`krew/simulate-install.sh exited ${inst.code}:\n${inst.out}`);
    expect(inst.out).toContain(`${krewRoot}/bin/kubectl-trainjob`);
    expect(inst.out).toMatch(/^kubectl-trainjob \d+\.\d+\.\d+/m);
    expect(inst.out).toContain('simulate-install: ok');
  });
});
