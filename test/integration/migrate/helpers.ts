// Shared helpers of the backup and migrate integration tests: PyTorchJob builders, status writes (no
// controller runs, so tests set conditions through the status subresource) and in-process CLI runs.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { adminClient, adminKubeconfigPath, applyObjects, type KubeObject } from '../../controlplane/harness.js';
import { REPO_ROOT } from '../../controlplane/paths.js';
import { runCli, type CliRun } from '../../verbs/run-cli.js';

/** A small two-role PyTorchJob that converts cleanly. */
export function pytorchJob(name: string, namespace: string, extra: { labels?: Record<string, string>; annotations?: Record<string, string>; suspend?: boolean; image?: string } = {}): KubeObject {
  const container = { name: 'pytorch', image: extra.image ?? 'docker.io/kubeflow/pytorch-dist-mnist:v1', command: ['torchrun', 'train.py'], resources: { limits: { cpu: '1' } } };
  return {
    apiVersion: 'kubeflow.org/v1',
    kind: 'PyTorchJob',
    metadata: { name, namespace, labels: { app: 'mnist', ...(extra.labels ?? {}) }, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
    spec: {
      ...(extra.suspend ? { runPolicy: { suspend: true } } : {}),
      pytorchReplicaSpecs: {
        Master: { replicas: 1, restartPolicy: 'OnFailure', template: { spec: { containers: [container] } } },
        Worker: { replicas: 1, restartPolicy: 'OnFailure', template: { spec: { containers: [container] } } },
      },
    },
  };
}

/** Creates PyTorchJobs (server-side apply as admin), 16 at a time. */
export async function createJobs(jobs: KubeObject[]): Promise<void> {
  for (let i = 0; i < jobs.length; i += 16) await Promise.all(jobs.slice(i, i + 16).map((j) => applyObjects(j)));
}

/** Conditions per state, as the v1 operator writes them (kubeflow-api.md §5.1). */
const CONDITIONS: Record<string, { type: string; status: string }[]> = {
  running: [{ type: 'Created', status: 'True' }, { type: 'Running', status: 'True' }],
  succeeded: [{ type: 'Created', status: 'True' }, { type: 'Running', status: 'False' }, { type: 'Succeeded', status: 'True' }],
  failed: [{ type: 'Created', status: 'True' }, { type: 'Running', status: 'False' }, { type: 'Failed', status: 'True' }],
  suspended: [{ type: 'Created', status: 'True' }, { type: 'Suspended', status: 'True' }],
  created: [{ type: 'Created', status: 'True' }],
};

/** Writes a PyTorchJob's status conditions through the status subresource (merge patch). */
export async function setState(namespace: string, name: string, state: keyof typeof CONDITIONS): Promise<void> {
  const client = await adminClient();
  const conditions = CONDITIONS[state]!.map((c) => ({ ...c, reason: `PyTorchJob${c.type}`, lastTransitionTime: '2026-11-24T12:00:00Z' }));
  await client.ok('PATCH', `/apis/kubeflow.org/v1/namespaces/${namespace}/pytorchjobs/${name}/status`, {
    body: { status: { conditions, replicaStatuses: {} } },
    contentType: 'application/merge-patch+json',
  });
}

/** GETs an object as admin; undefined on 404. */
export async function getObject(apiPath: string): Promise<any> {
  const client = await adminClient();
  const res = await client.request('GET', apiPath);
  if (res.status === 404) return undefined;
  if (res.status >= 300) throw new Error(`GET ${apiPath}: ${res.status}`);
  return res.body;
}

/** Lists objects as admin. */
export async function listObjects(apiPath: string): Promise<any[]> {
  const client = await adminClient();
  return (await client.ok('GET', apiPath)).items ?? [];
}

/** API path of a namespace's PyTorchJobs (or one). */
export const pjPath = (ns: string, name?: string): string => `/apis/kubeflow.org/v1/namespaces/${ns}/pytorchjobs${name ? `/${name}` : ''}`;
/** API path of a namespace's TrainJobs (or one). */
export const tjPath = (ns: string, name?: string): string => `/apis/trainer.kubeflow.org/v1alpha1/namespaces/${ns}/trainjobs${name ? `/${name}` : ''}`;

/** A temp dir removed by the caller (afterAll). */
export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Runs the CLI in-process as admin (or with the given kubeconfig), with a HOME that has no kubeconfig. */
export async function ktj(args: string[], opts: { kubeconfig?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<CliRun> {
  return runCli(['--kubeconfig', opts.kubeconfig ?? adminKubeconfigPath(), ...args], { env: { HOME: '/nonexistent', ...(opts.env ?? {}) }, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
}

/**
 * Bundles today's sources into one CommonJS file with the esbuild settings of scripts/build.mjs, so a
 * test can run the CLI as a real process (and kill it mid-run).
 */
export async function bundleCli(outfile: string): Promise<void> {
  const { build } = await import('esbuild');
  await build({
    absWorkingDir: REPO_ROOT,
    entryPoints: ['src/main.ts'],
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    outfile,
    define: { 'import.meta.url': '__import_meta_url', 'import.meta.resolve': '__import_meta_resolve' },
    banner: { js: "const __import_meta_url = require('node:url').pathToFileURL(__filename).href;\nconst __import_meta_resolve = (s) => { throw new Error(s); };" },
    external: ['encoding', 'bufferutil', 'utf-8-validate'],
    logLevel: 'error',
  });
}
