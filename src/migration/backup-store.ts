// The on-disk backup of live PyTorchJobs (docs/backup-format.md is the contract; `rollback` reads it).
//
// Crash safety: every file is written to a temporary name in the same directory and renamed into place,
// and the index is rewritten the same way after each job file landed, so a process killed at any point
// leaves either the old or the new index, and every file the index names exists with the recorded sha256.
// A job file that landed but is not yet indexed is harmless: the next run indexes (or rewrites) it.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { cleanManifest } from '../live/clean.js';
import { pytorchJobState, type PyTorchJobState } from '../live/state.js';
import { parseDocument, toYaml } from '../yaml/index.js';

/** Name of the index file at the root of a backup directory. */
export const BACKUP_INDEX_FILE = 'index.yaml';
/** `apiVersion` of the index document; bumped on incompatible changes of the format. */
export const BACKUP_API_VERSION = 'kubectl-trainjob.io/v1';
/** `kind` of the index document. */
export const BACKUP_KIND = 'PyTorchJobBackup';

/** One backed-up version of one v1 job. */
export interface BackupEntry {
  /** The v1 kind (`MPIJob`); absent in indexes written before other kinds were supported, meaning PyTorchJob. */
  kind?: string;
  namespace: string;
  name: string;
  uid: string;
  resourceVersion: string;
  /** Lifecycle state when it was backed up (created, running, restarting, suspended, succeeded, failed). */
  state: PyTorchJobState;
  /** Path of the manifest, relative to the backup directory, always with `/` (`team-a/bert.yaml`; other kinds `team-a/mpijobs/bert.yaml`). */
  file: string;
  /** Hex sha256 of the file's bytes. */
  sha256: string;
  /** When this entry was written (RFC 3339, from the injected clock). */
  backedUpAt: string;
}

/** The index document (`index.yaml`). */
export interface BackupIndex {
  apiVersion: typeof BACKUP_API_VERSION;
  kind: typeof BACKUP_KIND;
  toolVersion: string;
  cluster: { server: string; context: string };
  created: string;
  updated: string;
  entries: BackupEntry[];
}

/** Who writes the backup: stamped into a new index, checked against an existing one. */
export interface BackupOrigin {
  toolVersion: string;
  server: string;
  context: string;
  now: () => Date;
}

/** What adding one job did: `written` (a new file), `unchanged` (this uid+resourceVersion was already backed up) or `repaired` (its file was missing or corrupt and was rewritten). */
export type BackupAction = 'written' | 'unchanged' | 'repaired';

/** The result of BackupStore.add. */
export interface BackupResult {
  entry: BackupEntry;
  action: BackupAction;
  /** Absolute path of the manifest file. */
  path: string;
  /** The clean manifest that was (or already had been) backed up. */
  manifest: Record<string, unknown>;
}

/** The default --backup-dir: `./trainjob-backups/<context>/<UTC timestamp>` (context made path-safe). */
export function defaultBackupDir(cwd: string, context: string, now: Date): string {
  const safe = context.replace(/[^A-Za-z0-9._-]/g, '_') || 'default';
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return path.join(cwd, 'trainjob-backups', safe, stamp);
}

/** The text of a backup file: the clean manifest as YAML (kubectl-style emitter, server key order kept). */
export function renderBackupManifest(manifest: unknown): string {
  return toYaml(manifest);
}

