// scripts/validate-krew-manifest.mjs mirrors krew's manifest validation (krew is not installable
// here). Each case breaks one rule of a valid manifest and expects the validator to name it.
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const VALIDATOR = path.join(ROOT, 'scripts', 'validate-krew-manifest.mjs');
const work = mkdtempSync(path.join(tmpdir(), 'krew-validate-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

type Manifest = Record<string, any>;

function validManifest(): Manifest {
  return {
    apiVersion: 'krew.googlecontainertools.github.com/v1alpha2',
    kind: 'Plugin',
    metadata: { name: 'trainjob' },
    spec: {
      version: 'v0.1.0',
      homepage: 'https://example.invalid/kubectl-trainjob',
      shortDescription: 'Migrate Kubeflow v1 jobs to Trainer v2 TrainJobs',
      description: 'Converts PyTorchJobs to TrainJobs.\nRun "kubectl trainjob --help".\n',
      platforms: [
        {
          selector: { matchLabels: { os: 'linux', arch: 'amd64' } },
          uri: 'https://example.invalid/kubectl-trainjob_v0.1.0_linux_amd64.tar.gz',
          sha256: 'a'.repeat(64),
          files: [
            { from: 'kubectl-trainjob', to: '.' },
            { from: 'LICENSE', to: '.' },
          ],
          bin: 'kubectl-trainjob',
        },
      ],
    },
  };
}

let n = 0;
function validate(m: Manifest | string, fileName = 'trainjob.yaml', flags: string[] = []) {
  const dir = path.join(work, String(n++));
  mkdirSync(dir);
  const file = path.join(dir, fileName);
  writeFileSync(file, typeof m === 'string' ? m : stringify(m));
  const r = spawnSync(process.execPath, [VALIDATOR, ...flags, file], { encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('validate-krew-manifest', () => {
  test('accepts a valid manifest', () => {
    const r = validate(validManifest());
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/trainjob\.yaml: ok/);
  });

  test('accepts the repository template plugin.yaml with --template', () => {
    const r = spawnSync(process.execPath, [VALIDATOR, '--template', path.join(ROOT, 'plugin.yaml')], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  test('rejects plugin.yaml without --template: the name must match the file name', () => {
    const r = spawnSync(process.execPath, [VALIDATOR, path.join(ROOT, 'plugin.yaml')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('name the file "trainjob.yaml"');
  });

  const platform = (m: Manifest) => m.spec.platforms[0];
  test.each<{ name: string; change: (m: Manifest) => void; file?: string; error: RegExp }>([
    { name: 'an uppercase sha256', change: (m) => (platform(m).sha256 = 'A'.repeat(64)), error: /sha256 .* lowercase hex .*uppercase/ },
    { name: 'a short sha256', change: (m) => (platform(m).sha256 = 'abc'), error: /sha256 "abc"/ },
    { name: 'a missing selector', change: (m) => delete platform(m).selector, error: /selector is required/ },
    { name: 'an empty selector', change: (m) => (platform(m).selector = { matchLabels: {} }), error: /selector is required/ },
    {
      name: 'a selector key other than os/arch',
      change: (m) => (platform(m).selector.matchLabels.distro = 'debian'),
      error: /only use the keys os and arch, got "distro"/,
    },
    { name: 'a shortDescription over 50 characters', change: (m) => (m.spec.shortDescription = 'x'.repeat(51)), error: /51 characters; keep it to 50/ },
    { name: 'a multi-line shortDescription', change: (m) => (m.spec.shortDescription = 'a\nb'), error: /single line/ },
    { name: '"plugin" in the shortDescription', change: (m) => (m.spec.shortDescription = 'A plugin for TrainJobs'), error: /must not say "plugin"/ },
    { name: '"Kubernetes" in the shortDescription', change: (m) => (m.spec.shortDescription = 'Kubernetes TrainJobs'), error: /must not say/ },
    { name: 'a name that differs from the file name', change: () => {}, file: 'trainjobs.yaml', error: /must match the file name/ },
    { name: 'an unsafe name', change: (m) => (m.metadata.name = 'train job'), file: 'train job.yaml', error: /not a safe plugin name/ },
    { name: 'a version without v', change: (m) => (m.spec.version = '0.1.0'), error: /semver with a leading "v"/ },
    { name: 'a non-semver version', change: (m) => (m.spec.version = 'v1.2'), error: /semver/ },
    { name: 'a missing bin', change: (m) => delete platform(m).bin, error: /bin is required/ },
    { name: 'empty files', change: (m) => (platform(m).files = []), error: /files must not be empty/ },
    { name: 'a files entry without to', change: (m) => delete platform(m).files[0].to, error: /files\[0\] needs both/ },
    { name: 'files that do not install LICENSE', change: (m) => platform(m).files.pop(), error: /LICENSE/ },
    { name: 'no platforms', change: (m) => (m.spec.platforms = []), error: /at least one platform/ },
    { name: 'a wrong apiVersion', change: (m) => (m.apiVersion = 'krew.googlecontainertools.github.com/v1alpha1'), error: /apiVersion/ },
    { name: 'a wrong kind', change: (m) => (m.kind = 'Plugins'), error: /kind must be "Plugin"/ },
    {
      name: 'a windows bin without .exe',
      change: (m) => (platform(m).selector.matchLabels.os = 'windows'),
      error: /\.exe on windows/,
    },
    { name: 'a description line over 80 columns', change: (m) => (m.spec.description = 'y'.repeat(81)), error: /longer than 80 columns/ },
  ])('rejects $name', ({ change, file, error }) => {
    const m = validManifest();
    change(m);
    const r = validate(m, file);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(error);
  });

  test('rejects invalid YAML with the parser message', () => {
    const r = validate('apiVersion: [unclosed\n');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/yaml: /);
  });

  test('reports every file and fails if any is invalid', () => {
    const good = validate(validManifest());
    expect(good.code).toBe(0);
    const dir = path.join(work, 'multi');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'trainjob.yaml'), stringify(validManifest()));
    writeFileSync(path.join(dir, 'other.yaml'), stringify(validManifest()));
    const r = spawnSync(process.execPath, [VALIDATOR, path.join(dir, 'trainjob.yaml'), path.join(dir, 'other.yaml')], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('trainjob.yaml: ok');
    expect(r.stderr).toContain('other.yaml: krew: plugin name "trainjob" must match the file name');
  });
});
