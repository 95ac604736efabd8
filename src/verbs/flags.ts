import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { parseJobArg, parseKindFlag, V1_JOB_KINDS, type NamedJob } from '../live/kinds.js';
import type { JobSelection } from '../live/select.js';

/** kubectl's global connection flags, declared once on the root command (see cli.ts). */
export interface GlobalFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  as?: string;
  'as-group'?: string[];
  'request-timeout'?: string;
  output?: string;
  verbose?: boolean;
}

/** The connection settings a cluster verb hands to the cluster layer, already validated. */
export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  /** The namespace given with -n; undefined means "the context's namespace, else default". */
  namespace?: string;
  as?: string;
  asGroups: string[];
  /** Per-request timeout in milliseconds; 0 means no timeout. */
  requestTimeoutMs: number;
}

/** Declares the kubectl-style global flags on the root yargs instance. */
export function withGlobalFlags<T>(y: Argv<T>): Argv<T & GlobalFlags> {
  return y
    .option('kubeconfig', { type: 'string', global: true, describe: 'Path to the kubeconfig file to use for CLI requests' })
    .option('context', { type: 'string', global: true, describe: 'The name of the kubeconfig context to use' })
    .option('cluster', { type: 'string', global: true, describe: 'The name of the kubeconfig cluster to use' })
    .option('user', { type: 'string', global: true, describe: 'The name of the kubeconfig user to use' })
    .option('namespace', { alias: 'n', type: 'string', global: true, describe: 'If present, the namespace scope for this CLI request' })
    .option('as', { type: 'string', global: true, describe: 'Username to impersonate for the operation' })
    .option('as-group', { type: 'string', array: true, global: true, describe: 'Group to impersonate for the operation; repeat for several' })
    .option('request-timeout', {
      type: 'string',
      global: true,
      describe: 'Time to wait for a single server request (e.g. 1s, 2m, 3h); 0 means no timeout',
    })
    .option('output', { alias: 'o', type: 'string', global: true, describe: 'Output format (each verb lists the formats it accepts)' })
    .option('verbose', { alias: 'v', type: 'boolean', global: true, describe: 'Print stack traces and debug detail on errors' })
    .group(['kubeconfig', 'context', 'cluster', 'user', 'namespace', 'as', 'as-group', 'request-timeout', 'output', 'verbose', 'help'], 'Global flags:') as Argv<
    T & GlobalFlags
  >;
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

/** Turns the raw global flags into validated cluster options. */
export function clusterOptions(flags: GlobalFlags): ClusterOptions {
  const opts: ClusterOptions = {
    asGroups: (flags['as-group'] ?? []).filter((g) => g !== ''),
    requestTimeoutMs: parseDuration('request-timeout', flags['request-timeout']),
  };
  for (const key of ['kubeconfig', 'context', 'cluster', 'user', 'namespace', 'as'] as const) {
    const v = flags[key];
    if (v !== undefined) {
      if (v === '') throw new UsageError(`--${key} must not be empty`);
      opts[key] = v;
    }
  }
  if (opts.asGroups.length > 0 && opts.as === undefined) {
    throw new UsageError('--as-group requires --as', 'kubectl refuses to impersonate groups without a user; add --as=USER.');
  }
  return opts;
}

/** Checks an -o value against the formats a verb accepts and returns it (or the default). */
export function outputFormat<F extends string>(value: string | undefined, allowed: readonly F[], fallback: F): F {
  if (value === undefined || value === '') return fallback;
  if ((allowed as readonly string[]).includes(value)) return value as F;
  throw new UsageError(`unable to match a printer suitable for the output format "${value}"`, `Allowed formats are: ${allowed.join(', ')}.`);
}

/** Flags of verbs that select live objects and talk to the API at scale (preview, backup, migrate, ...). */
export interface ClusterVerbFlags extends GlobalFlags {
  'all-namespaces'?: boolean;
  selector?: string;
  qps?: number;
  burst?: number;
  'chunk-size'?: number;
  concurrency?: number;
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

/** Declares -A, -l, --qps, --burst, --chunk-size and --concurrency (kubectl spellings where kubectl has them). */
export function withClusterVerbFlags<T>(y: Argv<T>): Argv<T & ClusterVerbFlags> {
  return y
    .option('all-namespaces', { alias: 'A', type: 'boolean', default: false, describe: 'Act on every namespace (overrides -n)' })
    .option('selector', { alias: 'l', type: 'string', describe: 'Label selector, e.g. -l team=nlp,tier!=test' })
    .option('qps', { type: 'number', default: 50, describe: 'Client-side requests per second to the API server' })
    .option('burst', { type: 'number', default: 100, describe: 'Client-side burst of requests above --qps' })
    .option('chunk-size', { type: 'number', default: 500, describe: 'Objects per list page (0 = no paging)' })
    .option('concurrency', { type: 'number', default: 8, describe: 'Objects processed in parallel' }) as Argv<T & ClusterVerbFlags>;
}

/** Validates the tuning flags. */
export function clusterTuning(flags: ClusterVerbFlags): ClusterTuning {
  const t = { qps: flags.qps ?? 50, burst: flags.burst ?? 100, pageSize: flags['chunk-size'] ?? 500, concurrency: flags.concurrency ?? 8 };
  if (!(t.qps > 0)) throw new UsageError(`--qps must be greater than 0, got ${t.qps}`);
  if (!(t.burst >= 1) || !Number.isInteger(t.burst)) throw new UsageError(`--burst must be a positive integer, got ${t.burst}`);
  if (!(t.pageSize >= 0) || !Number.isInteger(t.pageSize)) throw new UsageError(`--chunk-size must be 0 or a positive integer, got ${t.pageSize}`);
  if (!(t.concurrency >= 1) || !Number.isInteger(t.concurrency)) throw new UsageError(`--concurrency must be a positive integer, got ${t.concurrency}`);
  return t;
}

/** The --suffix option of every verb that names TrainJobs (a value is required: `--suffix -v2` would otherwise read as a flag and leave the suffix empty). */
export const SUFFIX_OPTION = {
  type: 'string',
  requiresArg: true,
  describe: 'Appended to each PyTorchJob name to form the TrainJob name, e.g. --suffix v2 gives NAME-v2 (default: same name)',
} as const;

/** Validates --suffix: `v2` and `-v2` both give NAME-v2; empty means the same name. */
export function parseSuffix(raw: string | undefined): string {
  const value = raw ?? '';
  const suffix = value === '' || value.startsWith('-') ? value : `-${value}`;
  if (!/^[-a-z0-9]*$/.test(suffix)) throw new UsageError(`invalid --suffix "${value}"`, "Use lower-case letters, digits and '-' only, e.g. --suffix v2.");
  return suffix;
}

/** The runtime a verb's TrainJobs reference, from --runtime and --runtime-kind. */
export interface RuntimeFlagValue {
  name: string;
  kind: 'ClusterTrainingRuntime' | 'TrainingRuntime';
}

/** Validates --runtime (a DNS subdomain) and --runtime-kind (yargs already restricts its choices). */
export function parseRuntime(name: string | undefined, kind: string | undefined): RuntimeFlagValue {
  const runtimeName = name ?? 'torch-distributed';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(runtimeName)) throw new UsageError(`invalid --runtime "${runtimeName}"`, 'A runtime name is a DNS subdomain, e.g. torch-distributed.');
  return { name: runtimeName, kind: kind === 'TrainingRuntime' ? 'TrainingRuntime' : 'ClusterTrainingRuntime' };
}

/** The --kind flag of verbs that select v1 jobs. */
export interface KindFlag {
  kind?: string[];
}

/** Declares --kind (repeatable, comma-separated values): the v1 kinds a selector or --all covers. */
export function withKindFlag<T>(y: Argv<T>): Argv<T & KindFlag> {
  return y.option('kind', {
    type: 'string',
    array: true,
    // One value per --kind, so `--kind mpijob bert` leaves bert a job name.
    nargs: 1,
    describe: `Only these v1 kinds (repeat or comma-separate: ${V1_JOB_KINDS.map((k) => k.singular).join(', ')}); default every kind the cluster serves`,
  }) as unknown as Argv<T & KindFlag>;
}

/**
 * Which live v1 jobs a verb acts on: positional `NAME` / `TYPE/NAME` arguments, --kind, -n, -A and -l, as one
 * selection. A bare NAME is a PyTorchJob, or of the one kind --kind names; names whose kind --kind excludes
 * are refused, as are bare names with several --kind values (which kind would they be?).
 */
export function jobSelection(args: readonly string[], flags: ClusterVerbFlags & KindFlag): JobSelection {
  const kinds = parseKindFlag(flags.kind);
  const jobs: NamedJob[] = [];
  for (const arg of args.filter((n) => n !== '')) {
    if (!arg.includes('/') && kinds) {
      if (kinds.length > 1) {
        throw new UsageError(`"${arg}" has no kind, and --kind names ${kinds.length} kinds`, `Write TYPE/NAME (e.g. ${kinds[0]!.singular}/${arg}), or give a single --kind.`);
      }
      jobs.push({ ...parseJobArg(arg), kind: kinds[0]! });
      continue;
    }
    const job = parseJobArg(arg);
    if (kinds && !kinds.some((k) => k.kind === job.kind.kind)) {
      throw new UsageError(`${arg} is a ${job.kind.kind}, which --kind ${kinds.map((k) => k.singular).join(',')} excludes`, 'Drop --kind, or name jobs of the kinds it allows.');
    }
    jobs.push(job);
  }
  return {
    jobs,
    ...(kinds ? { kinds } : {}),
    allNamespaces: Boolean(flags['all-namespaces']),
    ...(flags.namespace ? { namespace: flags.namespace } : {}),
    ...(flags.selector ? { labelSelector: flags.selector } : {}),
  };
}
