// convert against the real kube-apiserver: --target-version auto asks the cluster which TrainJob schema
// it serves, and what convert emits offline is accepted by that API server (CRD schema + CEL rules)
// for every golden case, via server-side dry-run create.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { adminClient, adminKubeconfigPath, testNamespace, withTrainerVersion } from '../../controlplane/harness.js';
import { runCli } from '../../verbs/run-cli.js';

const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ktj-convert-'));
const env = (): NodeJS.ProcessEnv => ({ KUBECONFIG: adminKubeconfigPath(), HOME: home });
const cases = path.join(process.cwd(), 'test/golden/cases');
let ns: string;

beforeAll(async () => {
  ns = await testNamespace('convert');
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

async function dryRunCreate(obj: any): Promise<{ status: number; body: string }> {
  const client = await adminClient();
  const plural = obj.kind === 'TrainJob' ? 'trainjobs' : 'trainingruntimes';
  obj.metadata.namespace = ns;
  const res = await client.request('POST', `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${ns}/${plural}`, { body: obj, query: { dryRun: 'All', fieldValidation: 'Strict' } });
  return { status: res.status, body: typeof res.body === 'string' ? res.body : JSON.stringify(res.body) };
}

describe('convert --target-version auto', () => {
  it('detects v2.3 and converts for it', async () => {
    const r = await runCli(['convert', '-f', path.join(cases, 'map-master-worker-identical/input.yaml'), '--target-version', 'auto'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/Detected Trainer schema v2\.3/);
    expect(r.stdout).toContain('kubectl-trainjob.io/target-version: v2.3');
  });

  it('detects v2.1 when the cluster serves v2.1 and emits podTemplateOverrides', async () => {
    await withTrainerVersion('v2.1', async () => {
      const r = await runCli(['convert', '-f', path.join(cases, 'map-affinity/input.yaml'), '--target-version', 'auto'], { env: env() });
      expect(r.stderr).toMatch(/Detected Trainer schema v2\.1/);
      expect(r.stdout).toContain('podTemplateOverrides:');
    });
  });

  it('fails with a clear error when the cluster is unreachable', async () => {
    const kc = path.join(home, 'dead.kubeconfig');
    fs.writeFileSync(kc, `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'https://127.0.0.1:1'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`);
    const r = await runCli(['convert', '-f', path.join(cases, 'map-master-only/input.yaml'), '--target-version', 'auto', '--kubeconfig', kc], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*127\.0\.0\.1:1/m);
  });
});

describe('the API server accepts what convert emits offline (v2.3)', () => {
  const names = fs.readdirSync(cases).filter((c) => fs.existsSync(path.join(cases, c, 'v2.3/trainjob.yaml')) && fs.readFileSync(path.join(cases, c, 'v2.3/trainjob.yaml'), 'utf8').trim() !== '');
  it.each(names)('%s', async (c) => {
    for (const doc of parseAllDocuments(fs.readFileSync(path.join(cases, c, 'v2.3/trainjob.yaml'), 'utf8'))) {
      const obj = doc.toJS();
      if (!obj) continue;
      const res = await dryRunCreate(obj);
      expect({ case: c, kind: obj.kind, status: res.status, body: res.status >= 300 ? res.body : '' }).toEqual({ case: c, kind: obj.kind, status: 201, body: '' });
    }
  });
});

describe('the API server accepts what convert emits offline for older schemas', () => {
  it.each(['v2.1', 'v2.2'] as const)('every golden %s output', async (version) => {
    const names = fs.readdirSync(cases).filter((c) => fs.existsSync(path.join(cases, c, version, 'trainjob.yaml')));
    const rejected: unknown[] = [];
    await withTrainerVersion(version, async () => {
      for (const c of names) {
        for (const doc of parseAllDocuments(fs.readFileSync(path.join(cases, c, version, 'trainjob.yaml'), 'utf8'))) {
          const obj = doc.toJS();
          if (!obj) continue;
          const res = await dryRunCreate(obj);
          if (res.status !== 201) rejected.push({ case: c, kind: obj.kind, status: res.status, body: res.body });
        }
      }
    });
    expect(rejected).toEqual([]);
  });
});
