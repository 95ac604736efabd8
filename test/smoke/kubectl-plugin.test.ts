// Smoke tests of the built single executable, run as a kubectl plugin (see sandbox.ts).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, makeSandbox, parseCompletion, requireBinary, type Sandbox } from './sandbox.js';

let sb: Sandbox;
beforeAll(() => {
  requireBinary();
  sb = makeSandbox();
});
afterAll(() => sb?.cleanup());

describe('kubectl trainjob (built binary through kubectl)', () => {
  test('the environment has no node and no node_modules', () => {
    expect(Object.keys(sb.env).sort()).toEqual(['HOME', 'PATH']);
    expect(readdirSync(sb.binDir).sort()).toEqual(['kubectl', 'kubectl-trainjob', 'kubectl_complete-trainjob']);
  });

  test('--help exits 0 and lists the verbs under the kubectl name', () => {
    const r = sb.kubectl(['trainjob', '--help']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('kubectl trainjob <verb> [flags]');
    for (const verb of ['convert', 'version', 'completion']) expect(r.stdout).toContain(`kubectl trainjob ${verb}`);
    expect(r.stdout).toContain('--kubeconfig');
  });

  test('version prints the tool version', () => {
    const r = sb.kubectl(['trainjob', 'version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^kubectl-trainjob \d+\.\d+\.\d+/);
  });

  test('version -o json is machine-readable', () => {
    const r = sb.kubectl(['trainjob', 'version', '-o', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'kubectl-trainjob', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  test('an unknown flag is a usage error: exit 2, message on stderr, nothing on stdout', () => {
    const r = sb.kubectl(['trainjob', 'version', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: Unknown argument: bogus/m);
  });

  test('no verb is a usage error', () => {
    const r = sb.kubectl(['trainjob']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: /m);
  });

  test('an unknown verb is a usage error', () => {
    expect(sb.kubectl(['trainjob', 'bogus-verb']).code).toBe(2);
  });

  test('kubectl plugin list finds it', () => {
    const r = sb.kubectl(['plugin', 'list']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${sb.binDir}/kubectl-trainjob`);
  });

  test('the binary also runs directly and prints no Node.js warnings', () => {
    const r = sb.exec('kubectl-trainjob', ['version']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  test('NODE_OPTIONS does not reach the embedded Node.js (execArgvExtension: none)', () => {
    const r = sb.kubectl(['trainjob', 'version'], { NODE_OPTIONS: '--require=/nonexistent/hook.js' });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  });

  // Only exit codes here: the convert owner's tests pin the output format.
  test('convert runs from / on an absolute path (0 clean, 3 with warnings)', () => {
    const example = path.join(ROOT, 'upstream/examples/pytorchjobs/kubeflow-trainer-v1.9.2-simple.yaml');
    const r = sb.kubectl(['trainjob', 'convert', example]);
    expect([0, 3]).toContain(r.code);
    expect(r.stdout).not.toBe('');
  });

  test('convert of a missing file fails with exit 1', () => {
    const r = sb.kubectl(['trainjob', 'convert', '/nonexistent/job.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: /m);
  });

  test('the bash script completes kubectl-trainjob through the binary', () => {
    const script = [
      'source <(kubectl-trainjob completion bash)',
      'COMP_WORDS=(kubectl-trainjob ver); COMP_CWORD=1; _kubectl_trainjob_complete; echo "1:${COMPREPLY[*]}"',
      'COMP_WORDS=(kubectl-trainjob version -o ""); COMP_CWORD=3; _kubectl_trainjob_complete; echo "2:${COMPREPLY[*]}"',
      'complete -p kubectl-trainjob',
    ].join('\n');
    const r = spawnSync('bash', ['-c', script], { cwd: '/', env: { PATH: `${sb.binDir}:/usr/bin:/bin`, HOME: sb.home }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('1:version\n');
    expect(r.stdout).toContain('2:text json yaml\n');
    expect(r.stdout).toMatch(/complete .*-F _kubectl_trainjob_complete kubectl-trainjob/);
  });

  test('completion bash prints a script for kubectl-trainjob', () => {
    const r = sb.kubectl(['trainjob', 'completion', 'bash']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/complete .*-F _kubectl_trainjob_complete kubectl-trainjob/);
    expect(r.stdout).toContain('kubectl_complete-trainjob');
  });
});

describe('kubectl __complete trainjob (kubectl >= 1.26 plugin completion via kubectl_complete-trainjob)', () => {
  test('completes verbs by prefix', () => {
    const r = sb.kubectl(['__complete', 'trainjob', 'ver']);
    expect(r.code).toBe(0);
    expect(parseCompletion(r.stdout)).toEqual({ words: ['version'], directive: ':4' });
  });

  test('lists every verb for an empty word', () => {
    const { words } = parseCompletion(sb.kubectl(['__complete', 'trainjob', '']).stdout);
    expect(words).toEqual(expect.arrayContaining(['convert', 'completion', 'version']));
  });

  test('completes flags', () => {
    const { words } = parseCompletion(sb.kubectl(['__complete', 'trainjob', 'version', '--req']).stdout);
    expect(words).toEqual(['--request-timeout']);
  });

  test('completes -o values', () => {
    const { words, directive } = parseCompletion(sb.kubectl(['__complete', 'trainjob', 'version', '-o', '']).stdout);
    expect(words).toEqual(['text', 'json', 'yaml']);
    expect(directive).toBe(':4');
  });

  test('asks the shell for file names after --kubeconfig and for convert inputs', () => {
    expect(parseCompletion(sb.kubectl(['__complete', 'trainjob', 'version', '--kubeconfig', '']).stdout)).toEqual({ words: [], directive: ':0' });
    expect(parseCompletion(sb.kubectl(['__complete', 'trainjob', 'convert', '']).stdout)).toEqual({ words: [], directive: ':0' });
  });

  test('the helper name alone answers the protocol (argv0 check)', () => {
    const r = sb.exec('kubectl_complete-trainjob', ['completi']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('completion\tPrint a shell completion script (bash or zsh)\n:4\n');
  });
});
