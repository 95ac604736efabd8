// Golden tests of `convert --in-place` and `convert --diff` (docs/convert.md "--in-place and --diff").
// Each folder under test/golden/inplace is a case: input/ is a small repository of manifests, case.yaml
// gives the convert arguments. For each target version:
//   <target>/diff.patch   the stdout of `convert --diff` (a unified diff per file, git-style headers)
//   <target>/result.yaml  exit code, the per-file report lines and the finding codes
// and `--in-place` on a copy of input/ must change exactly the files of the diff, to exactly the `+` side
// (every other file byte for byte), with every emitted TrainJob valid against the target's CRD schema.
// UPDATE_GOLDEN=1 rewrites the expected files; review the diff like code.
import { describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { getTarget, targetVersions } from '../../src/convert/targets/index.js';
import { unifiedDiff } from '../../src/render/diff.js';
import { compileSchema, validateObject } from '../../src/schema/index.js';
import { runCli } from '../verbs/run-cli.js';

const casesDir = path.join(process.cwd(), 'test/golden/inplace');
const update = process.env.UPDATE_GOLDEN === '1';
const cases = readdirSync(casesDir).filter((d) => existsSync(path.join(casesDir, d, 'case.yaml'))).sort();

interface CaseSpec {
  description?: string;
  args?: string[];
  targets?: string[];
}

function expectFile(file: string, actual: string): void {
  if (update) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) throw new Error(`${file} is missing: run npm run golden:update and review it`);
  expect(actual).toEqual(readFileSync(file, 'utf8'));
}

function listFiles(dir: string, base = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(path.join(dir, base), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = base ? `${base}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(dir, rel));
    else out.push(rel);
  }
  return out;
}

/** The report lines that say what happened to each file. */
function fileLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => / (rewritten|would be rewritten|left unchanged) ?[:(]/.test(l) || /: (would be )?rewritten: /.test(l));
}

describe.each(cases)('in-place golden %s', (name) => {
  const dir = path.join(casesDir, name);
  const spec = (parse(readFileSync(path.join(dir, 'case.yaml'), 'utf8')) ?? {}) as CaseSpec;
  const args = spec.args ?? ['-R', '-f', '.'];
  test.each(spec.targets ?? targetVersions())('target %s', async (target) => {
    const input = path.join(dir, 'input');
    const diff = await runCli(['convert', ...args, '--target-version', target, '--diff', '--report', 'table'], { cwd: input });
    expectFile(path.join(dir, target, 'diff.patch'), diff.stdout);
    const reportFile = path.join(mkdtempSync(path.join(tmpdir(), 'ktj-inplace-report-')), 'r.json');
    const tmp = mkdtempSync(path.join(tmpdir(), 'ktj-inplace-'));
    try {
      cpSync(input, tmp, { recursive: true });
      const before = new Map(listFiles(tmp).map((f) => [f, readFileSync(path.join(tmp, f), 'utf8')]));
      const modes = new Map(listFiles(tmp).map((f) => [f, statSync(path.join(tmp, f)).mode]));
      const r = await runCli(['convert', ...args, '--target-version', target, '--in-place', '--report', 'json', '--report-file', reportFile], { cwd: tmp });
      expect(r.code).toBe(diff.code);
      expect(r.stdout).toBe('');
      const report = JSON.parse(readFileSync(reportFile, 'utf8'));
      const codes: string[] = [];
      for (const item of report.items) for (const f of item.kind === 'Finding' ? [item] : (item.findings ?? [])) codes.push(`${f.severity} ${f.code}`);
      const files = report.items.filter((i: { kind: string }) => i.kind === 'File');
      expectFile(
        path.join(dir, target, 'result.yaml'),
        stringify({ exitCode: r.code, files: fileLines(diff.stderr), inPlaceFiles: files, findings: [...new Set(codes)].sort() }, { lineWidth: 0 }),
      );
      // --in-place writes exactly what --diff shows, and nothing else.
      let patch = '';
      const schemas = getTarget(target).schemas();
      for (const f of listFiles(tmp)) {
        const after = readFileSync(path.join(tmp, f), 'utf8');
        expect(statSync(path.join(tmp, f)).mode).toBe(modes.get(f));
        const old = before.get(f);
        expect(old).toBeDefined();
        if (after === old) continue;
        patch += `diff --git a/${f} b/${f}\n${unifiedDiff(old!, after, { fromLabel: `a/${f}`, toLabel: `b/${f}` })}`;
        if (f.endsWith('.json')) continue;
        for (const doc of parseAllDocuments(after)) {
          const obj = doc.toJS();
          if (!obj || !String(obj.apiVersion).startsWith('trainer.kubeflow.org/')) continue;
          const schema = obj.kind === 'TrainJob' ? schemas.trainjob : schemas.trainingruntime;
          expect(validateObject(obj, compileSchema(schema), { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: obj.kind })).toEqual([]);
        }
      }
      expect(patch).toBe(diff.stdout);
      // The diff is a patch git applies: applied to the input it gives the files --in-place wrote.
      if (diff.stdout) {
        const copy = mkdtempSync(path.join(tmpdir(), 'ktj-inplace-apply-'));
        try {
          cpSync(input, copy, { recursive: true });
          const applied = spawnSync('git', ['apply', '--whitespace=nowarn', '-'], { cwd: copy, input: diff.stdout, encoding: 'utf8' });
          expect(applied.stderr).toBe('');
          for (const f of listFiles(tmp)) expect(readFileSync(path.join(copy, f), 'utf8')).toBe(readFileSync(path.join(tmp, f), 'utf8'));
        } finally {
          rmSync(copy, { recursive: true, force: true });
        }
      }
      expect(listFiles(tmp).sort()).toEqual([...before.keys()].sort());
    } finally {
      rmSync(tmp, { recursive: true, force: true });
      rmSync(path.dirname(reportFile), { recursive: true, force: true });
    }
  });
});
