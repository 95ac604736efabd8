// --report sarif and --report markdown: every golden case's SARIF validates against the SARIF 2.1.0 JSON
// schema and points each finding at the line and column of its field in the input; one case is kept as a
// golden SARIF and markdown file (UPDATE_GOLDEN=1 rewrites them). Readiness reports render the same way.
import { describe, expect, it, test } from '@jest/globals';
import AjvDraft04 from 'ajv-draft-04';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { renderReadiness } from '../../../src/readiness/render.js';
import type { ReadinessReport } from '../../../src/readiness/types.js';
import { DocumentLocator, parseFindingPath } from '../../../src/render/sarif.js';
import { runCli } from '../../verbs/run-cli.js';

const root = process.cwd();
const schema = JSON.parse(readFileSync(path.join(root, 'upstream/sarif/sarif-2.1.0-rtm.5.json'), 'utf8'));
// unicodeRegExp off: one pattern of the schema (language tags) is not a valid regular expression in unicode mode.
// ajv-draft-04 is CommonJS: under native ESM its default import is module.exports (the class itself).
type AjvClass = typeof import('ajv-draft-04').default;
const Ajv = ((AjvDraft04 as unknown as { default?: AjvClass }).default ?? (AjvDraft04 as unknown as AjvClass));
const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, unicodeRegExp: false });
const validate = ajv.compile(schema);
const update = process.env.UPDATE_GOLDEN === '1';
const casesDir = path.join(root, 'test/golden/cases');
const cases = readdirSync(casesDir).filter((d) => existsSync(path.join(casesDir, d, 'case.yaml'))).sort();
const srcRoot = `${pathToFileURL(root).href}/`;

function expectValid(log: unknown): void {
  const ok = validate(log);
  if (!ok) throw new Error(`invalid SARIF: ${ajv.errorsText(validate.errors, { separator: '\n' })}`);
}

function expectGolden(file: string, actual: string): void {
  if (update) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  expect(actual).toEqual(readFileSync(file, 'utf8'));
}

async function convertReport(name: string, format: 'sarif' | 'markdown'): Promise<string> {
  const dir = path.relative(root, path.join(casesDir, name));
  const input = existsSync(path.join(dir, 'input.yaml')) ? 'input.yaml' : 'input.json';
  const spec = (parse(readFileSync(path.join(dir, 'case.yaml'), 'utf8')) ?? {}) as { args?: string[] };
  const r = await runCli(['convert', '-f', path.join(dir, input), ...(spec.args ?? []), '--report', format], { cwd: root });
  expect(r.code).not.toBe(5);
  return r.stderr;
}