/** Hex sha256 of a string's UTF-8 bytes. */
export function sha256(text: string | Buffer): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Writes a file atomically: a temporary sibling, fsync, then rename over the target (text may come in chunks). */
export async function writeFileAtomic(file: string, text: string | readonly Uint8Array[]): Promise<void> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  const handle = await fs.open(tmp, 'wx', 0o600);
  try {
    if (typeof text === 'string') await handle.writeFile(text);
    else await handle.writev(text);
    // fsync so that a power loss after the rename cannot leave an empty file under the final name.
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Reads and checks `index.yaml` of a backup directory; undefined when the directory has no index. */
export async function readBackupIndex(dir: string): Promise<BackupIndex | undefined> {
  const file = path.join(dir, BACKUP_INDEX_FILE);
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  const doc = parseDocument(text, { source: file }).value as Partial<BackupIndex> | null;
  if (!doc || doc.apiVersion !== BACKUP_API_VERSION || doc.kind !== BACKUP_KIND || !Array.isArray(doc.entries)) {
    throw new InputError(`${file} is not a kubectl-trainjob backup index (want apiVersion ${BACKUP_API_VERSION}, kind ${BACKUP_KIND})`, 'Point --backup-dir at a directory written by kubectl trainjob backup/migrate, or at an empty one.');
  }
  return doc as BackupIndex;
}

/** The kind of an entry (entries of older indexes carry none: they are PyTorchJobs). */
export function entryKind(e: Pick<BackupEntry, 'kind'>): string {
  return e.kind ?? 'PyTorchJob';
}

/** The newest entry of a job (by kind, namespace and name) in an index, or undefined. */
export function latestEntry(index: BackupIndex, namespace: string, name: string, kind = 'PyTorchJob'): BackupEntry | undefined {
  let found: BackupEntry | undefined;
  for (const e of index.entries) if (entryKind(e) === kind && e.namespace === namespace && e.name === name && (!found || e.backedUpAt >= found.backedUpAt)) found = e;
  return found;
}

/**
 * The file of a job's first backed-up version: `<namespace>/<name>.yaml` for PyTorchJobs (as before other
 * kinds were supported), `<namespace>/<plural>/<name>.yaml` for the others, so an MPIJob and a PyTorchJob
 * of the same name never share a file.
 */
export function backupFileOf(kind: string, namespace: string, name: string): string {
  return kind === 'PyTorchJob' ? `${namespace}/${name}.yaml` : `${namespace}/${kind.toLowerCase()}s/${name}.yaml`;
}

/** The entry of an exact version (uid + resourceVersion), e.g. the one a TrainJob's provenance annotations name. */
export function findEntry(index: BackupIndex, uid: string, resourceVersion: string): BackupEntry | undefined {
  return index.entries.find((e) => e.uid === uid && e.resourceVersion === resourceVersion);
}

/** Reads one backed-up manifest, verifying its sha256 against the index; throws InputError on a mismatch. */
export async function loadBackupManifest(dir: string, entry: BackupEntry): Promise<Record<string, unknown>> {
  const file = path.join(dir, ...entry.file.split('/'));
  const text = await fs.readFile(file);
  const sum = sha256(text);
  if (sum !== entry.sha256) {
    throw new InputError(`backup file ${file} was modified: sha256 ${sum} does not match ${entry.sha256} in ${BACKUP_INDEX_FILE}`, 'Restore the file from a copy, or re-run kubectl trainjob backup while the PyTorchJob still exists.');
  }
  return parseDocument(text.toString('utf8'), { source: file }).value as Record<string, unknown>;
}

/**
 * A backup directory opened for writing: one clean manifest per PyTorchJob version plus `index.yaml`.
 * Safe for concurrent add() calls within one process; index rewrites are coalesced, and add() resolves
 * only once an index naming its entry is on disk.
 */
export class BackupStore {
  /** Absolute path of the backup directory. */
  readonly dir: string;
  private readonly index: BackupIndex;
  private readonly now: () => Date;
  private readonly byVersion = new Map<string, BackupEntry>();
  private readonly usedFiles = new Set<string>();
  private readonly madeDirs = new Set<string>();
  /** Each entry's YAML, rendered once: re-rendering the whole index on every rewrite made a fleet's run quadratic. */
  private readonly rendered = new WeakMap<BackupEntry, Uint8Array>();
  private version = 0;
  private written = 0;
  private writing: Promise<void> | undefined;

  private constructor(dir: string, index: BackupIndex, now: () => Date) {
    this.dir = dir;
    this.index = index;
    this.now = now;
    for (const e of index.entries) {
      this.byVersion.set(versionKey(e.uid, e.resourceVersion), e);
      this.usedFiles.add(e.file);
    }
  }

  /**
   * Opens (creating if needed) a backup directory and writes its index. An existing index must belong to
   * the same API server: mixing clusters in one backup would let a rollback recreate jobs on the wrong one.
   */
  static async open(dir: string, origin: BackupOrigin): Promise<BackupStore> {
    const abs = path.resolve(dir);
    await fs.mkdir(abs, { recursive: true });
    const existing = await readBackupIndex(abs);
    if (existing && existing.cluster?.server !== origin.server) {
      throw new UsageError(
        `backup directory ${abs} holds a backup of ${existing.cluster?.server ?? 'another cluster'}, not of ${origin.server}`,
        'Use a different --backup-dir for each cluster (the default is ./trainjob-backups/<context>/<time>).',
      );
    }
    const stamp = origin.now().toISOString();
    const index: BackupIndex = existing ?? {
      apiVersion: BACKUP_API_VERSION,
      kind: BACKUP_KIND,
      toolVersion: origin.toolVersion,
      cluster: { server: origin.server, context: origin.context },
      created: stamp,
      updated: stamp,
      entries: [],
    };
    const store = new BackupStore(abs, index, origin.now);
    if (!existing) await store.persist();
    return store;
  }

  /** A snapshot of the entries written so far (sorted by namespace, name, time). */
  entries(): BackupEntry[] {
    return sortEntries([...this.index.entries]);
  }

  /** Absolute path of an entry's file. */
  pathOf(entry: Pick<BackupEntry, 'file'>): string {
    return path.join(this.dir, ...entry.file.split('/'));
  }

  /** The entry of an exact version, if it is in this backup. */
  find(uid: string, resourceVersion: string): BackupEntry | undefined {
    return this.byVersion.get(versionKey(uid, resourceVersion));
  }

  /**
   * Backs up one live v1 job (any kind). The same uid+resourceVersion is never written twice (an intact file is left
   * alone); a changed job gets a new file `<name>@<resourceVersion>.yaml` next to the first, never over it.
   */
  async add(job: { kind?: unknown; metadata?: { name?: string; namespace?: string; uid?: string; resourceVersion?: string } } & Record<string, unknown>): Promise<BackupResult> {
    const meta = job.metadata ?? {};
    const { name, namespace, uid, resourceVersion } = meta;
    const kind = typeof job.kind === 'string' && job.kind !== '' ? job.kind : 'PyTorchJob';
    if (!name || !namespace || !uid || !resourceVersion) {
      throw new InputError(`cannot back up a ${kind} without name, namespace, uid and resourceVersion (got ${namespace ?? '?'}/${name ?? '?'})`, 'Back up live objects read from the API server.');
    }
    const manifest = cleanManifest(job) as Record<string, unknown>;
    const text = renderBackupManifest(manifest);
    const sum = sha256(text);
    const known = this.byVersion.get(versionKey(uid, resourceVersion));
    if (known) {
      const file = this.pathOf(known);
      if (await fileHasSum(file, known.sha256)) return { entry: known, action: 'unchanged', path: file, manifest };
      // The indexed file is gone or was edited: the live object is the same version, so rewriting it restores the backup.
      await this.ensureDir(path.dirname(file));
      await writeFileAtomic(file, text);
      known.sha256 = sum;
      this.rendered.delete(known);
      await this.persist();
      return { entry: known, action: 'repaired', path: file, manifest };
    }
    const first = backupFileOf(kind, namespace, name);
    const rel = this.usedFiles.has(first) ? first.replace(/\.yaml$/, `@${resourceVersion}.yaml`) : first;
    this.usedFiles.add(rel);
    const entry: BackupEntry = { ...(kind !== 'PyTorchJob' ? { kind } : {}), namespace, name, uid, resourceVersion, state: pytorchJobState(job), file: rel, sha256: sum, backedUpAt: this.now().toISOString() };
    const file = this.pathOf(entry);
    await this.ensureDir(path.dirname(file));
    await writeFileAtomic(file, text);
    this.byVersion.set(versionKey(uid, resourceVersion), entry);
    this.index.entries.push(entry);
    await this.persist();
    return { entry, action: 'written', path: file, manifest };
  }

  private async ensureDir(dir: string): Promise<void> {
    if (this.madeDirs.has(dir)) return;
    await fs.mkdir(dir, { recursive: true });
    this.madeDirs.add(dir);
  }

  /** Rewrites index.yaml so that it contains every entry added before this call (writes are coalesced). */
  private async persist(): Promise<void> {
    const want = ++this.version;
    while (this.written < want) {
      this.writing ??= (async () => {
        const v = this.version;
        this.index.updated = this.now().toISOString();
        await writeFileAtomic(path.join(this.dir, BACKUP_INDEX_FILE), this.renderIndex());
        this.written = v;
      })().finally(() => {
        this.writing = undefined;
      });
      await this.writing;
    }
  }

  /**
   * The index as YAML bytes, one buffer per entry: the same bytes as toYaml of the whole document (a sequence
   * of maps renders as the concatenation of its items), but each entry is rendered once and a rewrite makes no
   * new string, so rewriting the index after every job stays cheap (time and garbage) for thousands of jobs.
   */
  private renderIndex(): Uint8Array[] {
    const entries = sortEntries([...this.index.entries]);
    const head = toYaml({ ...this.index, entries: [] });
    if (entries.length === 0) return [Buffer.from(head)];
    const parts: Uint8Array[] = [Buffer.from(head.replace(/entries: \[\]\n$/, 'entries:\n'))];
    for (const e of entries) {
      let bytes = this.rendered.get(e);
      if (bytes === undefined) this.rendered.set(e, (bytes = Buffer.from(toYaml([e]))));
      parts.push(bytes);
    }
    return parts;
  }
}

function versionKey(uid: string, rv: string): string {
  return `${uid}\u0000${rv}`;
}

function sortEntries(entries: BackupEntry[]): BackupEntry[] {
  const cmp = (x: string, y: string): number => (x < y ? -1 : x > y ? 1 : 0);
  return entries.sort((a, b) => cmp(a.namespace, b.namespace) || cmp(entryKind(a), entryKind(b)) || cmp(a.name, b.name) || cmp(a.backedUpAt, b.backedUpAt));
}

async function fileHasSum(file: string, sum: string): Promise<boolean> {
  try {
    return sha256(await fs.readFile(file)) === sum;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw e;
  }
}
