/**
 * The audit log: every non-public read or write, who (subject, role), why (purpose), what
 * (action, credit code), when, and the outcome — hash-chained, so `audit verify` detects any
 * edited or deleted entry.
 */
import { createHash } from 'node:crypto';
import type { AuditEntry, AuditInput, Store } from '../lib/store/store.js';

/** The hash of an entry: its content and its predecessor's hash. */
export function auditHash(prevHash: string, seq: number, at: string, e: AuditInput): string {
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(JSON.stringify([seq, at, e.subject, e.role, e.action, e.purpose, e.creditCode, e.outcome]))
    .digest('hex');
}

/** Appends one entry. */
export function recordAudit(store: Store, e: AuditInput): Promise<AuditEntry> {
  return store.appendAudit(e, auditHash);
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
