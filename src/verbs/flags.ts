import type { Argv } from 'yargs';
import { toClusterOptions, validateTuning, type ClusterOptions, type ClusterTuning, type ConfigFlagValues } from '../cluster/config-flags.js';
import { UsageError } from '../errors.js';
import { parseJobArg, parseKindFlag, V1_JOB_KINDS, type NamedJob } from '../live/kinds.js';
import type { JobSelection } from '../live/select.js';

export { parseDuration, type ClusterOptions, type ClusterTuning } from '../cluster/config-flags.js';

/** kubectl's global flags, declared once on the root command (see cli.ts): the connection flags plus -o and -v. */
export interface GlobalFlags extends ConfigFlagValues {
  output?: string;
  /** kubectl's -v/--v log level. */
  v?: number;
}

/** The connection flags, in the order `--help` lists them. */
export const CONNECTION_FLAGS = [
  'kubeconfig', 'context', 'cluster', 'user', 'namespace', 'server', 'token', 'certificate-authority', 'client-certificate', 'client-key',
  'insecure-skip-tls-verify', 'tls-server-name', 'as', 'as-group', 'as-uid', 'request-timeout', 'disable-compression',
] as const;

/** Declares the kubectl-style global flags on the root yargs instance. */
export function withGlobalFlags<T>(y: Argv<T>): Argv<T & GlobalFlags> {
  return y
    .option('kubeconfig', { type: 'string', global: true, describe: 'Path to the kubeconfig file to use for CLI requests' })
    .option('context', { type: 'string', global: true, describe: 'The name of the kubeconfig context to use' })
    .option('cluster', { type: 'string', global: true, describe: 'The name of the kubeconfig cluster to use' })
    .option('user', { type: 'string', global: true, describe: 'The name of the kubeconfig user to use' })
    .option('namespace', { alias: 'n', type: 'string', global: true, describe: 'If present, the namespace scope for this CLI request' })
    .option('server', { alias: 's', type: 'string', global: true, describe: 'The address and port of the Kubernetes API server' })
    .option('token', { type: 'string', global: true, describe: 'Bearer token for authentication to the API server' })
    .option('certificate-authority', { type: 'string', global: true, describe: 'Path to a cert file for the certificate authority' })
    .option('client-certificate', { type: 'string', global: true, describe: 'Path to a client certificate file for TLS' })
    .option('client-key', { type: 'string', global: true, describe: 'Path to a client key file for TLS' })
    .option('insecure-skip-tls-verify', { type: 'boolean', global: true, describe: "If true, the server's certificate will not be checked for validity (insecure)" })
    .option('tls-server-name', { type: 'string', global: true, describe: 'Server name to use for server certificate validation (default: the server host)' })
    .option('as', { type: 'string', global: true, describe: 'Username to impersonate for the operation' })
    .option('as-group', { type: 'string', array: true, global: true, describe: 'Group to impersonate for the operation; repeat for several' })
    .option('as-uid', { type: 'string', global: true, describe: 'UID to impersonate for the operation' })
    .option('request-timeout', {
      type: 'string',
      global: true,
      describe: 'Time to wait for a single server request (e.g. 1s, 2m, 3h); 0 means no timeout',
    })
    .option('disable-compression', { type: 'boolean', global: true, describe: 'If true, opt out of response compression for all requests to the server' })
    .option('output', { alias: 'o', type: 'string', global: true, describe: 'Output format (each verb lists the formats it accepts)' })
    .option('v', {
      type: 'number',
      global: true,
      describe: 'Log level: 0 quiet, 4 debug detail and stack traces, 6 one line per API request, 8 request and response bodies (credentials masked)',
    })
    .group([...CONNECTION_FLAGS, 'output', 'v', 'help'], 'Global flags:') as Argv<T & GlobalFlags>;
}

/** Turns the raw global flags into validated cluster options. */
export function clusterOptions(flags: GlobalFlags): ClusterOptions {
  return toClusterOptions(flags);
}

/** The --field-manager option of verbs that write (apply-v2, migrate, rollback): kubectl's spelling and default idea. */
export const FIELD_MANAGER_OPTION = {
  type: 'string',
  requiresArg: true,
  describe: 'Name of the manager used to track field ownership of the objects this verb writes (default kubectl-trainjob)',
} as const;

/** What --dry-run asks for: nothing (a real run), a client-side plan, or a server-side dry run (nothing stored). */
export type DryRunMode = 'none' | 'client' | 'server';

/** The --dry-run option: a bare `--dry-run` means client, like kubectl (src/cli.ts rewrites it to --dry-run=client). */
export function dryRunOption(describe: string) {
  return { type: 'string', requiresArg: false, describe } as const;
}

/** Validates --dry-run against the modes a verb supports (a verb that only plans has no server mode). */
export function parseDryRun<M extends DryRunMode>(value: string | undefined, allowed: readonly M[]): M | 'none' {
  if (value === undefined || value === 'none' || value === 'false') return 'none';
  const v = value === '' || value === 'true' ? 'client' : value;
  if ((allowed as readonly string[]).includes(v)) return v as M;
  throw new UsageError(`invalid --dry-run "${value}"`, `Allowed values are: ${['none', ...allowed].join(', ')} (a bare --dry-run means client).`);
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
  return validateTuning({ qps: flags.qps ?? 50, burst: flags.burst ?? 100, pageSize: flags['chunk-size'] ?? 500, concurrency: flags.concurrency ?? 8 });
}

/** The --suffix option of every verb that names TrainJobs (a value is required: `--suffix -v2` would otherwise read as a flag and leave the suffix empty). */
export const SUFFIX_OPTION = {
  type: 'string',
  requiresArg: true,
  describe: 'Appended to each v1 job name to form the TrainJob name, e.g. --suffix v2 gives NAME-v2 (default: same name)',
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
  /** Set when --runtime is not given: each v1 kind then references its own stock runtime. */
  defaulted?: boolean;
}

/** Validates --runtime (a DNS subdomain) and --runtime-kind (yargs already restricts its choices). */
export function parseRuntime(name: string | undefined, kind: string | undefined): RuntimeFlagValue {
  const runtimeName = name ?? 'torch-distributed';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(runtimeName)) throw new UsageError(`invalid --runtime "${runtimeName}"`, 'A runtime name is a DNS subdomain, e.g. torch-distributed.');
  return { name: runtimeName, kind: kind === 'TrainingRuntime' ? 'TrainingRuntime' : 'ClusterTrainingRuntime', ...(name === undefined ? { defaulted: true } : {}) };
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
