// `kubectl trainjob backup`: selected live v1 jobs (every kind) → one clean manifest per job plus index.yaml.
import type { Cluster } from '../cluster/client.js';
import { ExitCode, ExitWith } from '../errors.js';
import { writeChunk, type Deps } from '../io.js';
import { jobLabel, nameOutput } from '../live/kinds.js';
import { describeKinds, describeSelection, selectJobs, type JobSelection } from '../live/select.js';
import type { ClusterOptions, ClusterTuning } from '../cluster/config-flags.js';
import { TOOL_VERSION } from '../version.js';
import { BackupStore, defaultBackupDir, type BackupAction } from './backup-store.js';
import { jsonReport, renderTable } from './report.js';

/** Validated options of `backup`. */
export interface BackupOptions {
  selection: JobSelection;
  /** --backup-dir; undefined means the default `./trainjob-backups/<context>/<time>`. */
  backupDir?: string;
  output: 'table' | 'json' | 'name';
  cluster: ClusterOptions;
  tuning: ClusterTuning;
}

/** What happened to one selected job. */
export interface BackupJobReport {
  kind: string;
  namespace: string;
  name: string;
  status: BackupAction | 'not-found' | 'failed';
  uid?: string;
  resourceVersion?: string;
  state?: string;
  file?: string;
  sha256?: string;
  error?: string;
}

/** Opens the cluster connection the way every live verb does (lazy import keeps --help fast). */
export async function connectCluster(opts: ClusterOptions, tuning: ClusterTuning, deps: Deps): Promise<Cluster> {
  const { connect } = await import('../cluster/index.js');
  return connect(opts, deps.env, { qps: tuning.qps, burst: tuning.burst, pageSize: tuning.pageSize, log: deps.log });
}

/** Runs `backup`: streams the selection page by page into the store (memory stays flat), then reports. */
export async function runBackup(opts: BackupOptions, deps: Deps, connected?: Cluster): Promise<void> {
  const cluster = connected ?? (await connectCluster(opts.cluster, opts.tuning, deps));
  try {
    const dir = opts.backupDir ?? defaultBackupDir(deps.cwd, cluster.target.contextName, deps.now());
    const store = await BackupStore.open(dir, { toolVersion: TOOL_VERSION, server: cluster.target.server, context: cluster.target.contextName, now: deps.now });
    const reports: BackupJobReport[] = [];
    let inFlight: Promise<void>[] = [];
    for await (const sel of selectJobs(cluster, opts.selection, { concurrency: opts.tuning.concurrency })) {
      if (!sel.job) {
        reports.push({ kind: sel.kind, namespace: sel.namespace, name: sel.name, status: 'not-found', error: sel.error.message });
        continue;
      }
      const job = sel.job;
      const slot = reports.push({ kind: sel.kind, namespace: sel.namespace, name: sel.name, status: 'failed' }) - 1;
      inFlight.push(
        store.add(job as never).then(
          (r) => {
            reports[slot] = { kind: sel.kind, namespace: sel.namespace, name: sel.name, status: r.action, uid: r.entry.uid, resourceVersion: r.entry.resourceVersion, state: r.entry.state, file: r.entry.file, sha256: r.entry.sha256 };
          },
          (e: unknown) => {
            reports[slot]!.error = e instanceof Error ? e.message : String(e);
          },
        ),
      );
      // Bounded file writes in flight: the index rewrite is coalesced across them.
      if (inFlight.length >= opts.tuning.concurrency * 4) {
        await Promise.all(inFlight);
        inFlight = [];
      }
    }
    await Promise.all(inFlight);
    const counts = { written: 0, unchanged: 0, repaired: 0, 'not-found': 0, failed: 0 };
    for (const r of reports) counts[r.status]++;
    if (opts.output === 'json') {
      await writeChunk(deps.io.out, jsonReport('BackupReport', { jobs: reports.length, ...counts } as never, reports, { backupDir: store.dir, index: `${store.dir}/index.yaml` }));
    } else if (opts.output === 'name') {
      // kubectl's -o name: the v1 jobs that are in the backup now (written, repaired or already there).
      for (const r of reports) if (r.file) await writeChunk(deps.io.out, `${nameOutput(r.kind, r.name)}\n`);
      if (reports.length > 0) deps.io.err.write(`Backed up ${counts.written + counts.repaired} job(s) (${counts.unchanged} already backed up) into ${store.dir}\n`);
      else deps.io.err.write(`No ${describeKinds(opts.selection)} found ${describeSelection(opts.selection, cluster)}.\n`);
    } else if (reports.length === 0) {
      deps.io.err.write(`No ${describeKinds(opts.selection)} found ${describeSelection(opts.selection, cluster)}.\n`);
    } else {
      const all = opts.selection.allNamespaces;
      const rows = reports.map((r) => [...(all ? [r.namespace] : []), jobLabel(r.kind, r.name), r.state ?? '-', r.status, r.file ?? r.error ?? '']);
      await writeChunk(deps.io.out, renderTable([...(all ? ['NAMESPACE'] : []), 'JOB', 'STATE', 'RESULT', 'FILE'], rows));
      deps.io.err.write(`Backed up ${counts.written + counts.repaired} job(s) (${counts.unchanged} already backed up) into ${store.dir}\n`);
    }
    if (counts.failed > 0 || counts['not-found'] > 0) throw new ExitWith(ExitCode.ERROR);
  } finally {
    if (!connected) cluster.close();
  }
}
