// Runs a kubeconfig user's exec credential plugin (client.authentication.k8s.io) and checks its answer the way
// client-go does: the plugin must print an ExecCredential of the configured apiVersion with a token or a client
// certificate and key. client-node's own runner takes any JSON, so a plugin printing something else would end in
// an "internal error" (or in anonymous requests); here it is a ClusterError that names the plugin and the user.
import { spawn } from 'node:child_process';
import { ClusterError } from '../errors.js';
import type { ExecPlugin } from './kubeconfig.js';

/** The credentials an exec plugin returned. */
export interface ExecCredentialStatus {
  token?: string;
  clientCertificateData?: string;
  clientKeyData?: string;
  /** Epoch milliseconds after which the plugin must be run again; undefined means "until the process ends". */
  expiresAt?: number;
}

/** How a plugin is started (tests substitute it). */
export type ExecRunner = (plugin: ExecPlugin, env: NodeJS.ProcessEnv) => Promise<{ code: number | null; stdout: string; stderr: string; error?: NodeJS.ErrnoException }>;

/** Starts the plugin with child_process.spawn and collects its output. */
export const spawnRunner: ExecRunner = (plugin, env) =>
  new Promise((resolve) => {
    const child = spawn(plugin.command, plugin.args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (error: NodeJS.ErrnoException) => resolve({ code: null, stdout, stderr, error }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });

const VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

/** Runs the plugin once and validates what it printed; every failure is a ClusterError naming the plugin and the user. */
export async function runExecPlugin(plugin: ExecPlugin, baseEnv: NodeJS.ProcessEnv, run: ExecRunner = spawnRunner): Promise<ExecCredentialStatus> {
  const who = `exec credential plugin "${plugin.command}" of user "${plugin.userName}"`;
  const hint = plugin.installHint ?? 'Check the users[].user.exec section of your kubeconfig, and run the plugin by hand to see what it prints.';
  if (!plugin.command) throw new ClusterError(`user "${plugin.userName}" has an exec credential plugin without a command`, 'Set users[].user.exec.command in the kubeconfig.');
  if (!VERSIONS.includes(plugin.apiVersion)) {
    throw new ClusterError(`${who} asks for apiVersion "${plugin.apiVersion}"`, `Set users[].user.exec.apiVersion to one of ${VERSIONS.join(', ')}.`);
  }
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  for (const e of plugin.env) env[e.name] = e.value;
  env.KUBERNETES_EXEC_INFO = JSON.stringify({ apiVersion: plugin.apiVersion, kind: 'ExecCredential', spec: { interactive: false } });
  const r = await run(plugin, env);
  if (r.error) {
    const what = r.error.code === 'ENOENT' ? 'was not found' : `could not be started (${r.error.code ?? r.error.message})`;
    throw new ClusterError(`${who} ${what}`, hint);
  }
  if (r.code !== 0) {
    const detail = r.stderr.trim().split('\n').slice(-3).join(' ').slice(0, 500);
    throw new ClusterError(`${who} failed with exit code ${r.code}${detail ? `: ${detail}` : ''}`, hint);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(r.stdout);
  } catch {
    throw new ClusterError(`${who} did not print an ExecCredential: its output is not JSON`, `The plugin must print a ${plugin.apiVersion} ExecCredential on stdout. ${hint}`);
  }
  const obj = (typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? doc : {}) as Record<string, unknown>;
  if (obj.kind !== 'ExecCredential') {
    const got = typeof obj.kind === 'string' ? `a ${obj.kind}` : Array.isArray(doc) ? 'a JSON array' : typeof doc !== 'object' || doc === null ? `a JSON ${doc === null ? 'null' : typeof doc}` : 'an object without kind';
    throw new ClusterError(`${who} printed ${got}, not an ExecCredential`, `The plugin must print a ${plugin.apiVersion} ExecCredential on stdout. ${hint}`);
  }
  if (obj.apiVersion !== plugin.apiVersion) {
    throw new ClusterError(`${who} printed an ExecCredential of apiVersion "${String(obj.apiVersion)}", but the kubeconfig asks for "${plugin.apiVersion}"`, hint);
  }
  const status = (typeof obj.status === 'object' && obj.status !== null ? obj.status : {}) as Record<string, unknown>;
  const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  const out: ExecCredentialStatus = {};
  const token = str(status.token);
  const cert = str(status.clientCertificateData);
  const key = str(status.clientKeyData);
  if (token) out.token = token;
  if (cert && key) {
    out.clientCertificateData = cert;
    out.clientKeyData = key;
  } else if (cert || key) {
    throw new ClusterError(`${who} returned ${cert ? 'clientCertificateData without clientKeyData' : 'clientKeyData without clientCertificateData'}`, hint);
  }
  if (!token && !cert) throw new ClusterError(`${who} printed an ExecCredential without status.token or a client certificate`, hint);
  const exp = str(status.expirationTimestamp);
  if (exp) {
    const t = Date.parse(exp);
    if (Number.isNaN(t)) throw new ClusterError(`${who} printed an invalid status.expirationTimestamp "${exp}"`, hint);
    out.expiresAt = t;
  }
  return out;
}