describe('convert --report sarif', () => {
  test.each(cases)('%s: valid SARIF 2.1.0, each finding at its field', async (name) => {
    // A run that stops on an input error still closes the log; the error line follows it on stderr.
    const text = await convertReport(name, 'sarif');
    const log = JSON.parse(text.slice(0, text.indexOf('}]}\n') + 3));
    expectValid(log);
    const run = log.runs[0];
    expect(run.tool.driver.rules.map((r: { id: string }) => r.id).sort()).toEqual([...new Set(run.results.map((r: { ruleId: string }) => r.ruleId))].sort());
    for (const r of run.results) {
      expect(run.tool.driver.rules[r.ruleIndex].id).toBe(r.ruleId);
      const loc = r.locations[0].physicalLocation;
      // Findings about the whole input (nothing found) name no file.
      if (!loc) {
        expect(r.properties.path).toBe('(input)');
        continue;
      }
      expect(loc.artifactLocation.uriBaseId).toBe('SRCROOT');
      const file = path.join(root, decodeURI(loc.artifactLocation.uri));
      const line = readFileSync(file, 'utf8').split('\n')[loc.region.startLine - 1] ?? '';
      const at = line.slice(loc.region.startColumn - 1);
      const p: string = r.properties.path;
      if (p.startsWith('(')) continue;
      // The position is a key of the path (the field or its nearest existing ancestor), or a list item / JSON key of it.
      const keys = parseFindingPath(p).filter((k): k is string => typeof k === 'string');
      const listItem = line.slice(0, loc.region.startColumn - 1).trimEnd().endsWith('-');
      const ok = keys.some((k) => at.startsWith(k) || at.startsWith(`"${k}"`) || at.startsWith(`'${k}'`)) || listItem || /^[{[]/.test(at) || loc.region.startColumn === 1;
      expect({ path: p, at: at.slice(0, 40), ok }).toEqual({ path: p, at: at.slice(0, 40), ok: true });
    }
  });

  it('matches the golden SARIF and markdown of a multi-document case', async () => {
    const name = 'example-aws-hyperpod-imagenet-multidoc-etcd-kueue';
    const sarif = (await convertReport(name, 'sarif')).split(srcRoot).join('file:///SRCROOT/');
    expectGolden(path.join(root, 'test/golden/reports', `${name}.sarif.json`), sarif);
    expectGolden(path.join(root, 'test/golden/reports', `${name}.md`), await convertReport(name, 'markdown'));
  });
});

describe('DocumentLocator', () => {
  const text = ['apiVersion: v1', 'kind: List', 'items:', '  - apiVersion: kubeflow.org/v1', '    kind: PyTorchJob', '    metadata:', '      name: a', '      labels: {"kueue.x-k8s.io/queue-name": q}', '    spec:', '      pytorchReplicaSpecs:', '        Worker:', '          template: {}', ''].join('\n');
  it('finds a job inside a List, the field, a quoted key, and the nearest ancestor of a missing field', () => {
    const l = new DocumentLocator(text, 10);
    expect(l.locate('spec.pytorchReplicaSpecs.Worker', 'PyTorchJob', 'a')).toEqual({ startLine: 20, startColumn: 9 });
    expect(l.locate('metadata.labels["kueue.x-k8s.io/queue-name"]', 'PyTorchJob', 'a')).toEqual({ startLine: 17, startColumn: 16 });
    expect(l.locate('spec.pytorchReplicaSpecs.Worker.template.spec.containers[0].env', 'PyTorchJob', 'a')).toEqual({ startLine: 21, startColumn: 11 });
    expect(l.locate('(document)')).toEqual({ startLine: 10, startColumn: 1 });
  });
});

const report: ReadinessReport = {
  apiVersion: 'kubectl-trainjob.io/v1alpha1',
  kind: 'ReadinessReport',
  cluster: { server: 'https://10.0.0.1:6443', context: 'prod', kubernetesVersion: 'v1.36.3', trainerSchema: 'v2.3' },
  scope: { allNamespaces: true },
  target: 'v2.3',
  summary: { verdict: 'blocked', pass: 1, warn: 1, fail: 1, skipped: 1, blocking: 1, advisory: 2 },
  checks: [
    { id: 'cluster.apiserver.reachable', status: 'pass', impact: 'none', message: 'answers' },
    { id: 'v2.crd.trainjobs', status: 'fail', impact: 'blocking', message: 'not installed', remediation: 'Install Trainer v2 | now' },
    { id: 'kueue.queues', status: 'warn', impact: 'advisory', message: '2 jobs use Kueue queues', remediation: 'Install Kueue' },
    { id: 'permissions.migrate', status: 'skipped', impact: 'advisory', message: 'skipped: not permitted', reason: 'not permitted' },
  ],
  producers: [{ kind: 'Argo CD Application', name: 'ml-jobs', category: 'gitops', recreates: true, evidence: 'annotation', action: 'Change the Git source.', jobs: 3, active: 1, namespaces: ['a', 'b'] }],
};

describe('readiness --report sarif|markdown', () => {
  it('SARIF: one result per non-passing check, rule IDs = check IDs, valid against the schema', () => {
    const log = JSON.parse(renderReadiness(report, 'sarif'));
    expectValid(log);
    expect(log.runs[0].results.map((r: { ruleId: string; level: string }) => [r.ruleId, r.level])).toEqual([['v2.crd.trainjobs', 'error'], ['kueue.queues', 'warning'], ['permissions.migrate', 'note']]);
    expect(log.runs[0].results[0].locations[0].logicalLocations[0].fullyQualifiedName).toBe('cluster https://10.0.0.1:6443 (context prod): v2.crd.trainjobs');
    expect(log.runs[0].tool.driver.rules[0].helpUri).toMatch(/readiness\.md#v2-crd-trainjobs$/);
    // The validator does reject a log that is not SARIF.
    expect(validate({ version: '2.1.0', runs: [{ results: [] }] })).toBe(false);
  });
  it('markdown: verdict, checks and producers, table cells escaped', () => {
    const md = renderReadiness(report, 'markdown');
    expect(md).toMatch(/^### kubectl trainjob readiness: BLOCKED\n/);
    expect(md).toContain('| [v2.crd.trainjobs](https://example.invalid/kubectl-trainjob/docs/readiness.md#v2-crd-trainjobs) | **FAIL** | blocking | not installed<br>Fix: Install Trainer v2 \\| now |');
    expect(md).toContain('| Argo CD Application | ml-jobs | 3 | a, b | yes | Change the Git source. |');
  });
});
