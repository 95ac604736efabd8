// In-process tests of kubectl's plugin completion protocol (src/verbs/completion.ts) with
// captured streams. They need no build; the binary-level checks are in kubectl-plugin.test.ts.
import { describe, expect, test } from '@jest/globals';
import { PassThrough, Writable } from 'node:stream';
import type { Deps } from '../../src/io.js';
import { runCompletionProtocol } from '../../src/completion-protocol.js';
import { completionCommand } from '../../src/verbs/completion.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

function fakeDeps(): { deps: Deps; out: Capture; err: Capture } {
  const out = new Capture();
  const err = new Capture();
  const deps: Deps = {
    io: { in: new PassThrough(), out, err, outIsTTY: false, errIsTTY: false },
    env: {},
    cwd: '/',
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  return { deps, out, err };
}

/** Runs the protocol and splits the answer into candidate words, descriptions and the directive. */
async function complete(...args: string[]) {
  const { deps, out, err } = fakeDeps();
  const code = await runCompletionProtocol(args, deps);
  const lines = out.text.split('\n').filter((l) => l !== '');
  const last = lines.pop() ?? '';
  return {
    code,
    stderr: err.text,
    directive: last,
    words: lines.map((l) => l.split('\t')[0]),
    lines,
  };
}

describe('kubectl plugin completion protocol', () => {
  test.each([

    { name: 'a prefix filters the verbs', args: ['ver'], words: ['version'] },
    { name: 'no verb matches an unknown prefix', args: ['zzz'], words: [] },
    { name: 'verbs are found after global flags with values', args: ['-n', 'team-a', 'v'], words: ['version'] },
    { name: 'a leaf verb offers no other verbs', args: ['version', ''], words: [] },
    { name: 'completion offers the supported shells', args: ['completion', ''], words: ['bash', 'zsh'] },
    { name: 'completion filters the shells', args: ['completion', 'z'], words: ['zsh'] },
  ])('$name', async ({ args, words }) => {
    const r = await complete(...args);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.words).toEqual(words);
    expect(r.directive).toBe(':4');
  });

  test('an empty word lists every verb and no flags', async () => {
    // Other verbs are added over time; these three are always there.
    const r = await complete('');
    expect(r.words).toEqual(expect.arrayContaining(['convert', 'completion', 'version']));
    expect(r.words.filter((w) => w!.startsWith('-'))).toEqual([]);
    expect(r.directive).toBe(':4');
  });

  test('flags complete by prefix and carry descriptions', async () => {
    const r = await complete('version', '--req');
    expect(r.words).toEqual(['--request-timeout']);
    expect(r.lines[0]).toMatch(/^--request-timeout\t\S/);
    expect(r.directive).toBe(':4');
  });

  test('a lone dash lists short and long flags, never yargs "--n" spellings', async () => {
    const r = await complete('version', '-');
    expect(r.words).toEqual(expect.arrayContaining(['--namespace', '-n', '--output', '-o', '--kubeconfig', '--help']));
    expect(r.words.filter((w) => /^--.$/.test(w!))).toEqual([]);
  });

  test('verbs carry descriptions separated by a tab', async () => {
    const r = await complete('');
    expect(r.lines).toContainEqual(expect.stringMatching(/^version\tPrint the version/));
  });

  test.each([
    { name: 'version -o lists its formats', args: ['version', '-o', ''], words: ['text', 'json', 'yaml'] },
    { name: 'version --output filters by prefix', args: ['version', '--output', 'j'], words: ['json'] },
    { name: 'convert -o lists yaml and json', args: ['convert', '-o', ''], words: ['yaml', 'json'] },
    { name: '--output=VALUE completes the value after the =', args: ['version', '--output=j'], words: ['--output=json'] },
    { name: '--report=VALUE completes declared choices', args: ['convert', '--report='], words: ['--report=table', '--report=json', '--report=yaml', '--report=sarif', '--report=markdown', '--report=none'] },
    { name: 'convert --report lists its declared choices', args: ['convert', '--report', ''], words: ['table', 'json', 'yaml', 'sarif', 'markdown', 'none'] },
    { name: 'convert --target-version lists the Trainer schemas and auto', args: ['convert', '--target-version', 'v2.'], words: ['v2.0', 'v2.1', 'v2.2', 'v2.3'] },
  ])('$name', async ({ args, words }) => {
    const r = await complete(...args);
    expect(r.words).toEqual(words);
    expect(r.directive).toBe(':4');
  });

  test.each([
    { name: 'after --kubeconfig', args: ['version', '--kubeconfig', ''] },
    { name: 'after -f', args: ['convert', '-f', ''] },
    { name: 'after --filename', args: ['convert', '--filename', 'jo'] },
    { name: 'for --kubeconfig=PATH', args: ['--kubeconfig=./k'] },
    { name: 'for the positional files of convert', args: ['convert', ''] },
    { name: 'for a second positional file of convert', args: ['convert', 'a.yaml', 'b'] },
    { name: 'after convert --output-dir', args: ['convert', '--output-dir', ''] },
  ])('files are completed by the shell $name', async ({ args }) => {
    const r = await complete(...args);
    expect(r.words).toEqual([]);
    expect(r.directive).toBe(':0');
  });

  test('free-form flag values get no candidates and no files', async () => {
    for (const flag of ['-n', '--context', '--as', '--request-timeout']) {
      const r = await complete('version', flag, '');
      expect({ flag, words: r.words, directive: r.directive }).toEqual({ flag, words: [], directive: ':4' });
    }
  });

  test('no arguments at all behaves like an empty word', async () => {
    expect((await complete()).words).toEqual((await complete('')).words);
  });

  test('restores $SHELL and console.log', async () => {
    const shell = process.env.SHELL;
    const log = console.log;
    await complete('ver');
    expect(process.env.SHELL).toBe(shell);
    expect(console.log).toBe(log);
  });
});

describe('kubectl trainjob completion', () => {
  async function script(shell: string): Promise<string> {
    const { deps, out } = fakeDeps();
    const cmd = completionCommand(deps);
    await (cmd.handler as (a: Record<string, unknown>) => Promise<void>)({ shell, _: [], $0: 'kubectl trainjob' });
    return out.text;
  }

  test.each(['bash', 'zsh'])('the %s script calls the binary protocol and explains the kubectl symlink', async (shell) => {
    const s = await script(shell);
    expect(s).toContain('__complete');
    expect(s).toContain('kubectl_complete-trainjob');
    expect(s).toContain('ln -sf "$(command -v kubectl-trainjob)"');
    expect(s).not.toContain('kubectl trainjob_yargs_completions');
  });

  test('bash registers the function for kubectl-trainjob', async () => {
    expect(await script('bash')).toMatch(/complete .*-F _kubectl_trainjob_complete kubectl-trainjob/);
  });

  test('zsh uses compdef for kubectl-trainjob', async () => {
    const s = await script('zsh');
    expect(s.startsWith('#compdef kubectl-trainjob\n')).toBe(true);
    expect(s).toContain('compdef _kubectl_trainjob kubectl-trainjob');
  });

  test('an unknown shell is a usage error naming the supported ones', async () => {
    await expect(script('fish')).rejects.toMatchObject({ exitCode: 2, hint: 'Supported shells: bash, zsh.' });
  });
});
