// kubectl's connection flags as the cluster layer sees them (cli-runtime keeps the same thing in ConfigFlags,
// below every command): the raw values a command line gives, their validation, and the typed options that
// kubeconfig resolution and the client consume. Declaring the flags on a parser is the verbs' job
// (src/verbs/flags.ts); nothing here knows about yargs.
import { UsageError } from '../errors.js';

/** The raw values of kubectl's connection flags, keyed by flag name (what the command-line parser yields). */
export interface ConfigFlagValues {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  token?: string;
  'certificate-authority'?: string;
  'client-certificate'?: string;
  'client-key'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  as?: string;
  'as-group'?: string[];
  'as-uid'?: string;
  'request-timeout'?: string;
  'disable-compression'?: boolean;
  'field-manager'?: string;
}

/**
 * The connection settings, validated: which kubeconfig entries to use and what the flags override. One value
 * describes one cluster; a run over several contexts builds one per context with {@link forContext}.
 */
export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  /** The namespace given with -n; undefined means "the context's namespace, else default". */
  namespace?: string;
  /** --server: the API server URL, replacing the kubeconfig cluster's. */
  server?: string;
  /** --token: a bearer token, replacing the kubeconfig user's credentials. */
  token?: string;
  /** --certificate-authority: a CA file, replacing the cluster's CA. */
  certificateAuthority?: string;
  /** --client-certificate / --client-key: client certificate files, replacing the user's. */
  clientCertificate?: string;
  clientKey?: string;
  /** --insecure-skip-tls-verify: do not verify the server certificate (the CA is then ignored, as in kubectl). */
  insecureSkipTLSVerify?: boolean;
  /** --tls-server-name: the name the server certificate is checked against. */
  tlsServerName?: string;
  as?: string;
  asGroups: string[];
  /** --as-uid: the UID to impersonate (needs --as). */
  asUid?: string;
  /** Per-request timeout in milliseconds; 0 means no timeout. */
  requestTimeoutMs: number;
  /** --disable-compression: do not ask the server for gzip-compressed responses. */
  disableCompression?: boolean;
  /** --field-manager: the field manager of every write (default kubectl-trainjob). */
  fieldManager?: string;
}

/** Client-side tuning of the API connection, validated. */
export interface ClusterTuning {
  qps: number;
  burst: number;
  /** Page size of list calls (kubectl's --chunk-size). */
  pageSize: number;
  /** Objects processed at once. */
  concurrency: number;
}

/** Parses a kubectl duration (`0`, `30`, `500ms`, `5s`, `2m`, `1h`, `1m30s`) into milliseconds. */
export function parseDuration(flag: string, value: string | undefined): number {
  if (value === undefined || value === '' || value === '0') return 0;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const unit: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of value.matchAll(re)) {
    total += Number(m[1]) * (unit[m[2]!] ?? 0);
    consumed += m[0].length;
  }
  if (consumed !== value.length || consumed === 0) {
    throw new UsageError(`invalid value "${value}" for --${flag}`, 'Use a number of seconds or a duration such as 500ms, 30s, 2m or 1h.');
  }
  return Math.round(total);
}

/** Turns the raw connection flags into validated cluster options (usage errors name the flag). */
export function toClusterOptions(flags: ConfigFlagValues): ClusterOptions {
  const opts: ClusterOptions = {
    asGroups: (flags['as-group'] ?? []).filter((g) => g !== ''),
    requestTimeoutMs: parseDuration('request-timeout', flags['request-timeout']),
  };
  for (const key of ['kubeconfig', 'context', 'cluster', 'user', 'namespace', 'as', 'server', 'token'] as const) {
    const v = flags[key];
    if (v !== undefined) {
      if (v === '') throw new UsageError(`--${key} must not be empty`);
      opts[key] = v;
    }
  }
  const renamed = [
    ['certificate-authority', 'certificateAuthority'],
    ['client-certificate', 'clientCertificate'],
    ['client-key', 'clientKey'],
    ['tls-server-name', 'tlsServerName'],
    ['as-uid', 'asUid'],
    ['field-manager', 'fieldManager'],
  ] as const;
  for (const [flag, key] of renamed) {
    const v = flags[flag];
    if (v !== undefined) {
      if (v === '') throw new UsageError(`--${flag} must not be empty`);
      opts[key] = v;
    }
  }
  if (flags['insecure-skip-tls-verify']) opts.insecureSkipTLSVerify = true;
  if (flags['disable-compression']) opts.disableCompression = true;
  if (opts.server !== undefined && !/^https?:\/\/[^/]/.test(opts.server) && !/^[\w.-]+(:\d+)?$/.test(opts.server)) {
    throw new UsageError(`invalid --server "${opts.server}"`, 'Give the API server as https://HOST:PORT (or HOST:PORT).');
  }
  if (opts.asGroups.length > 0 && opts.as === undefined) {
    throw new UsageError('--as-group requires --as', 'kubectl refuses to impersonate groups without a user; add --as=USER.');
  }
  if (opts.asUid !== undefined && opts.as === undefined) {
    throw new UsageError('--as-uid requires --as', 'kubectl refuses to impersonate a UID without a user; add --as=USER.');
  }
  if (opts.fieldManager !== undefined && (opts.fieldManager.length > 128 || /[^\x20-\x7e]/.test(opts.fieldManager))) {
    throw new UsageError(`invalid --field-manager "${opts.fieldManager}"`, 'A field manager is at most 128 printable ASCII characters.');
  }
  return opts;
}

/** The same connection settings aimed at another kubeconfig context (for runs over several contexts). */
export function forContext(opts: ClusterOptions, context: string): ClusterOptions {
  return { ...opts, context };
}

/** Validates client-side tuning values (qps, burst, page size, concurrency); usage errors name the flag. */
export function validateTuning(t: ClusterTuning): ClusterTuning {
  if (!(t.qps > 0)) throw new UsageError(`--qps must be greater than 0, got ${t.qps}`);
  if (!(t.burst >= 1) || !Number.isInteger(t.burst)) throw new UsageError(`--burst must be a positive integer, got ${t.burst}`);
  if (!(t.pageSize >= 0) || !Number.isInteger(t.pageSize)) throw new UsageError(`--chunk-size must be 0 or a positive integer, got ${t.pageSize}`);
  if (!(t.concurrency >= 1) || !Number.isInteger(t.concurrency)) throw new UsageError(`--concurrency must be a positive integer, got ${t.concurrency}`);
  return t;
}
