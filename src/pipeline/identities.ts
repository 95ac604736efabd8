import { createHash } from 'node:crypto';
import type { KubeObject } from '../convert/model.js';

/** An emitted object that has the identity of one emitted earlier in the run. */
export interface IdentityClash {
  object: KubeObject;
  /** `TrainJob ns/name`, for messages. */
  label: string;
  /** Where the first object with this identity came from (`jobs/a.yaml#2`). */
  firstSource: string;
}

/** What {@link IdentityLedger.check} found for one job's objects. */
export interface IdentityVerdict {
  /** Same identity and the same content: emit only once. */
  duplicates: IdentityClash[];
  /** Same identity, different content: applying both would let the second silently replace the first. */
  conflicts: IdentityClash[];
}

/**
 * Remembers every object a run emits by identity (kind, namespace, name) and a digest of its
 * content, so that two jobs that would become one object when applied (typically files without a
 * namespace converted together) are never emitted silently. Memory: one short entry per object.
 */
export class IdentityLedger {
  private readonly seen = new Map<string, { digest: string; source: string }>();

  /** Compares a job's objects with those emitted before; records nothing. */
  check(objects: KubeObject[]): IdentityVerdict {
    const verdict: IdentityVerdict = { duplicates: [], conflicts: [] };
    for (const object of objects) {
      const prior = this.seen.get(identity(object));
      if (!prior) continue;
      const clash = { object, label: label(object), firstSource: prior.source };
      if (prior.digest === digest(object)) verdict.duplicates.push(clash);
      else verdict.conflicts.push(clash);
    }
    return verdict;
  }

  /** Records objects that are being emitted, with the source they came from. */
  record(objects: KubeObject[], source: string): void {
    for (const o of objects) {
      const key = identity(o);
      if (!this.seen.has(key)) this.seen.set(key, { digest: digest(o), source });
    }
  }
}

/**
 * The key of an object's identity. A fresh string on purpose: a name cut out of the input text by the parser
 * can be a slice that keeps the whole input chunk it came from alive, and the ledger lives for the whole run.
 */
function identity(o: KubeObject): string {
  return JSON.stringify([o.kind, o.metadata.namespace ?? '', o.metadata.name ?? o.metadata.generateName ?? '']);
}

function label(o: KubeObject): string {
  const ns = o.metadata.namespace;
  return `${o.kind} ${ns ? `${ns}/` : ''}${o.metadata.name ?? o.metadata.generateName ?? ''}`;
}

function digest(o: KubeObject): string {
  return createHash('sha1').update(JSON.stringify(o)).digest('base64');
}
