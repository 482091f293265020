/**
 * The audit log: every non-public read or write, who (subject, role), why (purpose), what
 * (action, credit code), when, and the outcome — hash-chained, so `audit verify` detects any
 * edited or deleted entry.
 */
import { hash } from 'node:crypto';
import type { AuditEntry, AuditInput, Store } from '../lib/store/store.js';

/** The hash of an entry: its content and its predecessor's hash. */
export function auditHash(prevHash: string, seq: number, at: string, e: AuditInput): string {
  return hash(
    'sha256',
    `${prevHash}\n${JSON.stringify([seq, at, e.subject, e.role, e.action, e.purpose, e.creditCode, e.outcome])}`,
  );
}

/**
 * Appends entries with group commit: every entry asked for while a write is under way goes into
 * the next batch together. Each caller's promise resolves only once its own entry is committed, so
 * a response is never sent before its audit entry is durable.
 */
export class AuditWriter {
  static readonly MAX_BATCH = 5000;
  readonly #store: Store;
  readonly #queue: { e: AuditInput; resolve: (x: AuditEntry) => void; reject: (err: unknown) => void }[] = [];
  #writing = false;

  constructor(store: Store) {
    this.#store = store;
  }

  append(e: AuditInput): Promise<AuditEntry> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ e, resolve, reject });
      if (!this.#writing) {
        // Start on the next turn of the event loop, not now, so that the requests of one I/O turn
        // share the first batch too.
        this.#writing = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, AuditWriter.MAX_BATCH);
      try {
        const written = await this.#store.appendAuditBatch(
          batch.map((b) => b.e),
          auditHash,
        );
        batch.forEach((b, i) => {
          b.resolve(written[i] as AuditEntry);
        });
      } catch (err) {
        for (const b of batch) b.reject(err);
      }
    }
    this.#writing = false;
  }
}

const writers = new WeakMap<Store, AuditWriter>();

/** Appends one entry (through the store's group-commit writer). */
export function recordAudit(store: Store, e: AuditInput): Promise<AuditEntry> {
  let w = writers.get(store);
  if (w === undefined) {
    w = new AuditWriter(store);
    writers.set(store, w);
  }
  return w.append(e);
}

/** The outcome of a verification. */
export interface AuditVerification {
  readonly ok: boolean;
  readonly entries: number;
  /** The first entry that does not fit the chain, and why. */
  readonly brokenAt?: number;
  readonly problem?: string;
}

/** Walks the chain from the first entry: sequence, links and hashes must all hold. */
export async function verifyAudit(store: Store): Promise<AuditVerification> {
  const entries = await store.auditEntries(undefined, Number.MAX_SAFE_INTEGER);
  let prev = 'genesis';
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i] as AuditEntry;
    if (e.seq !== i + 1)
      return { ok: false, entries: entries.length, brokenAt: i + 1, problem: `entry ${i + 1} is missing (next is ${e.seq})` };
    if (e.prevHash !== prev)
      return { ok: false, entries: entries.length, brokenAt: e.seq, problem: `entry ${e.seq} does not link to its predecessor` };
    if (auditHash(e.prevHash, e.seq, e.at, e) !== e.hash)
      return { ok: false, entries: entries.length, brokenAt: e.seq, problem: `entry ${e.seq} was altered` };
    prev = e.hash;
  }
  return { ok: true, entries: entries.length };
}
