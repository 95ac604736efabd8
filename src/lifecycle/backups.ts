// Finding the backed-up manifest of a migrated v1 job (any kind): a backup directory (docs/backup-format.md)
// first, the copy migrate carries on the TrainJob (v1-manifest annotation) second.
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { KubeObject } from '../cluster/client.js';
import { findEntry, loadBackupManifest, readBackupIndex, type BackupIndex } from '../migration/backup-store.js';
import type { Provenance } from './provenance.js';

/** A backed-up v1 job manifest and where it came from. */
export interface FoundBackup {
  manifest: KubeObject;
  source: 'backup-dir' | 'annotation';
  /** The file, for backup-dir manifests. */
  file?: string;
}

/** Reads backup indexes once per directory (a rollback of 500 jobs reads index.yaml once). */
export class BackupLookup {
  private readonly indexes = new Map<string, Promise<BackupIndex | undefined>>();

  /** `dir` is --backup-dir (resolved), or undefined to rely on the annotations. */
  constructor(private readonly dir: string | undefined) {}

  /**
   * The backup of the v1 job a TrainJob came from: the --backup-dir entry with its uid (the exact
   * resourceVersion preferred), else the v1-manifest annotation; undefined when neither exists.
   * A file whose sha256 does not match the index throws, since restoring an edited file would be silent data loss.
   */
  async forProvenance(p: Provenance): Promise<FoundBackup | undefined> {
    // Without --backup-dir, the backup annotation names the file on the machine that ran migrate; its index is ../../index.yaml.
    const dir = this.dir ?? (p.backup && path.isAbsolute(p.backup) ? path.dirname(path.dirname(p.backup)) : undefined);
    const fromDir = p.sourceUid && dir ? await this.fromDir(dir, p.sourceUid, p.sourceResourceVersion) : undefined;
    if (fromDir) return fromDir;
    if (p.v1Manifest) return { manifest: p.v1Manifest, source: 'annotation' };
    return undefined;
  }

  /** The newest --backup-dir entry of a job by kind, namespace and name (for a job whose TrainJob is already gone). */
  async byName(namespace: string, name: string, kind = 'PyTorchJob'): Promise<FoundBackup | undefined> {
    if (!this.dir) return undefined;
    const index = await this.index(this.dir);
    if (!index) return undefined;
    const entries = index.entries.filter((e) => (e.kind ?? 'PyTorchJob') === kind && e.namespace === namespace && e.name === name).sort((a, b) => (a.backedUpAt < b.backedUpAt ? 1 : -1));
    const entry = entries[0];
    if (!entry) return undefined;
    return this.load(this.dir, entry);
  }

  /** Whether --backup-dir holds an intact-looking entry (indexed, file present) for this uid; reads no manifest. */
  async hasUid(uid: string): Promise<boolean> {
    if (!this.dir) return false;
    const index = await this.index(this.dir);
    const entry = index?.entries.find((e) => e.uid === uid);
    if (!entry) return false;
    try {
      await fs.access(path.join(this.dir, ...entry.file.split('/')));
      return true;
    } catch {
      return false;
    }
  }

  private async fromDir(dir: string, uid: string, resourceVersion: string | undefined): Promise<FoundBackup | undefined> {
    let index: BackupIndex | undefined;
    try {
      index = await this.index(dir);
    } catch (e) {
      // A directory named only by the annotation may be gone or foreign; the v1-manifest copy still works.
      if (dir !== this.dir) return undefined;
      throw e;
    }
    if (!index) return undefined;
    const entry = (resourceVersion ? findEntry(index, uid, resourceVersion) : undefined) ?? index.entries.filter((e) => e.uid === uid).sort((a, b) => (a.backedUpAt < b.backedUpAt ? 1 : -1))[0];
    if (!entry) return undefined;
    return this.load(dir, entry);
  }

  private async load(dir: string, entry: { file: string; sha256: string } & Parameters<typeof loadBackupManifest>[1]): Promise<FoundBackup | undefined> {
    const file = path.join(dir, ...entry.file.split('/'));
    try {
      const manifest = (await loadBackupManifest(dir, entry)) as unknown as KubeObject;
      return { manifest, source: 'backup-dir', file };
    } catch (e) {
      // A missing file falls back to the annotation (the brief: "file missing"); a modified one is an error.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  }

  private index(dir: string): Promise<BackupIndex | undefined> {
    let p = this.indexes.get(dir);
    if (!p) {
      p = readBackupIndex(dir);
      this.indexes.set(dir, p);
    }
    return p;
  }
}
