import * as fs from 'node:fs';
import * as path from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { ClusterError } from '../errors.js';
import type { ClusterOptions } from './config-flags.js';

/** Reads a file as UTF-8, returning undefined when it does not exist (so tests can use a temp dir or a map). */
export interface FileReader {
  readFile(file: string): string | undefined;
}

/** The FileReader that reads the real file system. */
export const nodeFileReader: FileReader = {
  readFile(file) {
    try {
      return fs.readFileSync(file, 'utf8');
    } catch (e) {
      // kubectl skips KUBECONFIG entries that do not exist; anything else (EACCES, EISDIR) is a real error.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  },
};

/** Who the requests impersonate (`--as`/`--as-group`, or the kubeconfig user's `as`/`as-groups`). */
export interface Impersonation {
  user: string;
  groups: string[];
  /** --as-uid (Impersonate-Uid). */
  uid?: string;
}

/** A kubeconfig user's `exec` credential plugin (client.authentication.k8s.io), run by the cluster layer itself. */
export interface ExecPlugin {
  command: string;
  args: string[];
  /** Extra environment of the plugin: never logged (it may carry secrets). */
  env: Array<{ name: string; value: string }>;
  apiVersion: string;
  installHint?: string;
  /** Whether the plugin may prompt (interactiveMode Always/IfAvailable); this tool runs it non-interactively. */
  provideClusterInfo: boolean;
  /** The user it belongs to, for messages. */
  userName: string;
}

/** Everything needed to talk to one cluster, resolved from flags, environment and kubeconfig files like kubectl does. */
export interface ClusterTarget {
  /** A client-node KubeConfig whose current context is the effective one (TLS and credential plugins come from it). */
  kubeConfig: KubeConfig;
  contextName: string;
  clusterName: string;
  userName: string;
  /** The API server URL without a trailing slash. */
  server: string;
  namespace: string;
  /** True when the namespace came from -n/--namespace rather than the context or the default. */
  namespaceFromFlag: boolean;
  impersonate?: Impersonation;
  /** Per-request timeout in milliseconds; 0 means none. */
  requestTimeoutMs: number;
  /** The kubeconfig files that were read, in precedence order (empty for in-cluster config). */
  files: string[];
  /** The user's exec credential plugin, when it has one (client-node's own runner does not validate the answer). */
  exec?: ExecPlugin;
  /** --disable-compression: no Accept-Encoding: gzip. */
  disableCompression: boolean;
  /** The field manager of writes (--field-manager, default kubectl-trainjob). */
  fieldManager?: string;
}

/** One kubeconfig file after parsing, with relative paths already made absolute against its directory. */
interface ParsedFile {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
  /** `as-groups` per user name: client-node's User type has no field for it. */
  asGroups: Map<string, string[]>;
}

const IN_CLUSTER_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/**
 * Resolves the cluster to talk to with kubectl's rules: `--kubeconfig` wins, else every file in KUBECONFIG
 * (missing ones skipped, first definition of a name wins, first non-empty current-context wins), else
 * `$HOME/.kube/config`, else the in-cluster service account.
 */
export function resolveClusterTarget(opts: ClusterOptions, env: NodeJS.ProcessEnv, reader: FileReader = nodeFileReader): ClusterTarget {
  const { files, merged } = loadMerged(opts, env, reader);

  const contextName = opts.context ?? merged.currentContext;
  const contextNames = merged.contexts.map((c) => c.name);
  const available = contextNames.length > 0 ? `available contexts: ${contextNames.join(', ')}` : 'the kubeconfig defines no contexts';
  // Like kubectl, --server works without a context (and without any kubeconfig): the flags describe the whole connection.
  if (contextName === '' && opts.server !== undefined) merged.contexts.push({ name: '', cluster: opts.cluster ?? '', user: opts.user ?? '' });
  if (contextName === '' && opts.server === undefined) {
    throw new ClusterError(
      `current-context is not set in ${describeFiles(files)}`,
      `Pass --context=NAME or run "kubectl config use-context NAME" (${available}).`,
    );
  }
  const context = merged.contexts.find((c) => c.name === contextName);
  if (!context) {
    throw new ClusterError(`context "${contextName}" does not exist in ${describeFiles(files)}`, `Pass --context with one of the existing contexts (${available}).`);
  }

  // --cluster and --user replace the context's cluster and user, exactly like kubectl's overrides.
  const clusterName = opts.cluster ?? context.cluster;
  const found = merged.clusters.find((c) => c.name === clusterName) ?? (opts.server !== undefined && opts.cluster === undefined ? { name: clusterName, server: '', skipTLSVerify: false } : undefined);
  const cluster = found ? overrideCluster(found, opts) : undefined;
  if (!cluster) {
    const names = merged.clusters.map((c) => c.name).join(', ') || 'none';
    throw new ClusterError(`cluster "${clusterName}" does not exist in ${describeFiles(files)}`, `Pass --cluster with one of the defined clusters (${names}).`);
  }
  if (!cluster.server) {
    throw new ClusterError(`cluster "${clusterName}" has no server URL`, `Set it with "kubectl config set-cluster ${clusterName} --server=https://HOST:PORT".`);
  }
  const userName = opts.user ?? context.user ?? '';
  let user = merged.users.find((u) => u.name === userName);
  if (!user) {
    if (opts.user !== undefined || userName !== '') {
      const names = merged.users.map((u) => u.name).join(', ') || 'none';
      throw new ClusterError(`user "${userName}" does not exist in ${describeFiles(files)}`, `Pass --user with one of the defined users (${names}).`);
    }
    // A context without a user means anonymous requests; client-node only applies the CA when a user exists.
    user = { name: '' };
  }
  user = overrideUser(user, opts);
  const exec = execPlugin(user);
  // The exec plugin is run by exec-credential.ts, which checks its answer; client-node must not run it too.
  if (exec) user = { ...user, exec: undefined };

  const kubeConfig = new KubeConfig();
  // client-node refuses http:// servers unless TLS verification is off; kubectl allows them, and there is no TLS to verify.
  const transportCluster: Cluster = cluster.server.startsWith('http://') ? { ...cluster, skipTLSVerify: true } : cluster;
  const effective: Context = { name: contextName, cluster: clusterName, user: user.name, ...(context.namespace ? { namespace: context.namespace } : {}) };
  kubeConfig.loadFromOptions({
    clusters: [transportCluster],
    users: [user],
    contexts: [effective],
    currentContext: contextName,
  });

  const impersonate = impersonation(opts, user, merged.asGroups.get(user.name) ?? []);
  const server = cluster.server;
  return {
    kubeConfig,
    contextName,
    clusterName,
    userName: user.name,
    server: server.replace(/\/+$/, ''),
    namespace: opts.namespace ?? (context.namespace || 'default'),
    namespaceFromFlag: opts.namespace !== undefined,
    ...(impersonate ? { impersonate } : {}),
    requestTimeoutMs: opts.requestTimeoutMs,
    files,
    ...(exec ? { exec } : {}),
    disableCompression: Boolean(opts.disableCompression),
    ...(opts.fieldManager ? { fieldManager: opts.fieldManager } : {}),
  };
}

/** kubectl's cluster overrides: --server, --certificate-authority, --insecure-skip-tls-verify, --tls-server-name. */
function overrideCluster(c: Cluster, opts: ClusterOptions): Cluster {
  let out: Cluster = { ...c };
  if (opts.server !== undefined) out = { ...out, server: (/^https?:\/\//.test(opts.server) ? opts.server : `https://${opts.server}`).replace(/\/+$/, '') };
  if (opts.certificateAuthority !== undefined) out = { ...out, caFile: path.resolve(opts.certificateAuthority), caData: undefined };
  // kubectl drops the CA when verification is switched off by flag: a TLS config cannot have both.
  if (opts.insecureSkipTLSVerify) out = { ...out, skipTLSVerify: true, caFile: undefined, caData: undefined };
  if (opts.tlsServerName !== undefined) out = { ...out, tlsServerName: opts.tlsServerName };
  return out;
}

/** kubectl's user overrides: --token replaces the user's credentials; --client-certificate/--client-key its certificate. */
function overrideUser(u: User, opts: ClusterOptions): User {
  let out: User = { ...u };
  if (opts.token !== undefined) out = { ...out, token: opts.token, authProvider: undefined, exec: undefined, username: undefined, password: undefined };
  if (opts.clientCertificate !== undefined) out = { ...out, certFile: path.resolve(opts.clientCertificate), certData: undefined };
  if (opts.clientKey !== undefined) out = { ...out, keyFile: path.resolve(opts.clientKey), keyData: undefined };
  return out;
}

/** The user's exec plugin settings, or undefined when it has none. */
function execPlugin(u: User): ExecPlugin | undefined {
  const e = u.exec as Record<string, unknown> | undefined;
  if (!e) return undefined;
  const env = Array.isArray(e.env)
    ? e.env.filter((x): x is { name: string; value: string } => isRecord(x) && typeof x.name === 'string').map((x) => ({ name: x.name, value: String(x.value ?? '') }))
    : [];
  return {
    command: typeof e.command === 'string' ? e.command : '',
    args: Array.isArray(e.args) ? e.args.map(String) : [],
    env,
    apiVersion: typeof e.apiVersion === 'string' ? e.apiVersion : '',
    ...(typeof e.installHint === 'string' && e.installHint ? { installHint: e.installHint } : {}),
    provideClusterInfo: e.provideClusterInfo === true,
    userName: u.name,
  };
}

/** Flags override the kubeconfig user's `as`/`as-groups`; kubeconfig groups without a user are ignored like kubectl does. */
function impersonation(opts: ClusterOptions, user: User, kubeconfigGroups: string[]): Impersonation | undefined {
  const name = opts.as ?? user.impersonateUser ?? undefined;
  if (!name) return undefined;
  const groups = opts.asGroups.length > 0 ? opts.asGroups : kubeconfigGroups;
  return { user: name, groups: [...groups], ...(opts.asUid ? { uid: opts.asUid } : {}) };
}

function describeFiles(files: string[]): string {
  if (files.length === 0) return 'the in-cluster configuration';
  return files.length === 1 ? files[0]! : `KUBECONFIG (${files.join(', ')})`;
}

interface Merged {
  clusters: Cluster[];
  users: User[];
  contexts: Context[];
  currentContext: string;
  asGroups: Map<string, string[]>;
}

function loadMerged(opts: ClusterOptions, env: NodeJS.ProcessEnv, reader: FileReader): { files: string[]; merged: Merged } {
  if (opts.kubeconfig !== undefined) {
    const file = path.resolve(opts.kubeconfig);
    const text = readKubeconfig(reader, file, '--kubeconfig');
    if (text === undefined) {
      throw new ClusterError(`kubeconfig file ${opts.kubeconfig} does not exist`, 'Check the path given to --kubeconfig.');
    }
    return { files: [file], merged: merge([parseFile(file, text)]) };
  }
  const list = env.KUBECONFIG ?? '';
  if (list !== '') {
    const candidates = list.split(path.delimiter).filter((f) => f !== '');
    const parsed: ParsedFile[] = [];
    const files: string[] = [];
    const seen = new Set<string>();
    for (const raw of candidates) {
      const file = path.resolve(raw);
      if (seen.has(file)) continue; // kubectl de-duplicates repeated entries
      seen.add(file);
      const text = readKubeconfig(reader, file, 'KUBECONFIG');
      if (text === undefined) continue; // kubectl silently skips missing KUBECONFIG entries
      files.push(file);
      parsed.push(parseFile(file, text));
    }
    if (parsed.length === 0) {
      throw new ClusterError(`no kubeconfig found: none of the files in KUBECONFIG exist (${candidates.join(path.delimiter)})`, 'Set KUBECONFIG to an existing file or pass --kubeconfig.');
    }
    return { files, merged: merge(parsed) };
  }
  const home = env.HOME ?? env.USERPROFILE;
  if (home) {
    const file = path.join(home, '.kube', 'config');
    const text = readKubeconfig(reader, file, '$HOME/.kube/config');
    if (text !== undefined) return { files: [file], merged: merge([parseFile(file, text)]) };
  }
  const inCluster = inClusterConfig(env, reader);
  if (inCluster) return { files: [], merged: merge([inCluster]) };
  // --server alone is a complete connection for kubectl (anonymous or with --token / client certificate flags).
  if (opts.server !== undefined) return { files: [], merged: merge([]) };
  throw new ClusterError(
    `no kubeconfig found: KUBECONFIG is not set and ${home ? path.join(home, '.kube', 'config') : '$HOME/.kube/config'} does not exist`,
    'Set KUBECONFIG or pass --kubeconfig=PATH (for example the file your cluster installer wrote).',
  );
}

/** Reads one kubeconfig file; a directory or an unreadable file is a clear error naming the path (missing gives undefined). */
function readKubeconfig(reader: FileReader, file: string, from: string): string | undefined {
  try {
    return reader.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EISDIR') throw new ClusterError(`kubeconfig ${file} (from ${from}) is a directory, not a file`, `Point ${from} at the kubeconfig file itself, e.g. ${path.join(file, 'config')}.`);
    if (code === 'EACCES' || code === 'EPERM') throw new ClusterError(`cannot read kubeconfig ${file} (from ${from}): permission denied`, 'Check the file\'s permissions or pass another file with --kubeconfig.');
    throw new ClusterError(`cannot read kubeconfig ${file} (from ${from}): ${(e as Error).message}`, 'Check the path, or pass another file with --kubeconfig.');
  }
}

/** kubectl's merge: the first definition of a name wins, and the first non-empty current-context wins. */
function merge(files: ParsedFile[]): Merged {
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const contexts = new Map<string, Context>();
  const asGroups = new Map<string, string[]>();
  let currentContext = '';
  for (const f of files) {
    for (const c of f.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of f.users) {
      if (users.has(u.name)) continue;
      users.set(u.name, u);
      const g = f.asGroups.get(u.name);
      if (g) asGroups.set(u.name, g);
    }
    for (const x of f.contexts) if (!contexts.has(x.name)) contexts.set(x.name, x);
    if (currentContext === '' && f.currentContext) currentContext = f.currentContext;
  }
  return { clusters: [...clusters.values()], users: [...users.values()], contexts: [...contexts.values()], currentContext, asGroups };
}

type Raw = Record<string, unknown>;
const isRecord = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

function entries(doc: Raw, key: string, file: string): Array<{ name: string; body: Raw }> {
  const list = doc[key];
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) throw new ClusterError(`invalid kubeconfig ${file}: "${key}" is not a list`, 'Fix or regenerate the kubeconfig file.');
  return list.map((e, i) => {
    const name = isRecord(e) ? str(e.name) : undefined;
    if (!name) throw new ClusterError(`invalid kubeconfig ${file}: ${key}[${i}] has no name`, 'Fix or regenerate the kubeconfig file.');
    const inner = (e as Raw)[key.slice(0, -1)];
    return { name, body: isRecord(inner) ? inner : {} };
  });
}

/** Parses one file into client-node shapes; relative file references are resolved against the file's directory, as kubectl does. */
function parseFile(file: string, text: string): ParsedFile {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ClusterError(`invalid kubeconfig ${file}: ${(e as Error).message.split('\n')[0]}`, 'Fix or regenerate the kubeconfig file.');
  }
  if (doc === null || doc === undefined) doc = {}; // an empty file is a valid, empty kubeconfig
  if (!isRecord(doc)) throw new ClusterError(`invalid kubeconfig ${file}: not a YAML mapping`, 'Fix or regenerate the kubeconfig file.');
  const dir = path.dirname(file);
  const abs = (p: string | undefined): string | undefined => (p === undefined ? undefined : path.isAbsolute(p) ? p : path.join(dir, p));

  const clusters: Cluster[] = entries(doc, 'clusters', file).map(({ name, body: c }) => ({
    name,
    server: (str(c.server) ?? '').replace(/\/+$/, ''),
    caData: str(c['certificate-authority-data']),
    caFile: abs(str(c['certificate-authority'])),
    skipTLSVerify: c['insecure-skip-tls-verify'] === true,
    tlsServerName: str(c['tls-server-name']),
    proxyUrl: str(c['proxy-url']),
  }));

  const asGroups = new Map<string, string[]>();
  const users: User[] = entries(doc, 'users', file).map(({ name, body: u }) => {
    const groups = Array.isArray(u['as-groups']) ? u['as-groups'].filter((g): g is string => typeof g === 'string') : [];
    if (groups.length > 0) asGroups.set(name, groups);
    let exec = isRecord(u.exec) ? u.exec : undefined;
    // client-go resolves an exec command relative to the kubeconfig only when it contains a path separator.
    const command = exec ? str(exec.command) : undefined;
    if (exec && command && command.includes('/') && !path.isAbsolute(command)) exec = { ...exec, command: path.join(dir, command) };
    const tokenFile = abs(str(u['token-file']));
    return {
      name,
      certData: str(u['client-certificate-data']),
      certFile: abs(str(u['client-certificate'])),
      keyData: str(u['client-key-data']),
      keyFile: abs(str(u['client-key'])),
      token: str(u.token),
      exec,
      // client-node's FileAuth re-reads the token file every minute, like client-go.
      authProvider: isRecord(u['auth-provider']) ? u['auth-provider'] : tokenFile && !str(u.token) ? { name: 'tokenFile', config: { tokenFile } } : undefined,
      username: str(u.username),
      password: str(u.password),
      impersonateUser: str(u.as),
    };
  });

  const contexts: Context[] = entries(doc, 'contexts', file).map(({ name, body: c }) => ({
    name,
    cluster: str(c.cluster) ?? '',
    user: str(c.user) ?? '',
    namespace: str(c.namespace),
  }));

  return { clusters, users, contexts, currentContext: str(doc['current-context']) ?? '', asGroups };
}

/** kubectl's last resort inside a pod: the mounted service account and KUBERNETES_SERVICE_HOST/PORT. */
function inClusterConfig(env: NodeJS.ProcessEnv, reader: FileReader): ParsedFile | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  if (!host || !port) return undefined;
  const token = reader.readFile(path.join(IN_CLUSTER_DIR, 'token'));
  if (token === undefined) return undefined;
  const namespace = reader.readFile(path.join(IN_CLUSTER_DIR, 'namespace'))?.trim();
  const h = host.includes(':') ? `[${host}]` : host;
  return {
    clusters: [{ name: 'in-cluster', server: `https://${h}:${port}`, caFile: path.join(IN_CLUSTER_DIR, 'ca.crt'), skipTLSVerify: false }],
    users: [{ name: 'in-cluster', authProvider: { name: 'tokenFile', config: { tokenFile: path.join(IN_CLUSTER_DIR, 'token') } } }],
    contexts: [{ name: 'in-cluster', cluster: 'in-cluster', user: 'in-cluster', ...(namespace ? { namespace } : {}) }],
    currentContext: 'in-cluster',
    asGroups: new Map(),
  };
}

/** The names of every context in the kubeconfig kubectl would load (for --all-contexts), in file order. */
export function listContexts(opts: ClusterOptions, env: NodeJS.ProcessEnv, reader: FileReader = nodeFileReader): string[] {
  return loadMerged(opts, env, reader).merged.contexts.map((c) => c.name).filter((n) => n !== '');
}
