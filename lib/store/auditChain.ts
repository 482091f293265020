/**
 * The audit log's hash chain: each entry's hash covers its content and its predecessor's hash, so
 * an edit or a deletion anywhere breaks the chain. Shared by the store (PostgreSQL), the embedded
 * store's thread (which keeps the chain's head and hashes there, off the gateway's thread) and
 * `audit verify`.
 */
import { hash } from 'node:crypto';

/** What an audit entry records. */
export interface AuditInput {
  readonly subject: string;
  readonly role: string;
  readonly action: string;
  readonly purpose: string | null;
  readonly creditCode: string | null;
  readonly outcome: string;
}

/** An audit entry as stored. */
export interface AuditEntry extends AuditInput {
  readonly seq: number;
  readonly at: string;
  readonly prevHash: string;
  readonly hash: string;
}

/** The last entry of the chain (sequence 0 and 'genesis' when the log is empty). */
export interface AuditHead {
  readonly seq: number;
  readonly hash: string;
}

/** The hash of an entry: its content and its predecessor's hash. */
export function auditHash(prevHash: string, seq: number, at: string, e: AuditInput): string {
  return hash(
    'sha256',
    `${prevHash}\n${JSON.stringify([seq, at, e.subject, e.role, e.action, e.purpose, e.creditCode, e.outcome])}`,
  );
}

/** Reads the chain's head (one row or none: see `auditHeadOf`). */
export const READ_AUDIT_HEAD = 'select seq, hash from audit_log order by seq desc limit 1';

/** The head from the row `READ_AUDIT_HEAD` returned. */
export function auditHeadOf(row: { seq: string | number; hash: string } | undefined): AuditHead {
  return row === undefined ? { seq: 0, hash: 'genesis' } : { seq: Number(row.seq), hash: row.hash };
}

/** Chains `list` after `head`, all stamped `at`. */
export function chainAudit(head: AuditHead, list: readonly AuditInput[], at = new Date().toISOString()): AuditEntry[] {
  let seq = head.seq;
  let prevHash = head.hash;
  const out: AuditEntry[] = [];
  for (const e of list) {
    seq++;
    const h = auditHash(prevHash, seq, at, e);
    out.push({
      seq,
      at,
      subject: e.subject,
      role: e.role,
      action: e.action,
      purpose: e.purpose,
      creditCode: e.creditCode,
      outcome: e.outcome,
      prevHash,
      hash: h,
    });
    prevHash = h;
  }
  return out;
}

/**
 * Inserts chained entries in one statement. The batch travels as one JSON text (one parameter,
 * which Postgres parses once) rather than ten arrays.
 */
export const INSERT_AUDIT = `insert into audit_log (seq, at, subject, role, action, purpose, credit_code, outcome, prev_hash, hash)
     select * from json_to_recordset($1::json) as x(seq bigint, at timestamptz, subject text, role text, action text,
       purpose text, "creditCode" text, outcome text, "prevHash" text, hash text)`;
