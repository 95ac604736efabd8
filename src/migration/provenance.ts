// Provenance a migrated TrainJob carries so that `rollback` can restore its PyTorchJob even when the local
// backup directory is lost: the backup location and checksum, and the complete clean v1 manifest.
import { ANNOTATIONS } from '../convert/index.js';

/** The API server's limit on the total size of an object's annotations (keys plus values, in bytes). */
export const ANNOTATIONS_BUDGET_BYTES = 256 * 1024;

/** Where a job's backup lives, as written into the TrainJob. */
export interface BackupRef {
  /** Absolute path of the backup file on the machine that ran migrate. */
  path: string;
  sha256: string;
}

/** Total bytes of an annotation map as the API server counts them (UTF-8 length of every key and value). */
export function annotationBytes(annotations: Record<string, string>): number {
  let n = 0;
  for (const [k, v] of Object.entries(annotations)) n += Buffer.byteLength(k) + Buffer.byteLength(v);
  return n;
}

/** The outcome of addProvenance: whether the v1 manifest fitted into the annotation budget. */
export interface ProvenanceResult {
  v1ManifestEmbedded: boolean;
  /** Size of the annotations that would have held the manifest, when it did not fit. */
  bytes?: number;
}

/**
 * Adds the backup location and the clean v1 manifest (JSON) to a TrainJob's annotations in place. When the
 * manifest would push the annotations past 256 KiB the manifest is left out, `v1-manifest-omitted` says why,
 * and the caller reports it: the TrainJob must still be creatable, and the backup file remains the way back.
 */
export function addProvenance(trainJob: { metadata?: { annotations?: Record<string, string> } }, backup: BackupRef | undefined, cleanV1: unknown): ProvenanceResult {
  const meta = (trainJob.metadata ??= {});
  const ann = (meta.annotations ??= {});
  if (backup) {
    ann[ANNOTATIONS.backup] = backup.path;
    ann[ANNOTATIONS.backupSha256] = backup.sha256;
  }
  delete ann[ANNOTATIONS.v1ManifestOmitted];
  ann[ANNOTATIONS.v1Manifest] = JSON.stringify(cleanV1);
  const bytes = annotationBytes(ann);
  // Leave a little headroom: admission plugins (e.g. Kueue) may add annotations of their own.
  if (bytes <= ANNOTATIONS_BUDGET_BYTES - 1024) return { v1ManifestEmbedded: true };
  delete ann[ANNOTATIONS.v1Manifest];
  ann[ANNOTATIONS.v1ManifestOmitted] = `the clean PyTorchJob manifest would make the annotations ${bytes} bytes, over the 256 KiB limit; use the backup file`;
  return { v1ManifestEmbedded: false, bytes };
}
