import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';

const SCRIPT = path.resolve('scripts/check-boundaries.mjs');
let dir = '';

/** Runs the boundary check on a throw-away tree of source files. */
function check(files: Record<string, string>): { status: number | null; stderr: string } {
  dir = mkdtempSync(path.join(os.tmpdir(), 'ktj-boundaries-'));
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    writeFileSync(path.join(dir, file), text);
  }
  const r = spawnSync(process.execPath, [SCRIPT], { cwd: dir, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('scripts/check-boundaries.mjs layering', () => {
  it('passes a tree whose arrows point down', () => {
    const r = check({
      'src/cli.ts': "import { a } from './verbs/a.js';\n",
      'src/verbs/a.ts': "import type { B } from '../cluster/b.js';\nexport const a = 1;\n",
      'src/cluster/b.ts': '// Verbs load this with await import(\'../verbs/a.js\') (a comment, not an arrow)\nexport type B = 1;\n',
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('refuses an import of src/verbs from a lower layer, type-only included', () => {
    const r = check({ 'src/verbs/flags.ts': 'export type X = 1;\n', 'src/cluster/kubeconfig.ts': "import type { X } from '../verbs/flags.js';\n" });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('src/cluster/kubeconfig.ts: imports src/verbs/flags.ts; arrows point down');
  });

  it('names every import cycle as its chain of files, lazy imports included', () => {
    const r = check({
      'src/a.ts': "import { b } from './b.js';\n",
      'src/b.ts': "export const b = async () => (await import('./c.js')).c;\n",
      'src/c.ts': "import type { A } from './a.js';\nexport const c = 1;\n",
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('import cycle: src/a.ts -> src/b.ts -> src/c.ts -> src/a.ts');
  });
});
