// Golden tests: every folder under test/golden/cases is a case (see test/golden/README.md).
// For each target version the converter's stdout must equal <case>/<target>/trainjob.yaml and its
// findings, exit code and error must equal <case>/<target>/findings.yaml.
// UPDATE_GOLDEN=1 rewrites the expected files; review the diff like code.
import { describe, expect, test } from '@jest/globals';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { compileSchema, validateObject } from '../../src/schema/index.js';
import { getTarget, targetVersions } from '../../src/convert/targets/index.js';
import { runCli } from '../verbs/run-cli.js';

const casesDir = path.join(process.cwd(), 'test/golden/cases');
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

describe.each(cases)('golden %s', (name) => {
  const dir = path.join(casesDir, name);
  const spec = (parse(readFileSync(path.join(dir, 'case.yaml'), 'utf8')) ?? {}) as CaseSpec;
  const input = existsSync(path.join(dir, 'input.yaml')) ? 'input.yaml' : 'input.json';
  test.each(spec.targets ?? targetVersions())('target %s', async (target) => {
    const tmp = mkdtempSync(path.join(tmpdir(), 'ktj-golden-'));
    try {
      const reportFile = path.join(tmp, 'report.json');
      const r = await runCli(['convert', '-f', input, '--target-version', target, '--report', 'json', '--report-file', reportFile, ...(spec.args ?? [])], { cwd: dir });
      const findings: Record<string, unknown>[] = [];
      if (existsSync(reportFile) && readFileSync(reportFile, 'utf8').trim()) {
        const report = JSON.parse(readFileSync(reportFile, 'utf8'));
        for (const item of report.items) {
          const list = item.kind === 'Finding' ? [item] : item.findings;
          for (const f of list) {
            const s = f.subject ?? {};
            findings.push({
              severity: f.severity,
              code: f.code,
              object: s.kind === 'Document' ? `Document ${s.source ?? ''}`.trim() : `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name ?? ''}`.trim(),
              path: f.path,
              message: f.message,
              ...(f.hint ? { hint: f.hint } : {}),
            });
          }
        }
      }
      const errorLines = r.stderr.split('\n').filter((l) => l.startsWith('error: ') || l.startsWith('hint: '));
      const expected = { exitCode: r.code, ...(errorLines.length ? { stderr: errorLines } : {}), findings };
      expectFile(path.join(dir, target, 'trainjob.yaml'), r.stdout);
      expectFile(path.join(dir, target, 'findings.yaml'), stringify(expected, { lineWidth: 0 }));
      // Every golden output must be valid against the target's real CRD schema.
      const schemas = getTarget(target).schemas();
      for (const doc of parseAllDocuments(r.stdout)) {
        const obj = doc.toJS();
        if (!obj) continue;
        const schema = obj.kind === 'TrainJob' ? schemas.trainjob : schemas.trainingruntime;
        expect(validateObject(obj, compileSchema(schema), { apiVersion: 'trainer.kubeflow.org/v1alpha1', kind: obj.kind })).toEqual([]);
      }
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
